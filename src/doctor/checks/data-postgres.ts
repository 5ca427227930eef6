import { isOrchestratorError } from "../../core/errors.ts";
import type { PostgresInspection } from "../../store/postgres/inspect.ts";
import { type Finding, fail, ok, warn } from "../report.ts";

/** The oldest major version the orchestrator is tested on (CI and the embedded test server run 15). */
export const SUPPORTED_MAJOR = 15;
/** A median round trip above this makes every call slow: a write makes 5 to 10 of them. */
export const SLOW_ROUND_TRIP_MS = 20;
/** A clock offset above this is worth knowing about (see the clock finding). */
export const CLOCK_OFFSET_MS = 2000;

/**
 * The database checks for a PostgreSQL `--db`: reachable, server version, schema, round-trip
 * latency, pool settings, TLS and the server's clock. Nothing is migrated or written. A failure to
 * connect is one finding whose fix is the one for that failure (data.reason of the error).
 */
export async function checkPostgresDatabase(url: string): Promise<{ findings: Finding[]; current: boolean }> {
  const { inspectPostgres } = await import("../../store/postgres/inspect.ts");
  let found: PostgresInspection;
  try {
    found = await inspectPostgres(url);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      findings: [fail("data", "data.database", "Database", message, fixFor(e))],
      current: false,
    };
  }
  return {
    findings: postgresFindings(found),
    current: found.missing.length === 0 && found.unknown.length === 0,
  };
}

/** The findings of a successful inspection (pure: unit-testable with any figures). */
export function postgresFindings(found: PostgresInspection): Finding[] {
  const o = found.options;
  const out: Finding[] = [
    ok("data", "data.database", "Database", `${found.where} reachable (PostgreSQL at ${o.host}:${o.port})`),
  ];
  const major = Math.floor(found.serverVersionNum / 10000);
  out.push(
    major >= SUPPORTED_MAJOR
      ? ok(
          "data",
          "data.server_version",
          "PostgreSQL version",
          `${found.serverVersion} (${SUPPORTED_MAJOR} or newer is supported)`,
        )
      : warn(
          "data",
          "data.server_version",
          "PostgreSQL version",
          `${found.serverVersion}: older than ${SUPPORTED_MAJOR}, which is the oldest version the orchestrator is tested on`,
          `Upgrade the server to PostgreSQL ${SUPPORTED_MAJOR} or newer (pg_upgrade, or pg_dump into a new server).`,
        ),
  );
  out.push(schemaFinding(found));
  const { median, samples } = found.latencyMs;
  const trips = `median ${median} ms over ${samples.length} 'select 1' round trips (${samples.join(", ")} ms)`;
  out.push(
    median <= SLOW_ROUND_TRIP_MS
      ? ok("data", "data.latency", "Round trip", trips)
      : warn(
          "data",
          "data.latency",
          "Round trip",
          `${trips}: every tool call makes several round trips (a write 5 to 10), so each call takes ${Math.round(median * 5)}-${Math.round(median * 10)} ms or more`,
          "Run the database near the agents (same region or network), or check for a saturated link or an overloaded server.",
        ),
  );
  out.push(poolFinding(found));
  out.push(tlsFinding(found));
  if (found.clock) out.push(clockFinding(found.clock));
  return out;
}

function schemaFinding(found: PostgresInspection): Finding {
  if (found.unknown.length > 0) {
    return fail(
      "data",
      "data.schema",
      "Schema version",
      `migrated by a newer orchestrator (${found.unknown.join(", ")})`,
      "Upgrade this binary to the version that wrote the database; every server sharing it must run that version or newer.",
    );
  }
  if (found.missing.length > 0) {
    return warn(
      "data",
      "data.schema",
      "Schema version",
      `${found.applied.at(-1) ?? "empty (no tables yet)"}; ${found.missing.length} migration(s) pending: ${found.missing.join(", ")}`,
      "The next 'orchestrator serve' (or status) on this database applies them; start one, or run 'orchestrator status --db <url>' once.",
    );
  }
  return ok(
    "data",
    "data.schema",
    "Schema version",
    `${found.applied.at(-1)} (current, ${found.applied.length} applied)`,
  );
}

function poolFinding(found: PostgresInspection): Finding {
  const o = found.options;
  const detail = `pool_max ${o.poolMax}, statement_timeout ${o.statementTimeoutMs} ms, connect_timeout ${o.connectTimeoutMs} ms (per server process; the server allows ${found.maxConnections} connections)`;
  if (o.statementTimeoutMs === 0) {
    return warn(
      "data",
      "data.pool",
      "Pool settings",
      `${detail}; statement_timeout=0 turns the timeout off, so a stuck statement holds the write lock of every server`,
      "Remove statement_timeout=0 from the URL (default 30000 ms).",
    );
  }
  if (found.maxConnections > 0 && o.poolMax >= found.maxConnections) {
    return warn(
      "data",
      "data.pool",
      "Pool settings",
      `${detail}; one server process may take every connection the server has`,
      `Lower ?pool_max= so that pool_max × the number of servers stays under max_connections (${found.maxConnections}).`,
    );
  }
  return ok("data", "data.pool", "Pool settings", detail);
}

