import { type Kysely, PostgresAdapter } from "kysely";

/** The two SQL dialects the store speaks. */
export type Dialect = "sqlite" | "postgres";

/**
 * Which dialect a Kysely handle (or transaction) talks, read from its adapter, so the few places
 * where SQL must differ (migrations' identity column, case-insensitive search) ask the handle
 * they already have instead of being told. Kysely's PostgresAdapter lives in kysely itself: this
 * check loads no driver.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations hold Kysely<any>; repositories a typed handle
export function dialectOf(db: Kysely<any>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}
