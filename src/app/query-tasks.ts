import { OrchestratorError } from "../core/errors.ts";
import type { Task, TaskStatus } from "../core/task.ts";
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

export interface TaskQueryResult {
  readonly tasks: readonly Task[];
  /** How many tasks match, ignoring limit and offset. */
  readonly total: number;
  readonly hasMore: boolean;
}

/** Tasks matching every given filter, newest first, with the total count for paging. */
export async function queryTasks(ctx: AppContext, q: TaskQuery): Promise<TaskQueryResult> {
  const after = q.createdAfter === undefined ? undefined : isoTime(q.createdAfter, "created_after");
  const before = q.createdBefore === undefined ? undefined : isoTime(q.createdBefore, "created_before");
  const { tasks, total } = await ctx.store.read((db) =>
    db.searchTasks(ctx.project, {
      status: q.status ?? [],
      specialistType: q.specialistType ?? [],
      planId: q.planId,
      text: q.text,
      createdAfter: after,
      createdBefore: before,
      limit: q.limit,
      offset: q.offset,
    }),
  );
  return { tasks, total, hasMore: q.offset + tasks.length < total };
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
