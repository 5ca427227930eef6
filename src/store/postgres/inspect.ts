import { sql } from "kysely";
import { OrchestratorError } from "../../core/errors.ts";
import type { Db } from "../database.ts";
import { appliedMigrations } from "../health.ts";
import { MIGRATIONS } from "../migrations/index.ts";
import { measureClockOffset } from "./clock.ts";
import { pgOpenErrorOf } from "./errors.ts";
import { openPool } from "./pool.ts";
import { type PgOptions, parsePostgresUrl } from "./url.ts";

/** Round trips timed for the latency figure (after the connection's first queries warmed it). */
const LATENCY_SAMPLES = 5;

/** What doctor reports about a PostgreSQL store, read without migrating or changing it. */
export interface PostgresInspection {
  /** The URL without its password. */
  readonly where: string;
  /** The URL's parsed options (host, port, database, user, sslmode, pool settings); the password stays inside. */
  readonly options: Omit<PgOptions, "password">;
  readonly serverVersion: string;
  /** `server_version_num`, e.g. 150020 for 15.20. */
  readonly serverVersionNum: number;
  readonly maxConnections: number;
  readonly applied: readonly string[];
  readonly unknown: readonly string[];
  readonly missing: readonly string[];
  /** Median of LATENCY_SAMPLES `select 1` round trips, and each of them, in ms. */
  readonly latencyMs: { readonly median: number; readonly samples: readonly number[] };
  /** Whether this connection is encrypted (pg_stat_ssl); undefined when the server would not say. */
  readonly tls: boolean | undefined;
  /** The server's clock minus this machine's, in ms, and the round trip it was measured over. */
  readonly clock: { readonly offsetMs: number; readonly rttMs: number } | undefined;
}

/**
 * Connects once (one connection, the URL's timeouts) and reads the server version, settings,
 * applied migrations, round-trip latency, TLS state and clock offset. Throws USAGE for a malformed
 * URL and the named STORE_UNAVAILABLE (host, port, database, `data.reason`, fix) when the server
 * cannot be reached or refuses.
 */
export async function inspectPostgres(url: string): Promise<PostgresInspection> {
  const opts = parsePostgresUrl(url);
  const { db } = await openPool(opts, 1);
  try {
    const settings = await sql<{
      v: string;
      n: string;
      mc: string;
    }>`select current_setting('server_version') as v,
      current_setting('server_version_num') as n, current_setting('max_connections') as mc`.execute(db);
    const row = settings.rows[0];
    const applied = await appliedMigrations(db);
    const known = Object.keys(MIGRATIONS).sort();
    const samples: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const t0 = performance.now();
      await sql`select 1`.execute(db);
      samples.push(Math.round((performance.now() - t0) * 100) / 100);
    }
    const { password: _hidden, ...shown } = opts;
    return {
      where: opts.redacted,
      options: shown,
      serverVersion: row?.v ?? "unknown",
      serverVersionNum: Number(row?.n ?? 0),
      maxConnections: Number(row?.mc ?? 0),
      applied,
      unknown: applied.filter((m) => !known.includes(m)),
      missing: known.filter((m) => !applied.includes(m)),
      latencyMs: { median: median(samples), samples },
      tls: await tlsInUse(opts, db),
      clock: await measureClockOffset(db),
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

/** pg_stat_ssl's word on this very connection; the URL's own choice when the view cannot be read. */
async function tlsInUse(opts: PgOptions, db: Db): Promise<boolean | undefined> {
  try {
    const r = await sql<{ ssl: boolean }>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`.execute(
      db,
    );
    const ssl = r.rows[0]?.ssl;
    return typeof ssl === "boolean" ? ssl : opts.ssl !== false;
  } catch {
    return undefined;
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
