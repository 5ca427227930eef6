import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { BINARY, call, callOk, connectBinary, textOf } from "../helpers/client.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { makeProject } from "../helpers/temp.ts";

// The compiled binary on a real PostgreSQL database (issue 13): serve --db <url> over stdio,
// the CLI reading the same database, and the errors a wrong URL or server gives.
let database: TestDatabase;
let project: { dir: string; cleanup: () => void };
beforeAll(async () => {
  database = await createTestDatabase();
  project = makeProject("orch-e2e-pg-");
});
afterAll(async () => {
  project.cleanup();
  await database.drop();
});

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(BINARY, args, {
    cwd: project.dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
  });
}

describe("compiled binary on PostgreSQL", () => {
  test("two servers share one plan: plan, claim without double work, complete, status", async () => {
    const a = await connectBinary({ cwd: project.dir, args: ["--db", database.url], clientName: "agent-a" });
    const b = await connectBinary({
      cwd: project.dir,
      env: { ORCHESTRATOR_DB: database.url },
      clientName: "agent-b",
    });
    try {
      const plan = await callOk(a.client, "orchestrator_plan_task", {
        description: "shared",
        subtasks: [
          ...Array.from({ length: 8 }, (_, i) => ({ title: `t${i}`, specialist_type: "implementer" })),
          { title: "last", specialist_type: "reviewer", dependencies: ["t0", "t1"] },
        ],
      });
      const got: string[][] = [[], []];
      await Promise.all(
        [a, b].map(async ({ client }, i) => {
          for (;;) {
            const r = await call(client, "orchestrator_execute_subtask", {});
            if (r.isError) {
              expect(textOf(r)).toContain("NO_READY_TASK");
              return;
            }
            const id = (r.structuredContent as { task_id: string }).task_id;
            got[i]?.push(id);
            await callOk(client, "orchestrator_complete_subtask", {
              task_id: id,
              summary: `done by ${i}`,
              detailed_work: `work ${id}`,
            });
          }
        }),
      );
      const all = got.flat();
      expect(all).toHaveLength(9);
      expect(new Set(all).size).toBe(9);

      const status = await callOk(b.client, "orchestrator_get_status", {
        parent_task_id: plan.parent_task_id,
        include_completed: true,
      });
      expect(status.plans[0].status).toBe("completed");
      // health_check names the dialect, the server's version and the pool (issue 13, item 6).
      const health = await callOk(a.client, "orchestrator_health_check", {});
      expect(health.database).toMatchObject({ dialect: "postgres", reachable: true, quick_check: "ok" });
      expect(health.database.path).toContain(database.name);
      const pg = health.database.postgres;
      expect(pg.server_version).toMatch(/^\d+\.\d+/);
      expect(pg.pool.max).toBe(10);
      expect(pg.pool.size).toBeGreaterThanOrEqual(1);
      expect(pg.pool.size).toBeLessThanOrEqual(10);
      expect(pg.pool.idle).toBeLessThanOrEqual(pg.pool.size);
      expect(pg.pool.waiting).toBe(0);
      const password = new URL(database.url).password;
      if (password) expect(JSON.stringify(health)).not.toContain(password);
      expect(a.stderr() + b.stderr()).not.toContain("internal error");
    } finally {
      await a.close();
      await b.close();
    }
    const cli = run(["status", "--all", "--json", "--db", database.url]);
    expect(cli.status).toBe(0);
    const shown = JSON.parse(cli.stdout);
    expect(JSON.stringify(shown)).toContain("shared");
    // The project id, this machine's path and the store (dialect, URL without its password).
    const redacted = database.url.replace(/:[^:@/]*@/, ":***@");
    const withPassword = new URL(database.url).password !== "";
    expect(shown.project).toMatchObject({ path: project.dir });
    expect(shown.project.id).toMatch(/^local:/);
    expect(shown.store).toEqual({
      dialect: "postgres",
      location: withPassword ? redacted : database.url,
      chosen_by: "given",
    });
    const text = run(["status", "--db", database.url]).stdout;
    expect(text).toContain(`Workspace ${project.dir}`);
    expect(text).toContain(`Store postgres ${withPassword ? redacted : database.url}`);
    if (withPassword) expect(text).not.toContain(new URL(database.url).password);
    expect(run(["export", "--db", database.url]).stdout).toContain("shared");
    const doctor = run(["doctor", "--db", database.url, "--json"]);
    expect(doctor.stdout).toContain(database.name);
    // ORCHESTRATOR_DB, as status and serve read it (doctor checked the absent SQLite file instead).
    const fromEnv = run(["doctor", "--json"], { ORCHESTRATOR_DB: database.url });
    expect(fromEnv.stdout).toContain(database.name);
    expect(fromEnv.stdout).not.toContain("orchestrator.db");
  }, 120_000);

  test("bad URLs are usage errors (exit 2); unreachable servers and missing databases are named; no password shown", () => {
    const bad = run(["serve", "--db", "mysql://me:s3cret-pw@127.0.0.1/db"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("postgres://");
    expect(bad.stderr).not.toContain("s3cret-pw");

    const garbled = run(["status", "--db", "postgres://me:s3cret-pw@host:port/db"]);
    expect(garbled.status).toBe(2);
    expect(garbled.stderr).not.toContain("s3cret-pw");

    const refused = run(["status", "--db", "postgres://me:s3cret-pw@127.0.0.1:1/teamdb"]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("127.0.0.1:1");
    expect(refused.stderr).toContain("teamdb");
    expect(refused.stderr).not.toContain("s3cret-pw");

    const url = new URL(database.url);
    url.pathname = "/orch_missing_db_e2e";
    url.password = "s3cret-pw";
    const missing = run(["status", "--db", url.toString()]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("createdb");
    expect(missing.stderr).toContain("orch_missing_db_e2e");
    expect(missing.stderr).not.toContain("s3cret-pw");
  });
});
