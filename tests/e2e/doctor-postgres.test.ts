import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DoctorReportSchema } from "../../src/doctor/report.ts";
import { startEmbeddedPostgres } from "../helpers/_embedded-postgres.ts";
import { BINARY } from "../helpers/client.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { makeProject } from "../helpers/temp.ts";

// `doctor --db <postgres url>` through the compiled binary (issue 13, item 6): what a healthy
// database reports, and the fix doctor gives for each way a connection fails.
let database: TestDatabase;
let project: { dir: string; cleanup: () => void };
let home: { dir: string; cleanup: () => void };
beforeAll(async () => {
  database = await createTestDatabase();
  project = makeProject("orch-e2e-pgdoctor-");
  home = makeProject("orch-e2e-pgdoctor-home-");
  mkdirSync(join(project.dir, ".task_orchestrator"));
  writeFileSync(
    join(project.dir, ".task_orchestrator", "settings.yaml"),
    "project: example.com/team/doctor\n",
  );
}, 60_000);
afterAll(async () => {
  project.cleanup();
  home.cleanup();
  await database.drop();
});

function doctor(url: string, extraEnv: Record<string, string> = {}) {
  const r = spawnSync(BINARY, ["doctor", "--json", "--client", "cursor", "--db", url], {
    cwd: project.dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: home.dir, NO_COLOR: "1", ...extraEnv },
  });
  const report = r.stdout ? DoctorReportSchema.parse(JSON.parse(r.stdout)) : undefined;
  const check = (id: string) => {
    const c = report?.checks.find((k) => k.id === id);
    if (!c) throw new Error(`no check ${id} in ${r.stdout}${r.stderr}`);
    return c;
  };
  return { ...r, report, check };
}

/** `url` with its password replaced (or removed when `password` is empty). */
function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

describe("doctor --db postgres://", () => {
  test("a healthy database: reachable, version, schema, latency, pool, TLS, clock, project and store", () => {
    const fresh = doctor(database.url);
    expect(fresh.check("data.database").status).toBe("ok");
    // A new database has no tables: doctor says so and creates none.
    expect(fresh.check("data.schema").status).toBe("warn");
    expect(fresh.check("data.schema").detail).toContain("pending");
    expect(doctor(database.url).check("data.schema").status).toBe("warn");

    const migrate = spawnSync(BINARY, ["status", "--db", database.url], {
      cwd: project.dir,
      encoding: "utf8",
    });
    expect(migrate.status).toBe(0);

    const { status, stdout, report, check } = doctor(`${database.url}?pool_max=4&statement_timeout=5000`);
    expect(report?.checks.filter((c) => c.area === "data" && c.status !== "ok")).toEqual([]);
    expect(status).toBe(0);
    expect(check("data.database").detail).toContain(database.name);
    expect(check("data.server_version").detail).toMatch(/^\d+\.\d+.*15 or newer is supported/);
    expect(check("data.schema").detail).toContain("(current");
    expect(check("data.latency").detail).toMatch(/median [\d.]+ ms over 5 'select 1' round trips/);
    expect(check("data.pool").detail).toContain(
      "pool_max 4, statement_timeout 5000 ms, connect_timeout 10000 ms",
    );
    expect(check("data.tls").detail).toContain("is this machine");
    expect(check("data.clock").detail).toContain("leases use the database's clock");
    const projectLine = check("data.project").detail;
    expect(projectLine).toContain("example.com/team/doctor");
    expect(projectLine).toContain(`this machine: ${project.dir}`);
    expect(projectLine).toContain(`store: postgres postgres://`);
    const password = new URL(database.url).password;
    if (password) expect(stdout).not.toContain(password);
  }, 60_000);

  test("a missing database: the createdb command", () => {
    const url = new URL(database.url);
    url.pathname = "/orch_doctor_missing_db";
    const { status, check } = doctor(url.toString());
    expect(status).toBe(1);
    const c = check("data.database");
    expect(c.status).toBe("fail");
    expect(c.detail).toContain("orch_doctor_missing_db does not exist");
    expect(c.fix).toContain(`createdb -h ${url.hostname} -p ${url.port || 5432} -U ${url.username}`);
    expect(c.fix).toContain("orch_doctor_missing_db");
  });

  test("a refused port: is the server running, pg_isready", () => {
    const { status, check } = doctor("postgres://me:s3cret-pw@127.0.0.1:1/teamdb");
    expect(status).toBe(1);
    const c = check("data.database");
    expect(c.status).toBe("fail");
    expect(c.detail).toContain("connection refused");
    expect(c.fix).toContain("pg_isready -h 127.0.0.1 -p 1");
    expect(JSON.stringify(c)).not.toContain("s3cret-pw");
  });

  test("a URL of another scheme is a usage error (exit 2), one line, no password", () => {
    const r = doctor("mysql://me:s3cret-pw@127.0.0.1/db");
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("postgres://");
    expect(r.stderr).not.toContain("s3cret-pw");
  });

  // The shared development server uses trust authentication, whose config is not ours to edit:
  // a private embedded server (scram-sha-256, a random password) makes the login real.
  describe("on a server with password authentication", () => {
    let admin = "";
    beforeAll(async () => {
      admin = (await startEmbeddedPostgres()).url;
    }, 90_000);

    test("a wrong password: where to put the right one (URL, PGPASSWORD, ~/.pgpass), neither shown", () => {
      const real = new URL(admin).password;
      const { status, stdout, stderr, check } = doctor(withPassword(admin, "wrong-pw-123"));
      expect(status).toBe(1);
      const c = check("data.database");
      expect(c.status).toBe("fail");
      expect(c.detail).toContain("refused the login");
      expect(c.fix).toContain("PGPASSWORD");
      expect(c.fix).toContain("~/.pgpass");
      expect(c.fix).toContain("postgres://postgres:<password>@127.0.0.1:");
      expect(stdout + stderr).not.toContain("wrong-pw-123");
      expect(stdout + stderr).not.toContain(real);
    });

    test("the fix works: no password in the URL, the right one in PGPASSWORD or ~/.pgpass (none anywhere fails at once, no hang)", () => {
      const real = new URL(admin).password;
      const bare = doctor(withPassword(admin, ""));
      expect(bare.check("data.database").status).toBe("fail");
      expect(bare.check("data.database").detail).toContain("the URL has no password");
      const fixed = doctor(withPassword(admin, ""), { PGPASSWORD: real });
      expect(fixed.check("data.database").status).toBe("ok");
      expect(fixed.stdout).not.toContain(real);
      const port = new URL(admin).port;
      const pgpass = join(home.dir, ".pgpass");
      writeFileSync(pgpass, `127.0.0.1:${port}:postgres:postgres:${real}\n`, { mode: 0o600 });
      try {
        expect(doctor(withPassword(admin, "")).check("data.database").status).toBe("ok");
      } finally {
        rmSync(pgpass);
      }
    });
  });
});
