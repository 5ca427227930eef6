import {
  type Claim,
  type ClaimHolder,
  DEPENDENCY_SATISFIED,
  type Task,
  type TaskCounts,
  type TaskStatus,
} from "./task.ts";

/** A dependency that keeps a task from starting. */
export interface UnmetDependency {
  readonly task_id: string;
  readonly title: string;
  readonly status: TaskStatus;
}

/** The dependencies of `task` that are not yet completed (or cancelled), looked up in `siblings`. */
export function unmetDependencies(task: Task, siblings: ReadonlyMap<string, Task>): UnmetDependency[] {
  const unmet: UnmetDependency[] = [];
  for (const id of task.dependencies) {
    const dep = siblings.get(id);
    if (!dep) {
      // A dangling dependency (its task was hard-deleted) can never be satisfied.
      unmet.push({ task_id: id, title: "(missing task)", status: "archived" });
    } else if (!DEPENDENCY_SATISFIED.has(dep.status)) {
      unmet.push({ task_id: dep.id, title: dep.title, status: dep.status });
    }
  }
  return unmet;
}

/** True when the process holding a claim is known to be gone (an adapter checks; core cannot). */
export type HolderGone = (holder: ClaimHolder) => boolean;

/** Why a claim no longer blocks anyone, or null while it does. */
export function claimLapse(
  claim: Claim,
  now: string,
  gone: HolderGone = () => false,
): "expired" | "holder_gone" | null {
  if (claim.expiresAt <= now) return "expired";
  if (claim.holder && gone(claim.holder)) return "holder_gone";
  return null;
}

/**
 * True when a claim is held by someone other than `agentId` and still blocks at `now`: not
 * expired, and its holder's process not known to be gone.
 */
export function isClaimedByOther(
  task: Task,
  agentId: string | null,
  now: string,
  gone: HolderGone = () => false,
): boolean {
  return task.claim !== null && task.claim.agentId !== agentId && claimLapse(task.claim, now, gone) === null;
}

/**
 * The tasks that can be started now: pending, every dependency satisfied, not claimed by another
 * live agent. Dependents of `justCompleted` come first (the natural next step), then plan order.
 */
export function readyTasks(
  tasks: readonly Task[],
  opts: { now: string; agentId?: string | null; justCompleted?: string } = { now: "" },
): Task[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const ready = tasks.filter(
    (t) =>
      t.status === "pending" &&
      unmetDependencies(t, byId).length === 0 &&
      !isClaimedByOther(t, opts.agentId ?? null, opts.now),
  );
  const first = opts.justCompleted;
  if (first === undefined) return ready.sort((a, b) => a.position - b.position);
  const rank = (t: Task): number => (t.dependencies.includes(first) ? 0 : 1);
  return ready.sort((a, b) => rank(a) - rank(b) || a.position - b.position);
}

/** Plan progress as reported to clients: completed of total (archived excluded). */
export interface Progress {
  readonly completed: number;
  readonly total: number;
  readonly percentage: number;
}

/** Progress from counts; cancelled tasks are left out of the total, since nobody will do them. */
export function progressOf(counts: TaskCounts): Progress {
  const total = counts.total - counts.cancelled;
  const percentage = total === 0 ? 0 : Math.round((counts.completed / total) * 1000) / 10;
  return { completed: counts.completed, total, percentage };
}
