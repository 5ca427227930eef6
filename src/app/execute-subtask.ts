import { OrchestratorError } from "../core/errors.ts";
import { addMs } from "../core/ports.ts";
import type { DependencyOutput } from "../core/prompt.ts";
import { claimLapse, isClaimedByOther, readyTasks, unmetDependencies } from "../core/readiness.ts";
import type { Role } from "../core/roles/role.ts";
import type { Claim, Plan, Task } from "../core/task.ts";
import type { StoreReader } from "../store/port.ts";
import { applyTaskAction, recordEvent, requirePlan, requireTaskForReadiness } from "./_task-writes.ts";
import type { AppContext } from "./context.ts";
import { specialistPrompt } from "./task-prompt.ts";

export interface ExecuteSubtaskResult {
  readonly task: Task;
  readonly plan: Plan;
  readonly role: Role;
  readonly dependencies: readonly DependencyOutput[];
  readonly prompt: string;
  /**
   * True when this call started the task for the caller (also when it took it over from another
   * agent); false when the holder asked again (lease renewed).
   */
  readonly started: boolean;
  /** The agent this call took the task over from, and why its claim no longer held. */
  readonly takenOver: { readonly agentId: string; readonly why: "expired" | "holder_gone" } | null;
}

/**
 * Starts a task for `agentId`: refuses when dependencies are not done (naming them) or another
 * live agent holds it; otherwise moves it to active and claims it with a lease, in one
 * BEGIN IMMEDIATE transaction. Asking again as the holder renews the lease. Returns the
 * specialist prompt with what the dependencies produced. Without a task id, it picks the next
 * ready task (within `pick`) and claims it in the same transaction.
 */
export async function executeSubtask(
  ctx: AppContext,
  requested: string | undefined,
  agentId: string,
  pick: NextTaskFilter = {},
): Promise<ExecuteSubtaskResult> {
  const ws = ctx.project;
  const now = ctx.clock.now();
  const expiresAt = addMs(now, ctx.settings.leaseMs);

  const claim: Claim = { agentId, expiresAt, holder: ctx.holder ?? null };
  const { task, plan, siblings, started, takenOver } = await ctx.store.write(async (trx) => {
    // Choosing and claiming happen in one IMMEDIATE transaction, so two agents never get the same task.
    const taskId = requested ?? (await nextReadyTaskId(trx, ctx, agentId, now, pick));
    // The task and its dependencies: all a start looks at (the plan's other tasks are not read).
    const { task: current, siblings } = await requireTaskForReadiness(trx, ws, taskId);
    const byId = new Map(siblings.map((t) => [t.id, t]));

    if (isClaimedByOther(current, agentId, now, ctx.holderGone)) {
      throw new OrchestratorError(
        "TASK_CLAIMED",
        `Task ${taskId} is being worked on by ${current.claim!.agentId} until ${current.claim!.expiresAt}. Pick another ready task (orchestrator_get_status), or wait for that lease to expire.`,
        {
          data: { task_id: taskId, claimed_by: current.claim!.agentId, expires_at: current.claim!.expiresAt },
        },
      );
    }
    if (current.status === "active") {
      // The holder asking again renews its lease; anyone else (the claim lapsed, or there was
      // none) takes the task over: a start for them, no transition.
      const plan = await requirePlan(trx, ws, current.planId);
      await trx.updateTask(ws, taskId, { claim, updatedAt: now });
      const task = { ...current, claim, updatedAt: now };
      const previous = current.claim;
      if (previous?.agentId === agentId) return { task, plan, siblings, started: false, takenOver: null };
      const takenOver = previous
        ? { agentId: previous.agentId, why: claimLapse(previous, now, ctx.holderGone) ?? "expired" }
        : null;
      await recordEvent(trx, ws, now, "task_claimed", current.planId, taskId, {
        agentId,
        note: takenOver
          ? `taken over from ${takenOver.agentId} (${takenOver.why === "expired" ? "lease expired" : "its process is gone"})`
          : "taken up (no claim held)",
      });
      return { task, plan, siblings, started: true, takenOver };
    }
    const unmet = unmetDependencies(current, byId);
    if (unmet.length > 0 && current.status !== "completed") {
      const list = unmet.map((d) => `${d.task_id} "${d.title}" (${d.status})`).join(", ");
      throw new OrchestratorError(
        "DEPENDENCIES_UNMET",
        `Task ${taskId} cannot start yet: its dependencies are not completed: ${list}. Execute and complete those first.`,
        { data: { task_id: taskId, unmet } },
      );
    }
    // The plan comes back from the counters' update (its prompt needs the description and context).
    const { status, plan } = await applyTaskAction(trx, ws, current, "start", now, {
      agentId,
      patch: { claim, startedAt: current.startedAt ?? now },
    });
    const task: Task = {
      ...current,
      status,
      claim,
      startedAt: current.startedAt ?? now,
      updatedAt: now,
    };
    return { task, plan, siblings, started: true, takenOver: null };
  });

  const deps = task.dependencies
    .map((id) => siblings.find((t) => t.id === id))
    .filter((t): t is Task => t !== undefined);
  const { role, dependencies, prompt } = await specialistPrompt(ctx, task, plan, deps, { restore: true });
  return { task, plan, role, dependencies, prompt, started, takenOver };
}

