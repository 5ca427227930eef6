import { OrchestratorError } from "../core/errors.ts";
import { isClaimedByOther } from "../core/readiness.ts";
import type { Plan, Task } from "../core/task.ts";
import { canTransition } from "../core/transitions.ts";
import { type RequestKey, writeOnce } from "./_requests.ts";
import { applyTaskAction, refreshPlan, requireTaskWithSiblings, setPlanStatus } from "./_task-writes.ts";
import type { AppContext } from "./context.ts";

export interface CancelResult {
  readonly plan: Plan;
  /** Tasks this call cancelled. */
  readonly cancelled: readonly string[];
  /** Tasks whose claim by another agent was broken by the cancellation. */
  readonly interrupted: readonly { task_id: string; agent_id: string }[];
  /** Dependents that may now start (a cancelled dependency counts as done). */
  readonly unblocked: readonly string[];
}

/**
 * Cancels one task, or, given a plan id, every open task of the plan and the plan itself. The
 * reason is kept as the tasks' note. Cancelling is allowed even while another agent holds the task
 * (someone must be able to stop work); the interrupted claims are reported.
 */
export async function cancelTask(
  ctx: AppContext,
  id: string,
  reason: string | undefined,
  agentId: string,
  request?: RequestKey,
): Promise<CancelResult & { readonly replayed: boolean }> {
  const ws = ctx.project;
  return writeOnce(ctx, request, async (trx, now): Promise<CancelResult> => {
    const note = reason ?? "cancelled";
    const asPlan = await trx.findPlan(ws, id);
    let targets: Task[];
    let siblings: Task[];
    if (asPlan) {
      siblings = await trx.findPlanTasks(ws, id);
      targets = siblings.filter((t) => canTransition(t.status, "cancel"));
    } else {
      const found = await requireTaskWithSiblings(trx, ws, id);
      siblings = found.siblings;
      if (!canTransition(found.task.status, "cancel")) {
        throw new OrchestratorError(
          "TRANSITION_NOT_ALLOWED",
          `Task ${id} is ${found.task.status} and cannot be cancelled (only pending, active, blocked or failed tasks can).`,
          { data: { task_id: id, status: found.task.status } },
        );
      }
      targets = [found.task];
    }
    const interrupted = targets
      .filter((t) => isClaimedByOther(t, agentId, now, ctx.holderGone))
      .map((t) => ({ task_id: t.id, agent_id: t.claim!.agentId }));
    for (const t of targets) {
      await applyTaskAction(trx, ws, t, "cancel", now, {
        agentId,
        note,
        patch: { statusNote: note, claim: null },
      });
    }
    const planId = asPlan?.id ?? targets[0]!.planId;
    let plan = await refreshPlan(trx, ws, planId, now);
    if (asPlan) {
      await setPlanStatus(trx, ws, plan, "cancelled", now, note);
      plan = { ...plan, status: "cancelled" };
    }
    const cancelled = new Set(targets.map((t) => t.id));
    const unblocked = asPlan
      ? []
      : siblings
          .filter((t) => t.status === "pending" && t.dependencies.some((d) => cancelled.has(d)))
          .filter((t) =>
            t.dependencies.every(
              (d) =>
                cancelled.has(d) ||
                ["completed", "cancelled"].includes(siblings.find((s) => s.id === d)?.status ?? ""),
            ),
          )
          .map((t) => t.id);
    return { plan, cancelled: [...cancelled], interrupted, unblocked };
  });
}
