import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import { dialectOf } from "../dialect.ts";

/**
 * A task's dependencies are read back in the order they were given. SQLite kept that order in
 * its rowid, which PostgreSQL does not have: `position` (the index in the task's list) holds it
 * in both. Existing SQLite rows take their rowid, which keeps each task's edges in the same
 * relative order. Frozen.
 */
export const dependencyOrder: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's schema types
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .alterTable("task_dependencies")
      .addColumn("position", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    if (dialectOf(db) === "sqlite") await sql`update task_dependencies set position = rowid`.execute(db);
  },
};