/** Loopback and Unix-socket hosts: traffic that never leaves this machine. */
function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host) || host.startsWith("/");
}

function tlsFinding(found: PostgresInspection): Finding {
  const { host, sslmode } = found.options;
  if (found.tls === true) {
    return ok(
      "data",
      "data.tls",
      "TLS",
      `encrypted (sslmode=${sslmode}${sslmode === "require" ? ": the certificate is not verified" : ""})`,
    );
  }
  const state = found.tls === false ? "not encrypted" : "unknown (pg_stat_ssl unreadable)";
  if (isLoopback(host))
    return ok("data", "data.tls", "TLS", `${state} (sslmode=${sslmode}; ${host} is this machine)`);
  return warn(
    "data",
    "data.tls",
    "TLS",
    `${state} (sslmode=${sslmode}) to ${host}, which is not this machine: the password and every plan cross the network in clear`,
    "Add ?sslmode=verify-full to the URL (with the server's CA trusted: NODE_EXTRA_CA_CERTS=ca.pem), or ?sslmode=require to encrypt without checking the certificate; the server needs ssl=on.",
  );
}

function clockFinding(clock: { offsetMs: number; rttMs: number }): Finding {
  const secs = (clock.offsetMs / 1000).toFixed(1);
  const detail = `the server's clock is ${clock.offsetMs >= 0 ? "+" : ""}${secs} s from this machine's (±${Math.round(clock.rttMs / 2)} ms)`;
  if (Math.abs(clock.offsetMs) <= CLOCK_OFFSET_MS) {
    return ok("data", "data.clock", "Server clock", `${detail}; leases use the database's clock`);
  }
  return warn(
    "data",
    "data.clock",
    "Server clock",
    `${detail}. Claims and leases use the database's clock, so they stay correct across machines, but times in reports differ from this machine's clock and its logs`,
    "Synchronise the clocks with NTP on this machine and the database server (timedatectl status; chronyc tracking).",
  );
}

/** The fix for a failure to inspect, by its reason (store/postgres/errors.ts). */
function fixFor(e: unknown): string {
  if (isOrchestratorError(e, "USAGE"))
    return "Correct the URL: postgres://user[:password]@host[:port]/database[?sslmode=require].";
  const d = (isOrchestratorError(e) ? e.data : undefined) as
    | { reason?: string; host?: string; port?: number; database?: string; user?: string }
    | undefined;
  const at = `-h ${d?.host ?? "<host>"} -p ${d?.port ?? 5432}`;
  switch (d?.reason) {
    case "login":
      return `Give the right password: in the URL (postgres://${d.user}:<password>@${d.host}:${d.port}/${d.database}, URL-encoded), or PGPASSWORD in the environment (the client's server entry: env), or a line ${d.host}:${d.port}:${d.database}:${d.user}:<password> in ~/.pgpass (chmod 600). Check the role exists: psql ${at} -U postgres -c '\\du ${d.user}'.`;
    case "no_role":
      return `Create the role (as an admin): createuser ${at} -U postgres --pwprompt ${d.user}, then GRANT it the database (docs/postgres.md), or fix the user name in the URL.`;
    case "no_database":
      return `Create it: createdb ${at} -U ${d.user} ${d.database} (the first orchestrator server to open it creates the tables).`;
    case "tls_required":
      return "The server accepts only TLS: add ?sslmode=require to the URL (or verify-full with its CA trusted).";
    case "tls_unsupported":
      return "The server offers no TLS: use ?sslmode=disable (on a trusted network) or enable ssl on the server.";
    case "certificate":
      return "Trust the server's CA (NODE_EXTRA_CA_CERTS=/path/ca.pem in the environment), or use ?sslmode=require to encrypt without verifying.";
    case "host_not_found":
      return `The host name does not resolve: check it in the URL (getent hosts ${d.host}).`;
    case "refused":
      return `Nothing listens there: is the server running? pg_isready ${at}; check the port, and listen_addresses in postgresql.conf for a remote host.`;
    case "timeout":
      return `No answer: pg_isready ${at}; check a firewall or VPN between here and the server, or raise ?connect_timeout= (ms).`;
    case "starting":
      return "The server is starting or stopping: run doctor again in a moment.";
    default:
      return "Follow the advice in the message (start the server, create the database, fix the password or sslmode).";
  }
}
