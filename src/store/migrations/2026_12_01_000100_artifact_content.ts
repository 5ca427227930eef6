import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * An artifact's text lives in its row (issue 13: readable from every machine sharing the store);
 * the file under artifacts/ becomes a local copy. Rows written before keep `content` null and are
 * read from their file as before. Plain "text" so the same migration runs on PostgreSQL. Frozen.
 */
export const artifactContent: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's schema types
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable("artifacts").addColumn("content", "text").execute();
  },
};
