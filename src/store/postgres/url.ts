import { OrchestratorError } from "../../core/errors.ts";

/** True when `target` names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/**
 * True when `target` has a URL scheme (`mysql://`, `postgres://`, ...): it is then parsed as a
 * database URL (and refused by name when not PostgreSQL), never taken for a file name.
 */
export function isDatabaseUrl(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(target);
}

/** Where a PostgreSQL store is, without its password: for messages and reports. */
export interface PgLocation {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
}

/** Everything opening a PostgreSQL store needs, parsed from its URL. */
export interface PgOptions extends PgLocation {
  /** The URL with the password removed (StorePort.path). */
  readonly redacted: string;
  readonly password: string | undefined;
  readonly ssl: false | { readonly rejectUnauthorized: boolean; readonly checkHost: boolean };
  readonly sslmode: SslMode;
  readonly poolMax: number;
  readonly statementTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly applicationName: string;
}

const SSL_MODES = ["disable", "prefer", "require", "verify-ca", "verify-full"] as const;
type SslMode = (typeof SSL_MODES)[number];

/**
 * The query parameters the URL may carry (docs/postgres.md): read here and turned into pg's
 * options. Anything else is refused rather than silently ignored.
 */
const OURS = ["sslmode", "pool_max", "statement_timeout", "connect_timeout", "application_name"];

/**
 * Parses a `postgres://` / `postgresql://` URL. Throws USAGE (exit 2) naming what is wrong, with
 * the password never in the message: an unparseable URL, another scheme, no database name, or an
 * option out of range.
 */
export function parsePostgresUrl(input: string): PgOptions {
  const shown = redactUrl(input);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw usage(`${shown} is not a valid URL; write postgres://user[:password]@host[:port]/database`);
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw usage(`${shown}: the scheme must be postgres:// or postgresql://, not ${url.protocol}//`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (database === "" || database.includes("/")) {
    throw usage(`${shown} names no database; write postgres://user@host:5432/<database>`);
  }
  const params = url.searchParams;
  const rawMode = params.get("sslmode") ?? "prefer";
  if (!(SSL_MODES as readonly string[]).includes(rawMode)) {
    throw usage(`${shown}: sslmode=${rawMode} is not one of ${SSL_MODES.join(", ")}`);
  }
  const sslmode = rawMode as SslMode;
  const unknown = [...params.keys()].filter((k) => !OURS.includes(k));
  if (unknown.length > 0) {
    throw usage(`${shown}: unknown parameter ${unknown.join(", ")}; the URL takes ${OURS.join(", ")}`);
  }
  const user = decodeURIComponent(url.username) || "postgres";
  return {
    host: url.hostname.replace(/^\[|\]$/g, "") || "localhost",
    port: url.port ? Number(url.port) : 5432,
    database,
    user,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    redacted: shown,
    sslmode,
    ssl: sslConfig(sslmode),
    poolMax: intParam(params, "pool_max", 10, 1, 1000, shown),
    statementTimeoutMs: intParam(params, "statement_timeout", 30_000, 0, 86_400_000, shown),
    connectTimeoutMs: intParam(params, "connect_timeout", 10_000, 100, 600_000, shown),
    applicationName: params.get("application_name") ?? "orchestrator",
  };
}

/**
 * libpq's modes mapped to node's TLS options. `prefer` starts without TLS (pg cannot fall back
 * from TLS to plain on one connection); a server that demands TLS then answers with a clear error
 * that names `?sslmode=require`. `require` encrypts without checking the certificate, as libpq.
 */
function sslConfig(mode: SslMode): PgOptions["ssl"] {
  switch (mode) {
    case "disable":
    case "prefer":
      return false;
    case "require":
      return { rejectUnauthorized: false, checkHost: false };
    case "verify-ca":
      return { rejectUnauthorized: true, checkHost: false };
    case "verify-full":
      return { rejectUnauthorized: true, checkHost: true };
  }
}

function intParam(
  params: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
  shown: string,
): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw usage(`${shown}: ${name}=${raw} must be a whole number from ${min} to ${max}`);
  }
  return n;
}

/** `url` with any password replaced by ***: safe for messages, logs and reports. */
export function redactUrl(url: string): string {
  // Textual, so it also works on a string URL() cannot parse.
  // Greedy up to the last @ of the authority, so a password holding a raw @ is hidden whole.
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^/?#]*@/i, "$1:***@");
}

function usage(message: string): OrchestratorError {
  return new OrchestratorError("USAGE", `--db ${message}.`);
}
