import { OrchestratorError } from "../core/errors.ts";
import type { Task, TaskBrief, TaskStatus } from "../core/task.ts";
import type { TaskSearch } from "../store/records.ts";
import type { AppContext } from "./context.ts";

export interface TaskQuery {
  /** Statuses to include; by default every status but archived. */
  readonly status?: readonly TaskStatus[] | undefined;
  readonly specialistType?: readonly string[] | undefined;
  readonly planId?: string | undefined;
  /** Case-insensitive substring of title, description or summary. */
  readonly text?: string | undefined;
  /** ISO date or date-time; inclusive. */
  readonly createdAfter?: string | undefined;
  /** ISO date or date-time; exclusive. */
  readonly createdBefore?: string | undefined;
  readonly limit: number;
  readonly offset: number;
}

export interface TaskQueryResult<T = Task> {
  readonly tasks: readonly T[];
  /** How many tasks match, ignoring limit and offset. */
  readonly total: number;
  readonly hasMore: boolean;
}

/** Tasks matching every given filter, newest first, with the total count for paging. */
export async function queryTasks(ctx: AppContext, q: TaskQuery): Promise<TaskQueryResult> {
  const search = taskSearch(q);
  const { tasks, total } = await ctx.store.read((db) => db.searchTasks(ctx.project, search));
  return { tasks, total, hasMore: q.offset + tasks.length < total };
}

/** `queryTasks` read only as far as a brief list shows each task (id, plan, title, status). */
export async function queryTaskBriefs(ctx: AppContext, q: TaskQuery): Promise<TaskQueryResult<TaskBrief>> {
  const search = taskSearch(q);
  const { tasks, total } = await ctx.store.read((db) => db.searchTaskBriefs(ctx.project, search));
  return { tasks, total, hasMore: q.offset + tasks.length < total };
}

/** The store's search for `q`, its dates checked and made canonical first. */
function taskSearch(q: TaskQuery): TaskSearch {
  return {
    status: q.status ?? [],
    specialistType: q.specialistType ?? [],
    planId: q.planId,
    text: q.text,
    createdAfter: q.createdAfter === undefined ? undefined : isoTime(q.createdAfter, "created_after"),
    createdBefore: q.createdBefore === undefined ? undefined : isoTime(q.createdBefore, "created_before"),
    limit: q.limit,
    offset: q.offset,
  };
}

function isoTime(value: string, field: string): string {
  const t = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(t)) {
    throw new OrchestratorError(
      "INVALID_INPUT",
      `${field} must be an ISO date or date-time such as 2026-11-24 or 2026-11-24T10:00:00Z, got '${value}'.`,
      {
        data: { field, value },
      },
    );
  }
  return new Date(t).toISOString();
}
