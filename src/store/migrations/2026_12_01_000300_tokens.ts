import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Bearer tokens of `serve --http` (per database, not per workspace: the team server serves a
 * whole database). Dialect-neutral types only, ISO text times. Frozen.
 */
export const tokens: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's schema types
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable("tokens")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("last_used_at", "text")
      .addColumn("expires_at", "text")
      .addColumn("revoked_at", "text")
      .execute();
  },
};
