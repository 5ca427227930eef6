import { OrchestratorError } from "../core/errors.ts";
import type { EventKind } from "../core/event.ts";
import type { Plan, Task, TaskCounts, TaskStatus } from "../core/task.ts";
import { countsShift, derivePlanStatus, nextStatus, type TaskAction } from "../core/transitions.ts";
import type { StoreReader, StoreWriter } from "../store/port.ts";
import type { NewEvent, TaskPatch } from "../store/records.ts";

type Trx = StoreWriter;
type Reader = StoreReader;

/** Loads a task inside a transaction or throws TASK_NOT_FOUND. */
export async function requireTask(trx: Reader, project: string, id: string): Promise<Task> {
  const task = await trx.findTask(project, id);
  if (!task) {
    throw new OrchestratorError(
      "TASK_NOT_FOUND",
      `Task ${id} does not exist in project ${project}. List tasks with orchestrator_get_status; if the task was created elsewhere, pass that project's working_directory.`,
      { data: { task_id: id, project } },
    );
  }
  return task;
}

/** Loads a task and every task of its plan (the task included, with dependencies) or throws TASK_NOT_FOUND. */
export async function requireTaskWithSiblings(
  trx: Reader,
  workspace: string,
  id: string,
): Promise<{ task: Task; siblings: Task[] }> {
  const planId = await trx.findTaskPlanId(workspace, id);
  const siblings = planId ? await trx.findPlanTasks(workspace, planId) : [];
  const task = siblings.find((t) => t.id === id);
  if (!task) return { task: await requireTask(trx, workspace, id), siblings };
  return { task, siblings };
}

/**
 * Loads a task and the siblings that decide whether it may start or complete (store
 * `findTaskForReadiness`): its dependencies. Enough for `unmetDependencies(task, …)` to answer
 * exactly as over the whole plan, without reading the plan's other tasks. Throws TASK_NOT_FOUND.
 */
export async function requireTaskForReadiness(
  trx: Reader,
  workspace: string,
  id: string,
): Promise<{ task: Task; siblings: Task[] }> {
  return (
    (await trx.findTaskForReadiness(workspace, id)) ?? {
      task: await requireTask(trx, workspace, id),
      siblings: [],
    }
  );
}

/** Loads a plan or throws PLAN_NOT_FOUND. */
export async function requirePlan(db: StoreReader, project: string, id: string): Promise<Plan> {
  const plan = await db.findPlan(project, id);
  if (!plan) throw planNotFound(project, id);
  return plan;
}

function planNotFound(project: string, id: string): OrchestratorError {
  return new OrchestratorError(
    "PLAN_NOT_FOUND",
    `Plan ${id} does not exist in project ${project}. List plans with orchestrator_get_status; plan ids look like task_1a2b3c4d.`,
    { data: { parent_task_id: id, project } },
  );
}

/**
 * Applies one state-machine action to a task: checks it against the transition table, writes the
 * new status with `patch`, appends the history event and brings the plan's counters and status up
 * to date, all in the caller's transaction. Returns the new status and the updated plan (throws
 * PLAN_NOT_FOUND when the task's plan is gone).
 */
export async function applyTaskAction(
  trx: Trx,
  workspace: string,
  task: Task,
  action: TaskAction,
  at: string,
  opts: {
    agentId?: string | null;
    note?: string | null;
    patch?: TaskPatch;
    /** Events to record just before the status change's own, in the same statement. */
    before?: readonly NewEvent[];
  } = {},
): Promise<{ status: TaskStatus; plan: Plan }> {
  const to = nextStatus(task.id, task.status, action, task.archivedFrom);
  const patch: TaskPatch = { ...opts.patch, status: to, updatedAt: at };
  if (to === "archived") patch.archivedFrom = task.status;
  if (action === "restore") patch.archivedFrom = null;
  await trx.updateTask(workspace, task.id, patch);
  await trx.appendEvents(workspace, [
    ...(opts.before ?? []),
    {
      at,
      kind: "task_status_changed",
      planId: task.planId,
      taskId: task.id,
      action,
      from: task.status,
      to,
      agentId: opts.agentId ?? null,
      note: opts.note ?? null,
    },
  ]);
  const plan = await shiftPlan(trx, workspace, task.planId, countsShift(task.status, to), at);
  return { status: to, plan };
}

/**
 * Adds one known change to a plan's counters (store `shiftPlanCounts`, no recount) and derives its
 * status from the counts that returns, as refreshPlan does from a recount; the rare status change
 * is a second update and a plan event. Throws PLAN_NOT_FOUND.
 */
async function shiftPlan(
  trx: Trx,
  workspace: string,
  planId: string,
  delta: TaskCounts,
  at: string,
): Promise<Plan> {
  const plan = await trx.shiftPlanCounts(workspace, planId, delta, at);
  if (!plan) throw planNotFound(workspace, planId);
  const status = derivePlanStatus(plan.status, plan.counts);
  const completedAt = status === "completed" ? (plan.completedAt ?? at) : null;
  if (status === plan.status && completedAt === plan.completedAt) return plan;
  await trx.updatePlan(workspace, planId, { status, completedAt });
  if (status !== plan.status) {
    await recordEvent(trx, workspace, at, "plan_status_changed", planId, null, {
      from: plan.status,
      to: status,
    });
  }
  return { ...plan, status, completedAt };
}

/** Appends one history event. */
export async function recordEvent(
  trx: Trx,
  workspace: string,
  at: string,
  kind: EventKind,
  planId: string,
  taskId: string | null,
  e: {
    action?: TaskAction | null;
    from?: string | null;
    to?: string | null;
    agentId?: string | null;
    note?: string | null;
  } = {},
): Promise<void> {
  await trx.appendEvents(workspace, [{ at, kind, planId, taskId, ...e }]);
}

/**
 * Recounts a plan's tasks (index-only, proportional to the plan's size, not the store's) and
 * derives its status; records a plan event when the status changes. For writes that change tasks
 * other than by one known transition (new tasks, deletes, imports, repairs); applyTaskAction adds
 * its one change to the counters instead.
 */
export async function refreshPlan(
  trx: Trx,
  workspace: string,
  planId: string,
  at: string,
  known?: Plan,
): Promise<Plan> {
  const plan = known ?? (await requirePlan(trx, workspace, planId));
  const counts = await trx.countPlanTasks(workspace, planId);
  const status = derivePlanStatus(plan.status, counts);
  const completedAt = status === "completed" ? (plan.completedAt ?? at) : null;
  await trx.updatePlan(workspace, planId, { counts, status, updatedAt: at, completedAt });
  if (status !== plan.status) {
    await recordEvent(trx, workspace, at, "plan_status_changed", planId, null, {
      from: plan.status,
      to: status,
    });
  }
  return { ...plan, counts, status, updatedAt: at, completedAt };
}

/** Sets a plan's own status (cancel, archive, restore) and records the change. */
export async function setPlanStatus(
  trx: Trx,
  workspace: string,
  plan: Plan,
  status: Plan["status"],
  at: string,
  note?: string,
): Promise<void> {
  if (plan.status === status) return;
  await trx.updatePlan(workspace, plan.id, { status, updatedAt: at });
  await recordEvent(trx, workspace, at, "plan_status_changed", plan.id, null, {
    from: plan.status,
    to: status,
    note: note ?? null,
  });
}
