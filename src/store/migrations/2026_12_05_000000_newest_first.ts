import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Lists newest first (query_tasks) read their page in index order instead of sorting it (issue
 * 16, a list of 200):
 * - `tasks_by_created` (workspace, created_at desc, plan_id, position): a list over every live
 *   status is one walk of the newest tasks that stops at the page's end (SQLite: 0.34 → 0.07 ms at
 *   200 tasks, 0.86 → 0.08 ms at 100,000). It never changes after a task's insert, so a state
 *   change writes no page of it.
 * - `tasks_by_status` carries the same order after its status, so each status of a filter comes
 *   in order too, and SQLite's planner (no statistics) keeps choosing it for one status rather
 *   than walking `tasks_by_created` past every task of the others. Replaced, not added beside:
 *   every query on (workspace, status[, created_at]) uses its prefix.
 * Descending because the order is: an ascending index walked backwards gives plan and position
 * descending too, and SQLite's sort of those ties read the whole store in a measured case
 * (15 ms at 100,000 tasks). The price is at insert: a newer task goes to the index's first page,
 * which SQLite splits and leaves half full (a task inserted alone in its own transaction: 70 → 89
 * µs, and the tasks' pages +63 %).
 * Frozen.
 */
export const newestFirst: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's schema types
  async up(db: Kysely<any>): Promise<void> {
    // ifExists / ifNotExists: a file repaired by hand may differ; the end state is the same.
    await db.schema.dropIndex("tasks_by_status").ifExists().execute();
    await db.schema
      .createIndex("tasks_by_status")
      .on("tasks")
      .columns(["workspace", "status", "created_at desc", "plan_id", "position"])
      .execute();
    await db.schema
      .createIndex("tasks_by_created")
      .ifNotExists()
      .on("tasks")
      .columns(["workspace", "created_at desc", "plan_id", "position"])
      .execute();
  },
};
