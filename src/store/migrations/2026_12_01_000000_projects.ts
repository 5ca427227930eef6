import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Where each project (the portable store key, core/project-id.ts) has been seen: one row per
 * machine and folder, so `status` and `doctor` show the checkouts sharing a key. Dialect-neutral
 * types only (it runs on SQLite and PostgreSQL). Frozen.
 */
export const projects: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's schema types
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable("projects")
      .addColumn("project", "text", (c) => c.notNull())
      .addColumn("host", "text", (c) => c.notNull())
      .addColumn("path", "text", (c) => c.notNull())
      .addColumn("source", "text", (c) => c.notNull())
      .addColumn("first_seen", "text", (c) => c.notNull())
      .addColumn("last_seen", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("projects_pk", ["project", "host", "path"])
      .execute();
  },
};
