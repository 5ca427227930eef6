import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * A task's history is read through its plan's events: `events_by_task` (workspace, task_id, seq)
 * goes, and `events_by_plan` carries `task_id` after `seq`. Task ids are random, so every event
 * written landed on a different leaf page of `events_by_task`, one more page in the WAL per event
 * (1.5 per state change); the plan's index is appended to at its end, so a commit group's events
 * share its pages (in-process, 8 in flight, three interleaved pairs: +11 to +21 % state changes/s,
 * issue 16). A task's history (get_task, the dashboard's task view) walks its plan's events
 * newest first in the index alone, fetching only its own rows. Frozen.
 */
export const eventsByPlanTask: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's schema types
  async up(db: Kysely<any>): Promise<void> {
    // ifExists: a file copied or repaired by hand may lack either; the end state is the same.
    await db.schema.dropIndex("events_by_task").ifExists().execute();
    await db.schema.dropIndex("events_by_plan").ifExists().execute();
    await db.schema
      .createIndex("events_by_plan")
      .on("events")
      .columns(["workspace", "plan_id", "seq", "task_id"])
      .execute();
  },
};
