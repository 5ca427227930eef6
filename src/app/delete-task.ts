import { OrchestratorError } from "../core/errors.ts";
import type { Plan, Task } from "../core/task.ts";
import { canTransition } from "../core/transitions.ts";
import {
  applyTaskAction,
  recordEvent,
  refreshPlan,
  requireTaskWithSiblings,
  setPlanStatus,
} from "./_task-writes.ts";
import type { AppContext } from "./context.ts";

export type DeleteMode = "archive" | "restore" | "hard_delete";

export interface DeleteInput {
  /** A task id, or a plan id to act on the whole plan. */
  readonly id: string;
  readonly mode: DeleteMode;
  /** Go ahead although other tasks depend on the task. */
  readonly force: boolean;
  readonly agentId: string;
}

export interface DeleteResult {
  readonly mode: DeleteMode;
  readonly target: "task" | "plan";
  readonly plan: Plan | null;
  readonly affected: readonly string[];
  /** Dependents that now wait on an archived or deleted task. */
  readonly dependentsLeft: readonly string[];
  /** Workspace-relative artifact files removed (hard delete only). */
  readonly filesRemoved: readonly string[];
}

/**
 * Archives (the default; restorable), restores, or hard-deletes a task or a whole plan. Archiving
 * or deleting a task that open tasks depend on needs `force`. Hard deletion removes the rows and
 * the task's artifact files; the history keeps a record of it.
 */
export async function deleteTask(ctx: AppContext, input: DeleteInput): Promise<DeleteResult> {
  const ws = ctx.project;
  const result = await ctx.store.write(async (trx) => {
    const now = ctx.clock.now();
    const plan = await trx.findPlan(ws, input.id);
    const siblings = plan
      ? await trx.findPlanTasks(ws, plan.id)
      : (await requireTaskWithSiblings(trx, ws, input.id)).siblings;
    const targets: Task[] = plan ? siblings : siblings.filter((t) => t.id === input.id);
    const planId = plan?.id ?? targets[0]!.planId;
    const targetIds = new Set(targets.map((t) => t.id));
    const dependents = siblings
      .filter((t) => !targetIds.has(t.id) && t.dependencies.some((d) => targetIds.has(d)))
      .filter((t) => ["pending", "active", "blocked", "failed"].includes(t.status));

    if (input.mode !== "restore" && dependents.length > 0 && !input.force) {
      throw new OrchestratorError(
        "TASK_HAS_DEPENDENTS",
        `Task ${input.id} is a dependency of ${dependents.map((d) => `${d.id} (${d.status})`).join(", ")}; ${input.mode === "archive" ? "archiving" : "deleting"} it would leave them waiting forever. Cancel or re-plan them first, or pass force: true.`,
        { data: { task_id: input.id, dependents: dependents.map((d) => d.id) } },
      );
    }

    if (input.mode === "restore") {
      const archived = targets.filter((t) => t.status === "archived");
      if (archived.length === 0 && !(plan && plan.status === "archived")) {
        throw new OrchestratorError(
          "TRANSITION_NOT_ALLOWED",
          `${input.id} is not archived, so there is nothing to restore.`,
          {
            data: { id: input.id },
          },
        );
      }
      for (const t of archived) await applyTaskAction(trx, ws, t, "restore", now, { agentId: input.agentId });
      if (plan && plan.status === "archived") await setPlanStatus(trx, ws, plan, "active", now, "restored");
      const refreshed = await refreshPlan(trx, ws, planId, now);
      return {
        target: plan ? "plan" : "task",
        planId,
        plan: refreshed,
        affected: archived.map((t) => t.id),
        dependentsLeft: [],
        files: [],
      } as const;
    }

    if (input.mode === "archive") {
      const open = targets.filter((t) => canTransition(t.status, "archive"));
      if (open.length === 0 && !plan) {
        throw new OrchestratorError("TRANSITION_NOT_ALLOWED", `Task ${input.id} is already archived.`, {
          data: { task_id: input.id },
        });
      }
      for (const t of open) {
        await applyTaskAction(trx, ws, t, "archive", now, {
          agentId: input.agentId,
          patch: { claim: null },
        });
      }
      let refreshed = await refreshPlan(trx, ws, planId, now);
      if (plan) {
        await setPlanStatus(trx, ws, refreshed, "archived", now);
        refreshed = { ...refreshed, status: "archived" };
      }
      return {
        target: plan ? "plan" : "task",
        planId,
        plan: refreshed,
        affected: open.map((t) => t.id),
        dependentsLeft: dependents.map((d) => d.id),
        files: [],
      } as const;
    }

    // Hard delete: the artifact rows go with their task (ON DELETE CASCADE); remember their files.
    // Each path is checked against its row's ids (STORE_ROW_INVALID otherwise).
    const files = await trx.findArtifactPaths(ws, [...targetIds]);
    // Every path to remove is resolved here, inside the transaction: a path that would leave
    // .task_orchestrator/ throws PATH_OUTSIDE_DATA_DIR and rolls the deletion back, rows included.
    const removals = ctx.files.prepareRemoval(files, plan ? { planId } : { planId, taskId: input.id });
    for (const t of targets) {
      await recordEvent(trx, ws, now, "task_deleted", planId, t.id, {
        agentId: input.agentId,
        from: t.status,
        note: "hard delete",
      });
    }
    await trx.deleteDependenciesOn(ws, [...targetIds]);
    if (plan) {
      await recordEvent(trx, ws, now, "plan_deleted", planId, null, {
        agentId: input.agentId,
        from: plan.status,
        note: "hard delete",
      });
      await trx.deletePlan(ws, planId);
      return {
        target: "plan",
        planId,
        plan: null,
        affected: [...targetIds],
        dependentsLeft: [],
        files,
        removals,
      } as const;
    }
    await trx.deleteTask(ws, input.id);
    const refreshed = await refreshPlan(trx, ws, planId, now);
    return {
      target: "task",
      planId,
      plan: refreshed,
      affected: [input.id],
      dependentsLeft: dependents.map((d) => d.id),
      files,
      removals,
    } as const;
  });

  // Files go only after the rows are gone for good; a crash in between leaves orphan files, which
  // validate_structure reports, never rows pointing at nothing.
  if ("removals" in result && result.removals) await result.removals();
  return {
    mode: input.mode,
    target: result.target,
    plan: result.plan,
    affected: result.affected,
    dependentsLeft: result.dependentsLeft,
    filesRemoved: result.files,
  };
}
