import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * The results of write calls that carried a request_id, so a retry returns the first answer
 * instead of writing again. Pruned after a day. Frozen.
 */
export const requestResults: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's schema types
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable("request_results")
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("tool", "text", (c) => c.notNull())
      .addColumn("request_id", "text", (c) => c.notNull())
      .addColumn("fingerprint", "text", (c) => c.notNull())
      .addColumn("result", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("request_results_pk", ["workspace", "tool", "request_id"])
      .execute();
    await db.schema
      .createIndex("request_results_by_age")
      .on("request_results")
      .column("created_at")
      .execute();
  },
};
