import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * `tasks_by_plan_status` gains `position`, so a plan's ready query (pending tasks of one plan in
 * position order, the first few) starts at the plan's first pending task instead of walking every
 * task of the plan through `tasks_by_plan` and reading each row for its status: the completed
 * tasks of a plan in progress cost a row read each on every get_status that is not kept, and on
 * every completion's look for what became ready (issue 16). Replaced, not added beside: queries on
 * (workspace, plan_id, status) use its prefix, so writes keep the same number of indexes.
 * Frozen.
 */
export const readyOrder: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's schema types
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.dropIndex("tasks_by_plan_status").execute();
    await db.schema
      .createIndex("tasks_by_plan_status")
      .on("tasks")
      .columns(["workspace", "plan_id", "status", "position"])
      .execute();
  },
};
