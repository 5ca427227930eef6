import { OrchestratorError } from "./errors.ts";
import { EMPTY_COUNTS, type PlanStatus, type TaskCounts, type TaskStatus } from "./task.ts";

/**
 * The one task state machine. Every status change in the product names one of these actions;
 * the table says which statuses it may start from and where it leads. `restore` returns an
 * archived task to the status it had before archiving.
 */
export const TASK_TRANSITIONS = {
  start: { from: ["pending", "blocked", "failed"], to: "active" },
  complete: { from: ["pending", "active", "blocked"], to: "completed" },
  request_revision: { from: ["pending", "active", "blocked", "completed"], to: "pending" },
  block: { from: ["pending", "active"], to: "blocked" },
  fail: { from: ["pending", "active", "blocked"], to: "failed" },
  release: { from: ["active"], to: "pending" },
  cancel: { from: ["pending", "active", "blocked", "failed"], to: "cancelled" },
  reopen: { from: ["completed", "cancelled", "failed"], to: "pending" },
  archive: { from: ["pending", "active", "blocked", "completed", "failed", "cancelled"], to: "archived" },
  restore: { from: ["archived"], to: "previous" },
} as const satisfies Record<string, { from: readonly TaskStatus[]; to: TaskStatus | "previous" }>;

export type TaskAction = keyof typeof TASK_TRANSITIONS;

/** True when `action` may be applied to a task in `status`. */
export function canTransition(status: TaskStatus, action: TaskAction): boolean {
  return (TASK_TRANSITIONS[action].from as readonly TaskStatus[]).includes(status);
}

/**
 * The status a task moves to under `action`, or TRANSITION_NOT_ALLOWED naming the allowed
 * starting statuses. `archivedFrom` is needed only by `restore`.
 */
export function nextStatus(
  taskId: string,
  status: TaskStatus,
  action: TaskAction,
  archivedFrom: TaskStatus | null = null,
): TaskStatus {
  const rule = TASK_TRANSITIONS[action];
  if (!canTransition(status, action)) {
    throw new OrchestratorError(
      "TRANSITION_NOT_ALLOWED",
      `Cannot ${action.replace("_", " ")} task ${taskId}: it is ${status}; this is allowed only from ${rule.from.join(", ")}.`,
      { data: { task_id: taskId, status, action, allowed_from: rule.from } },
    );
  }
  if (rule.to === "previous") return archivedFrom ?? "pending";
  return rule.to;
}

/**
 * A plan's status follows from its tasks: completed once no task is left to do and at least one
 * was completed; active while any task is pending, active, blocked or failed. Cancelled and
 * archived plans stay so until restored explicitly.
 */
export function derivePlanStatus(current: PlanStatus, counts: TaskCounts): PlanStatus {
  if (current === "cancelled" || current === "archived") return current;
  const open = counts.pending + counts.active + counts.blocked + counts.failed;
  return open === 0 && counts.completed > 0 ? "completed" : "active";
}

/**
 * What one task moving from `from` to `to` adds to its plan's counters (archived tasks are not
 * counted, not even in `total`): the write path adds it to the stored counters in the UPDATE
 * itself instead of recounting the plan's tasks, which stays exact with concurrent writers.
 */
export function countsShift(from: TaskStatus, to: TaskStatus): TaskCounts {
  const d = { ...EMPTY_COUNTS };
  if (from !== "archived") {
    d[from] -= 1;
    d.total -= 1;
  }
  if (to !== "archived") {
    d[to] += 1;
    d.total += 1;
  }
  return d;
}
