import { type ExpressionBuilder, sql } from "kysely";
import { OrchestratorError } from "../core/errors.ts";
import type { Task, TaskStatus } from "../core/task.ts";
import type { Database } from "../store/database.ts";
import { findDependencies, taskRowToTask } from "../store/repositories/tasks.repository.ts";
import { readTx } from "../store/transactions.ts";
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
  const where = (eb: ExpressionBuilder<Database, "tasks">) => {
    const all = [eb("workspace", "=", ctx.workspace)];
    if (q.status && q.status.length > 0) all.push(eb("status", "in", [...q.status]));
    else all.push(eb("status", "!=", "archived"));
    if (q.specialistType && q.specialistType.length > 0)
      all.push(eb("specialist_type", "in", [...q.specialistType]));
    if (q.planId) all.push(eb("plan_id", "=", q.planId));
    if (after) all.push(eb("created_at", ">=", after));
    if (before) all.push(eb("created_at", "<", before));
    if (q.text && q.text.trim() !== "") {
      // LIKE with our own escape character, so % and _ in the search text match themselves.
      const pattern = `%${q.text.trim().replaceAll("\\", "\\\\").replaceAll("%", "\\%").replaceAll("_", "\\_")}%`;
      all.push(
        eb.or([
          sql<boolean>`title like ${pattern} escape '\\'`,
          sql<boolean>`description like ${pattern} escape '\\'`,
          sql<boolean>`coalesce(summary, '') like ${pattern} escape '\\'`,
        ]),
      );
    }
    return eb.and(all);
  };
  return readTx(ctx.store.db, async (db) => {
    const counted = await db
      .selectFrom("tasks")
      .select(db.fn.countAll<number>().as("n"))
      .where(where)
      .executeTakeFirstOrThrow();
    const rows = await db
      .selectFrom("tasks")
      .selectAll()
      .where(where)
      .orderBy("created_at", "desc")
      .orderBy("plan_id")
      .orderBy("position")
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    const deps = await findDependencies(
      db,
      ctx.workspace,
      rows.map((r) => r.id),
    );
    const total = Number(counted.n);
    return {
      tasks: rows.map((r) => taskRowToTask(r, deps.get(r.id) ?? [])),
      total,
      hasMore: q.offset + rows.length < total,
    };
  });
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
