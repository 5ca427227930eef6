import { OrchestratorError } from "../../core/errors.ts";
import type { PgLocation } from "./url.ts";

/** SQLSTATE and errno of a pg error (or of its causes), lower-level details left out. */
function codesOf(e: unknown): { sqlstate?: string; errno?: string; message: string } {
  for (let x: unknown = e, i = 0; x && i < 5; x = nextOf(x), i++) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === "string") {
      const message = x instanceof Error ? x.message : String(x);
      return /^[0-9A-Z]{5}$/.test(code) ? { sqlstate: code, message } : { errno: code, message };
    }
  }
  return { message: e instanceof Error ? e.message : String(e) };
}

/** The error beneath `x`: its cause, or the first of an AggregateError (every address refused). */
function nextOf(x: unknown): unknown {
  if (x instanceof AggregateError) return x.errors[0];
  return (x as { cause?: unknown }).cause;
}

/** 40001 serialization_failure, 40P01 deadlock_detected: the transaction may simply run again. */
export function isRetryableConflict(e: unknown): boolean {
  const { sqlstate } = codesOf(e);
  return sqlstate === "40001" || sqlstate === "40P01";
}

const LOST_STATES = new Set(["57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004"]);
const LOST_ERRNOS = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
const LOST_TEXT =
  /Connection terminated|connection error and is not queryable|Client was closed|timeout exceeded when trying to connect/i;

function where(loc: PgLocation): string {
  return `${loc.host}:${loc.port} (database ${loc.database}, user ${loc.user})`;
}

function data(loc: PgLocation, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { host: loc.host, port: loc.port, database: loc.database, user: loc.user, ...extra };
}

/**
 * Which failure an open error is (`data.reason` of its STORE_UNAVAILABLE): doctor turns each into
 * its own fix.
 */
export type PgOpenFailure =
  | "no_database"
  | "login"
  | "no_role"
  | "tls_required"
  | "tls_unsupported"
  | "certificate"
  | "host_not_found"
  | "refused"
  | "timeout"
  | "starting";

/**
 * The named error for a failure while opening the store (the first connection and migrations):
 * what went wrong, where (never the password) and the fix. Undefined when the failure is none of
 * the known ones.
 */
export function pgOpenErrorOf(
  e: unknown,
  loc: PgLocation,
  opts: { readonly passwordGiven: boolean; readonly connectTimeoutMs: number },
): OrchestratorError | undefined {
  if (e instanceof OrchestratorError) return e;
  const { sqlstate, errno, message } = codesOf(e);
  const at = where(loc);
  const fail = (reason: PgOpenFailure, msg: string, extra: Record<string, unknown> = {}) =>
    new OrchestratorError("STORE_UNAVAILABLE", msg, { cause: e, data: data(loc, { reason, ...extra }) });
  if (sqlstate === "3D000") {
    return fail(
      "no_database",
      `PostgreSQL at ${at}: the database ${loc.database} does not exist. Create it: createdb -h ${loc.host} -p ${loc.port} -U ${loc.user} ${loc.database}`,
    );
  }
  if (sqlstate === "28000" && /role .* does not exist/i.test(message)) {
    return fail(
      "no_role",
      `PostgreSQL at ${at}: the role ${loc.user} does not exist. Create it: createuser -h ${loc.host} -p ${loc.port} -U postgres --pwprompt ${loc.user}`,
    );
  }
  // pg refuses to start SCRAM without a password (none in the URL, PGPASSWORD or ~/.pgpass).
  const noPassword = /client password must be a string/i.test(message);
  if (
    noPassword ||
    sqlstate === "28P01" ||
    (sqlstate === "28000" && !/SSL off|no encryption/i.test(message))
  ) {
    const hint =
      opts.passwordGiven && !noPassword
        ? "the password in the URL was refused; check it (URL-encode special characters, e.g. @ as %40)"
        : "the URL has no password and neither PGPASSWORD nor ~/.pgpass gave an accepted one; put it in the URL (postgres://user:password@host/db) or PGPASSWORD";
    return fail("login", `PostgreSQL at ${at} refused the login: ${hint}. Server said: ${message}`);
  }
  if (sqlstate === "28000") {
    return fail(
      "tls_required",
      `PostgreSQL at ${at} accepts only encrypted connections. Add ?sslmode=require to the URL (or verify-full with a trusted certificate).`,
    );
  }
  if (/does not support SSL/i.test(message)) {
    return fail(
      "tls_unsupported",
      `PostgreSQL at ${at} does not offer TLS, but the URL asks for it. Use ?sslmode=disable or prefer, or enable ssl on the server.`,
    );
  }
  if (/self[- ]signed|unable to verify|certificate|Hostname\/IP does not match/i.test(message)) {
    return fail(
      "certificate",
      `PostgreSQL at ${at}: its TLS certificate was not accepted (${message}). Trust its CA (NODE_EXTRA_CA_CERTS=<ca.pem>), or use ?sslmode=require to encrypt without verifying.`,
    );
  }
  if (errno === "ENOTFOUND" || errno === "EAI_AGAIN") {
    return fail(
      "host_not_found",
      `PostgreSQL host ${loc.host} was not found (DNS). Check the host name in the URL.`,
    );
  }
  if (errno === "ECONNREFUSED") {
    return fail(
      "refused",
      `Cannot connect to PostgreSQL at ${at}: connection refused. Start the server, or check the host and port (pg_isready -h ${loc.host} -p ${loc.port}).`,
      { retryable: true },
    );
  }
  if (/timeout/i.test(message) || errno === "ETIMEDOUT") {
    return fail(
      "timeout",
      `PostgreSQL at ${at} did not answer within ${opts.connectTimeoutMs} ms. Check that the host is reachable and the server up (pg_isready -h ${loc.host} -p ${loc.port}), or raise ?connect_timeout= (ms).`,
      { retryable: true },
    );
  }
  if (sqlstate === "57P03") {
    return fail("starting", `PostgreSQL at ${at} is starting up or shutting down; call again in a moment.`, {
      retryable: true,
    });
  }
  return undefined;
}

