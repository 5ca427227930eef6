import { OrchestratorError } from "../../core/errors.ts";
import { appliedMigrations } from "../health.ts";
import { MIGRATIONS } from "../migrations/index.ts";
import { pgOpenErrorOf } from "./errors.ts";
import { openPool } from "./pool.ts";
import { parsePostgresUrl } from "./url.ts";

/** What doctor reports about a PostgreSQL store, read without migrating or changing it. */
export interface PostgresInspection {
  /** The URL without its password. */
  readonly where: string;
  readonly serverVersion: string;
  readonly applied: readonly string[];
  readonly unknown: readonly string[];
  readonly missing: readonly string[];
}

/**
 * Connects once (one connection, the URL's timeouts) and reads the server version and the applied
 * migrations. Throws USAGE for a malformed URL and the named STORE_UNAVAILABLE (host, port,
 * database, fix) when the server cannot be reached or refuses.
 */
export async function inspectPostgres(url: string): Promise<PostgresInspection> {
  const opts = parsePostgresUrl(url);
  const db = await openPool(opts, 1);
  try {
    const version = await db
      .selectNoFrom((eb) => eb.fn<string>("current_setting", [eb.val("server_version")]).as("v"))
      .executeTakeFirstOrThrow();
    const applied = await appliedMigrations(db);
    const known = Object.keys(MIGRATIONS).sort();
    return {
      where: opts.redacted,
      serverVersion: version.v,
      applied,
      unknown: applied.filter((m) => !known.includes(m)),
      missing: known.filter((m) => !applied.includes(m)),
    };
  } catch (e) {
    throw (
      pgOpenErrorOf(e, opts, {
        passwordGiven: opts.password !== undefined,
        connectTimeoutMs: opts.connectTimeoutMs,
      }) ??
      new OrchestratorError(
        "STORE_UNAVAILABLE",
        `Cannot read PostgreSQL at ${opts.host}:${opts.port} (database ${opts.database}): ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      )
    );
  } finally {
    await db.destroy().catch(() => {});
  }
}
