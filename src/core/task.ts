import { z } from "zod";

export const TASK_STATUSES = [
  "pending",
  "active",
  "blocked",
  "completed",
  "failed",
  "cancelled",
  "archived",
] as const;
export const TaskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

export const PLAN_STATUSES = ["active", "completed", "cancelled", "archived"] as const;
export const PlanStatusSchema = z.enum(PLAN_STATUSES);
export type PlanStatus = z.infer<typeof PlanStatusSchema>;

export const COMPLEXITY_LEVELS = ["simple", "moderate", "complex", "very_complex"] as const;
export const ComplexitySchema = z.enum(COMPLEXITY_LEVELS);
export type Complexity = z.infer<typeof ComplexitySchema>;

export const ARTIFACT_TYPES = [
  "code",
  "documentation",
  "analysis",
  "design",
  "test",
  "config",
  "general",
] as const;
export const ArtifactTypeSchema = z.enum(ARTIFACT_TYPES);
export type ArtifactType = z.infer<typeof ArtifactTypeSchema>;

export const NEXT_ACTIONS = ["continue", "needs_revision", "blocked", "complete"] as const;
export const NextActionSchema = z.enum(NEXT_ACTIONS);
export type NextAction = z.infer<typeof NextActionSchema>;

/**
 * The process whose life is the holder's client connection (the supervisor, or the server when
 * unsupervised), on which host: once it is gone the claim stops blocking (docs/guides/concepts.md).
 */
export interface ClaimHolder {
  readonly host: string;
  readonly pid: number;
}

/** Who holds a task and until when (ISO time); `holder` is unknown for claims made before it was recorded. */
export interface Claim {
  readonly agentId: string;
  readonly expiresAt: string;
  readonly holder?: ClaimHolder | null;
}

/** What names a task: enough to address it and its artifacts, without its state. */
export type TaskHeader = Pick<Task, "id" | "planId" | "title">;
/** What a brief task list shows: no text beyond the title, no dependencies. */
export type TaskBrief = Pick<Task, "id" | "planId" | "title" | "status">;

/** A task as a list of what to start next shows it. */
export type TaskRef = Pick<Task, "id" | "title" | "specialistType">;

/** A subtask of a plan, as the domain sees it. */
export interface Task {
  readonly id: string;
  readonly planId: string;
  readonly position: number;
  readonly title: string;
  readonly description: string;
  readonly specialistType: string;
  readonly estimatedEffort: string;
  readonly status: TaskStatus;
  /** Status before archiving, so a restore returns there. */
  readonly archivedFrom: TaskStatus | null;
  readonly summary: string | null;
  /** Why the task is blocked, failed, sent back for revision or cancelled. */
  readonly statusNote: string | null;
  readonly dependencies: readonly string[];
  readonly claim: Claim | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
}

/** Per-status task counts of one plan (archived tasks are not counted). */
export interface TaskCounts {
  readonly pending: number;
  readonly active: number;
  readonly blocked: number;
  readonly completed: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly total: number;
}

/** A plan: the parent task that groups the subtasks of one job. */
export interface Plan {
  readonly id: string;
  readonly description: string;
  readonly complexity: Complexity;
  readonly context: string | null;
  readonly status: PlanStatus;
  readonly counts: TaskCounts;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly completedAt: string | null;
}

/** Statuses that count as "done" for a dependency: its dependents may start. */
export const DEPENDENCY_SATISFIED: ReadonlySet<TaskStatus> = new Set(["completed", "cancelled"]);

export const EMPTY_COUNTS: TaskCounts = {
  pending: 0,
  active: 0,
  blocked: 0,
  completed: 0,
  failed: 0,
  cancelled: 0,
  total: 0,
};

/** Counts tasks from (status, how many) pairs, leaving archived ones out. */
export function countTasks(groups: Iterable<readonly [TaskStatus, number]>): TaskCounts {
  const c = { ...EMPTY_COUNTS };
  for (const [s, n] of groups) {
    if (s === "archived") continue;
    c[s] += n;
    c.total += n;
  }
  return c;
}
