import type { EventKind, HistoryEvent } from "../core/event.ts";
import type { Claim, Complexity, PlanStatus, Task, TaskCounts, TaskStatus } from "../core/task.ts";
import type { TokenInfo } from "../core/token.ts";
import type { TaskAction } from "../core/transitions.ts";

/*
 * The domain-typed shapes use-cases hand to the store and get back, beside the domain objects of
 * src/core. camelCase only: each dialect maps them to its own rows, so no column name leaves the store.
 */

/** A plan to insert; its counters start at zero (refreshPlan sets them). */
export interface NewPlan {
  readonly id: string;
  readonly description: string;
  readonly complexity: Complexity | string;
  readonly context: string | null;
  readonly status: PlanStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What a write may change on a plan. */
export interface PlanPatch {
  readonly status?: PlanStatus;
  readonly counts?: TaskCounts;
  readonly updatedAt?: string;
  readonly completedAt?: string | null;
}

/** A task to insert, with its dependencies (ids of sibling tasks, in order). */
export interface NewTask
  extends Pick<
    Task,
    | "id"
    | "planId"
    | "position"
    | "title"
    | "description"
    | "specialistType"
    | "estimatedEffort"
    | "status"
    | "dependencies"
    | "createdAt"
    | "updatedAt"
  > {
  readonly summary?: string | null;
  readonly statusNote?: string | null;
  readonly completedAt?: string | null;
}

/**
 * What a write may change on a task. `claim` sets or clears the whole claim (holder included), so
 * a claim never carries the holder process of an earlier one.
 */
export interface TaskPatch {
  title?: string;
  description?: string;
  specialistType?: string;
  estimatedEffort?: string;
  status?: TaskStatus;
  archivedFrom?: TaskStatus | null;
  summary?: string | null;
  statusNote?: string | null;
  claim?: Claim | null;
  updatedAt?: string;
  startedAt?: string | null;
  completedAt?: string | null;
}

/** One history event to append. */
export interface NewEvent {
  readonly at: string;
  readonly kind: EventKind;
  readonly planId: string;
  readonly taskId: string | null;
  readonly action?: TaskAction | null;
  readonly from?: string | null;
  readonly to?: string | null;
  readonly agentId?: string | null;
  readonly note?: string | null;
}

/** A write call's stored answer (request_id idempotency). */
export interface StoredRequest {
  readonly tool: string;
  readonly requestId: string;
  /** sha256 of the call's arguments. */
  readonly fingerprint: string;
  /** The use-case's result as JSON. */
  readonly result: string;
  readonly createdAt: string;
}

/** query_tasks' filters, already checked (times as ISO). */
export interface TaskSearch {
  /** Statuses to include; empty means every status but archived. */
  readonly status: readonly TaskStatus[];
  readonly specialistType: readonly string[];
  readonly planId?: string | undefined;
  /** Case-insensitive substring of title, description or summary. */
  readonly text?: string | undefined;
  /** Inclusive. */
  readonly createdAfter?: string | undefined;
  /** Exclusive. */
  readonly createdBefore?: string | undefined;
  readonly limit: number;
  readonly offset: number;
}

/** A task scan_cleanup looks at (stale, lease expired, or left open in a closed plan), with its plan's status. */
export interface CleanupCandidate {
  readonly task: Task;
  readonly planStatus: PlanStatus;
}

/** A dependency edge whose target task does not exist. */
export interface DanglingDependency {
  readonly planId: string;
  readonly taskId: string;
  readonly dependsOn: string;
}

/**
 * The ids of every row of a workspace, read without the id checks of the mappers, so that
 * validate_structure can find the rows they refuse (STORE_ROW_INVALID).
 */
export interface RawRowIds {
  readonly plans: readonly { readonly id: string }[];
  readonly tasks: readonly { readonly id: string; readonly planId: string }[];
  readonly artifacts: readonly {
    readonly id: string;
    readonly taskId: string;
    readonly planId: string;
    readonly path: string;
  }[];
  readonly dependencies: readonly { readonly taskId: string; readonly dependsOn: string }[];
}

/** One row to remove, by key (a plan's tasks and artifacts go with it). */
export type RowRef =
  | { readonly table: "plans" | "tasks" | "artifacts"; readonly id: string }
  | { readonly table: "task_dependencies"; readonly taskId: string; readonly dependsOn: string };

/** A plan's stored counters, read without the id check (validate_structure compares them to a recount). */
export interface PlanCounters {
  readonly id: string;
  readonly counts: TaskCounts;
}

/** One machine and folder a project was written from (the `projects` table). */
export interface ProjectCheckout {
  readonly project: string;
  readonly host: string;
  readonly path: string;
  readonly source: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

/** Rows of one store key, per table. */
export interface KeyRowCounts {
  readonly plans: number;
  readonly tasks: number;
  readonly dependencies: number;
  readonly artifacts: number;
  readonly events: number;
}

/** Ids held under both an old key and a new one (a few of each), which a re-key would mix. */
export interface KeyClashes {
  readonly plans: readonly string[];
  readonly tasks: readonly string[];
  readonly artifacts: readonly string[];
}

/** A token row as the store keeps it: what `token list` shows plus the digest of the secret. */
export interface StoredToken extends TokenInfo {
  /** sha256 hex of the token string. */
  readonly hash: string;
}

/** One history event with its project and the titles of its plan and task (the dashboard's timeline). */
export interface ActivityRecord {
  readonly project: string;
  readonly event: HistoryEvent;
  /** Null when the plan (or task) row is gone: deleted since, or never there. */
  readonly planTitle: string | null;
  readonly taskTitle: string | null;
}

/** A task that carries a claim, with its project: the dashboard's agents view. */
export interface HeldClaim {
  readonly project: string;
  readonly planId: string;
  readonly taskId: string;
  readonly title: string;
  readonly status: TaskStatus;
  readonly claim: Claim;
}

/** A task an agent completed (a history event to `completed` naming the agent). */
export interface CompletionRecord {
  readonly project: string;
  readonly planId: string;
  readonly taskId: string;
  readonly title: string | null;
  readonly agentId: string;
  readonly at: string;
}

/** Which projects a cross-project read covers: every one in the database (null) or these. */
export type ProjectFilter = readonly string[] | null;