/** Narrows which task "the next ready task" may be. */
export interface NextTaskFilter {
  readonly planId?: string | undefined;
  readonly specialistType?: string | undefined;
}

/** Plans asked at once for a ready task (store findReadyTaskIdsOfPlans compiles lists up to 10). */
const READY_BATCH = 10;

/**
 * The first task that can start now for `agentId`: oldest open plan first, then plan order.
 * Throws NO_READY_TASK, saying why nothing is ready, when there is none.
 *
 * Without a role filter the store answers first, in SQL over ten plans at a time
 * (findReadyTaskIdsOfPlans: the rule of readyTasks without reading the plans' other tasks): a
 * team's agents claiming the next task read one row instead of every task of the open plans,
 * which was 17 % of a team-server worker's CPU at 1,000 tasks (docs/performance.md, eleventh
 * round). That rule leaves out a pending task with any live claim, where readyTasks offers one
 * held by `agentId` itself (rare: a pending task keeps no claim); such a task is still offered
 * by the full read below when no other is ready. A role filter, or nothing ready, takes the
 * full read, which also says why nothing is.
 */
async function nextReadyTaskId(
  trx: StoreReader,
  ctx: AppContext,
  agentId: string,
  now: string,
  pick: NextTaskFilter,
): Promise<string> {
  const ws = ctx.project;
  const planIds = await trx.findActivePlanIds(ws, { only: pick.planId, limit: 200 });
  if (!pick.specialistType) {
    for (let i = 0; i < planIds.length; i += READY_BATCH) {
      const batch = planIds.slice(i, i + READY_BATCH);
      const { ids } = await trx.findReadyTaskIdsOfPlans(ws, batch, now, 1);
      for (const id of batch) {
        const first = ids.get(id)?.[0];
        if (first) return first;
      }
    }
  }
  const byPlan = await trx.findTasksOfPlans(ws, planIds);
  let waiting = 0;
  let held = 0;
  // Active tasks nobody holds any more (lease expired, holder disconnected): not offered here,
  // since their work may be half done, but named so the agent can take one over by task_id.
  const lapsed: string[] = [];
  let mine = 0;
  for (const id of planIds) {
    const tasks = byPlan.get(id) ?? [];
    const ready = readyTasks(tasks, { now, agentId }).filter(
      (t) => !pick.specialistType || t.specialistType === pick.specialistType,
    );
    if (ready[0]) return ready[0].id;
    waiting += tasks.filter((t) => t.status === "pending").length;
    for (const t of tasks) {
      if (t.status !== "active") continue;
      if (t.claim && claimLapse(t.claim, now, ctx.holderGone) === null) {
        if (t.claim.agentId === agentId) mine++;
        else held++;
      } else if (!pick.specialistType || t.specialistType === pick.specialistType) lapsed.push(t.id);
    }
  }
  const scope = [
    pick.planId ? `plan ${pick.planId}` : "open plans",
    pick.specialistType ? `role ${pick.specialistType}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  throw new OrchestratorError(
    "NO_READY_TASK",
    `No task can start now (${scope}): ${held} active with other agents,${mine > 0 ? ` ${mine} active with you (complete them),` : ""} ${waiting} pending on dependencies or held.${lapsed.length > 0 ? ` Active but no longer held (lease expired or holder disconnected), to continue by task_id: ${lapsed.slice(0, 10).join(", ")}.` : ""} Check orchestrator_get_status, or wait for the active ones to complete.`,
    { data: { active: held, yours: mine, pending: waiting, unheld_active: lapsed } },
  );
}
