import { Kysely, PostgresDialect } from "kysely";
import { OrchestratorError } from "../../core/errors.ts";
import type { Database } from "../database.ts";
import { appliedMigrations } from "../health.ts";
import { MIGRATIONS } from "../migrations/index.ts";
import { pgOpenErrorOf } from "./errors.ts";
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
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({
    host: opts.host,
    port: opts.port,
    database: opts.database,
    user: opts.user,
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    ssl: opts.ssl === false ? false : { rejectUnauthorized: opts.ssl.rejectUnauthorized },
    max: 1,
    connectionTimeoutMillis: opts.connectTimeoutMs,
    statement_timeout: opts.statementTimeoutMs,
    application_name: opts.applicationName,
  });
  pool.on("error", () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
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