/**
 * The named error for a failure during a call: a lost connection (STORE_CONNECTION_LOST), a
 * statement timeout (STORE_TIMEOUT), a full disk, text PostgreSQL cannot hold (INVALID_INPUT);
 * every other error is returned as it is.
 */
export function pgCallErrorOf(e: unknown, loc: PgLocation, statementTimeoutMs: number): unknown {
  if (e instanceof OrchestratorError) return e;
  const { sqlstate, errno, message } = codesOf(e);
  if (
    (sqlstate && LOST_STATES.has(sqlstate)) ||
    (errno && LOST_ERRNOS.has(errno)) ||
    (!sqlstate && LOST_TEXT.test(message))
  ) {
    return new OrchestratorError(
      "STORE_CONNECTION_LOST",
      `Lost the connection to PostgreSQL at ${where(loc)} (${message}); a write in flight may or may not have been stored. Call again: the store reconnects by itself.`,
      { cause: e, data: data(loc, { retryable: true }) },
    );
  }
  if (sqlstate === "57014" && /statement timeout/i.test(message)) {
    return new OrchestratorError(
      "STORE_TIMEOUT",
      `A statement on PostgreSQL at ${where(loc)} ran past the ${statementTimeoutMs} ms statement_timeout and was cancelled; nothing of this call was stored.`,
      { cause: e, data: data(loc, { timeout_ms: statementTimeoutMs, retryable: true }) },
    );
  }
  if (sqlstate === "53100") {
    return new OrchestratorError(
      "DISK_FULL",
      `The disk of the PostgreSQL server at ${where(loc)} is full; nothing of this call was stored. Free space on the server, then call again.`,
      { cause: e, data: data(loc) },
    );
  }
  // 22021: PostgreSQL text cannot hold U+0000 (SQLite's can), so such a value is the caller's to
  // change, not an internal failure; the transaction rolled back whole.
  if (sqlstate === "22021") {
    const nul = /0x00/.test(message);
    return new OrchestratorError(
      "INVALID_INPUT",
      nul
        ? "The text contains the NUL character (U+0000), which a PostgreSQL store cannot hold; nothing of this call was stored. Remove NUL characters (or encode binary content, e.g. base64) and call again."
        : `PostgreSQL at ${where(loc)} cannot store this text (${message}); nothing of this call was stored. Remove the character it names and call again.`,
      { cause: e, data: { dialect: "postgres", sqlstate } },
    );
  }
  return e;
}
