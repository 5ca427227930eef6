import type { Artifact } from "../core/artifact.ts";
import type { HistoryEvent } from "../core/event.ts";
import { claimLapse, unmetDependencies } from "../core/readiness.ts";
import type { Plan, Task } from "../core/task.ts";
import { requirePlan, requireTaskWithSiblings } from "./_task-writes.ts";
import type { AppContext } from "./context.ts";

export interface TaskDetails {
  readonly task: Task;
  readonly plan: Plan;
  readonly dependencies: readonly Task[];
  readonly dependents: readonly Task[];
  readonly unmet: ReturnType<typeof unmetDependencies>;
  readonly history: readonly HistoryEvent[];
  readonly artifacts: readonly Artifact[];
  /** True when the claim has run out or its holder's connection is gone (anyone may take it over). */
  readonly claimExpired: boolean;
}

/** One task with its plan, dependencies (and which are unmet), dependents, claim, history and artifacts. */
export async function getTask(ctx: AppContext, taskId: string): Promise<TaskDetails> {
  const ws = ctx.project;
  return ctx.store.read(async (db) => {
    const { task, siblings } = await requireTaskWithSiblings(db, ws, taskId);
    const plan = await requirePlan(db, ws, task.planId);
    const byId = new Map(siblings.map((t) => [t.id, t]));
    const artifacts = (await db.findTaskArtifacts(ws, [task.id])).get(task.id) ?? [];
    return {
      task,
      plan,
      dependencies: task.dependencies.map((id) => byId.get(id)).filter((t): t is Task => t !== undefined),
      dependents: siblings.filter((t) => t.dependencies.includes(task.id)),
      unmet: unmetDependencies(task, byId),
      history: await db.findTaskEvents(ws, task.planId, task.id),
      artifacts,
      claimExpired: task.claim !== null && claimLapse(task.claim, ctx.clock.now(), ctx.holderGone) !== null,
    };
  });
}
