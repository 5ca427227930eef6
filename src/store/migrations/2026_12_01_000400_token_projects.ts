import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";

/**
 * The projects a bearer token is limited to: a JSON array of project ids, NULL for every project
 * of the database (all tokens created before this). A column rather than a side table: the list
 * is read with the token on every request and never queried on its own. Frozen.
 */
export const tokenProjects: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's schema types
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable("tokens").addColumn("projects", "text").execute();
  },
};
