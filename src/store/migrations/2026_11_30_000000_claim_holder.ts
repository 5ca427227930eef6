import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * Records which process holds each claim (host + pid of the client connection's process), so a
 * claim whose holder is gone stops blocking a restarted client. Frozen.
 */
export const claimHolder: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's schema types
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable("tasks").addColumn("claim_host", "text").execute();
    await db.schema.alterTable("tasks").addColumn("claim_pid", "integer").execute();
  },
};
