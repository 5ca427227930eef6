import { Migrator } from "kysely/migration";
import { OrchestratorError } from "../../core/errors.ts";
import type { Db } from "../database.ts";
import { appliedMigrations } from "../health.ts";
import { migrationProvider, unknownMigrations } from "../migrations/index.ts";
import type { StorePort } from "../port.ts";
import { ServerClock } from "./clock.ts";
import { pgOpenErrorOf } from "./errors.ts";
import { postgresStore } from "./pg-store.ts";
import { openPool } from "./pool.ts";
import { parsePostgresUrl } from "./url.ts";

/**
 * Opens the PostgreSQL database at `url` (postgres:// or postgresql://) and migrates it to the
 * latest schema. The driver (pg) is loaded on first use (pool.ts), so SQLite users never load it.
 * Throws USAGE for a malformed URL, STORE_UNAVAILABLE naming host, port, database and the fix when
 * the server cannot be reached or refuses, STORE_TOO_NEW when a newer binary migrated it.
 * Several servers opening one new database at once are safe: Kysely's migrator holds a
 * PostgreSQL advisory lock while it migrates, and the others then find nothing to do.
 */
export async function openPostgresStore(url: string): Promise<StorePort & { readonly db: Db }> {
  const opts = parsePostgresUrl(url);
  const { db, stats } = await openPool(opts);
  const fail = async (e: unknown, what: string): Promise<never> => {
    await db.destroy().catch(() => {});
    const named = pgOpenErrorOf(e, opts, {
      passwordGiven: opts.password !== undefined,
      connectTimeoutMs: opts.connectTimeoutMs,
    });
    if (named) throw named;
    throw new OrchestratorError(
      "STORE_UNAVAILABLE",
      `${what} PostgreSQL at ${opts.host}:${opts.port} (database ${opts.database}): ${e instanceof Error ? e.message : String(e)}`,
      { cause: e, data: { host: opts.host, port: opts.port, database: opts.database } },
    );
  };

  let clock: ServerClock;
  try {
    clock = await ServerClock.start(db);
  } catch (e) {
    return fail(e, "Cannot open");
  }
  const migrator = new Migrator({ db, provider: migrationProvider });
  try {
    const unknown = unknownMigrations(await appliedMigrations(db));
    if (unknown.length > 0) {
      throw new OrchestratorError(
        "STORE_TOO_NEW",
        `The database ${opts.redacted} has migrations this orchestrator does not know (${unknown.join(", ")}); it was written by a newer version.`,
        { data: { path: opts.redacted } },
      );
    }
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
      throw new OrchestratorError(
        "STORE_UNAVAILABLE",
        `Migrating ${opts.redacted} failed at ${failed}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error, data: { path: opts.redacted, migration: failed } },
      );
    }
  } catch (e) {
    clock.stop();
    return fail(e, "Cannot migrate");
  }
  const now = await migrator.getMigrations();
  return postgresStore(db, {
    options: opts,
    migrations: now.filter((m) => m.executedAt).map((m) => m.name),
    clock,
    poolStats: stats,
    close: async () => {
      clock.stop();
      await db.destroy();
    },
  });
}
