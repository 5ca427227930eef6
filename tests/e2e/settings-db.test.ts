import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DoctorReportSchema } from "../../src/doctor/report.ts";
import { BINARY, call, callOk, connectBinary, textOf } from "../helpers/client.ts";
import { connectHttp, startHttpServer } from "../helpers/http-server.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { makeProject } from "../helpers/temp.ts";

// `db:` in a workspace's settings.yaml (issue 13, item 1) through the compiled binary: it chooses
// the store only with the user's opt-in (ORCHESTRATOR_ALLOW_SETTINGS_DB), is ignored and said so
// without it, may not hold a password, and loses to --db and ORCHESTRATOR_DB.
let database: TestDatabase;
/** The test database's URL without a password (a settings file may not hold one) and the env that carries it. */
let url: string;
let pgEnv: Record<string, string>;
const projects: { dir: string; cleanup: () => void }[] = [];
const OPT_IN = { ORCHESTRATOR_ALLOW_SETTINGS_DB: "1" };

beforeAll(async () => {
  database = await createTestDatabase();
  const u = new URL(database.url);
  pgEnv = u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {};
  u.password = "";
  url = u.toString();
}, 60_000);
afterAll(async () => {
  for (const p of projects) p.cleanup();
  await database.drop();
});

/** A project whose settings.yaml holds `settings` (project: is set so each test's rows are its own). */
function project(name: string, settings: string): string {
  const p = makeProject(`orch-e2e-settingsdb-${name}-`);
  projects.push(p);
  mkdirSync(join(p.dir, ".task_orchestrator"));
  writeFileSync(
    join(p.dir, ".task_orchestrator", "settings.yaml"),
    `project: example.com/settingsdb/${name}\n${settings}`,
  );
  return p.dir;
}

function run(cwd: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(BINARY, args, {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", ...pgEnv, ...env },
  });
}

function sqliteFile(dir: string): string {
  return join(dir, ".task_orchestrator", "orchestrator.db");
}

async function planIn(dir: string, env: Record<string, string>, description: string, args: string[] = []) {
  const s = await connectBinary({ cwd: dir, args, env: { ...pgEnv, ...env } });
  try {
    await callOk(s.client, "orchestrator_plan_task", {
      description,
      subtasks: [{ title: "one", specialist_type: "implementer" }],
    });
    return await callOk(s.client, "orchestrator_health_check", {});
  } finally {
    await s.close();
  }
}

describe("db: in settings.yaml", () => {
  test("with the opt-in: the plan goes to the PostgreSQL database it names, no SQLite file is made", async () => {
    const dir = project("optin", `db: ${url}\n`);
    const health = await planIn(dir, OPT_IN, "settings chose postgres");
    expect(health.database).toMatchObject({ dialect: "postgres", chosen_by: "settings", warnings: [] });
    expect(existsSync(sqliteFile(dir))).toBe(false);
    // Read back through the database itself, and through the same rule from the CLI.
    const direct = run(dir, ["status", "--db", url]);
    expect(direct.stdout).toContain("settings chose postgres");
    const byRule = run(dir, ["status"], OPT_IN);
    expect(byRule.status).toBe(0);
    expect(byRule.stdout).toContain("settings chose postgres");
    expect(byRule.stdout).toContain("from db: in settings.yaml");
    const doc = DoctorReportSchema.parse(
      JSON.parse(run(dir, ["doctor", "--json", "--client", "cursor"], OPT_IN).stdout),
    );
    expect(doc.checks.find((c) => c.id === "data.store")).toMatchObject({ status: "ok" });
    expect(doc.checks.find((c) => c.id === "data.database")?.status).toBe("ok");
    expect(existsSync(sqliteFile(dir))).toBe(false);
  }, 60_000);

  test("without the opt-in: SQLite is used, and health_check, status and doctor say why and how", async () => {
    const dir = project("nooptin", `db: ${url}\n`);
    const health = await planIn(dir, {}, "settings ignored");
    expect(health.database).toMatchObject({ dialect: "sqlite", chosen_by: "workspace" });
    const warning = String(health.database.warnings[0]);
    expect(warning).toContain(database.name);
    expect(warning).toContain(new URL(url).hostname);
    expect(warning).toContain("ORCHESTRATOR_ALLOW_SETTINGS_DB=1");
    expect(existsSync(sqliteFile(dir))).toBe(true);
    // Nothing reached the database the file named.
    expect(run(dir, ["status", "--db", url]).stdout).not.toContain("settings ignored");

    const status = run(dir, ["status"]);
    expect(status.stdout).toContain("settings ignored");
    expect(status.stdout).toContain("ORCHESTRATOR_ALLOW_SETTINGS_DB=1");
    expect(status.stdout).toContain(database.name);
    const json = JSON.parse(run(dir, ["status", "--json"]).stdout);
    expect(json.project.warnings[0]).toContain("ORCHESTRATOR_ALLOW_SETTINGS_DB");

    const doc = DoctorReportSchema.parse(
      JSON.parse(run(dir, ["doctor", "--json", "--client", "cursor"]).stdout),
    );
    const store = doc.checks.find((c) => c.id === "data.store");
    expect(store?.status).toBe("warn");
    expect(store?.detail).toContain(database.name);
    expect(store?.fix).toContain("ORCHESTRATOR_ALLOW_SETTINGS_DB=1");
  }, 60_000);

  test("a password in db: is SETTINGS_INVALID, and never printed", async () => {
    const secret = "s3cr3t-pw";
    const withPw = new URL(url);
    withPw.username = "postgres";
    withPw.password = secret;
    const dir = project("password", `db: ${withPw}\n`);
    const status = run(dir, ["status"], OPT_IN);
    // The CLI prints the message (exit 1, SETTINGS_INVALID's); the tool below names the code.
    expect(status.status).toBe(1);
    expect(status.stderr).toContain("holds a password");
    expect(status.stderr).toContain("PGPASSWORD");
    expect(status.stderr + status.stdout).not.toContain(secret);

    const s = await connectBinary({ cwd: dir, env: { ...pgEnv, ...OPT_IN } });
    try {
      const r = await call(s.client, "orchestrator_health_check", {});
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain("SETTINGS_INVALID");
      expect(textOf(r)).not.toContain(secret);
    } finally {
      await s.close();
    }
    expect(existsSync(sqliteFile(dir))).toBe(false);
    // Without the opt-in the line is ignored, still said so, still without the password.
    const ignored = run(dir, ["status"]);
    expect(ignored.status).toBe(0);
    expect(ignored.stdout).toContain("ORCHESTRATOR_ALLOW_SETTINGS_DB");
    expect(ignored.stdout + ignored.stderr).not.toContain(secret);
  }, 60_000);

  test("a SQLite path in db: is SETTINGS_INVALID: files are chosen with --db or ORCHESTRATOR_DB", () => {
    const dir = project("file", "db: ../elsewhere.db\n");
    const r = run(dir, ["status"], OPT_IN);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("settings.yaml: db must be a postgres:// URL");
    expect(existsSync(join(dir, "..", "elsewhere.db"))).toBe(false);
  });

  test("--db and ORCHESTRATOR_DB win over db: in settings", async () => {
    const dir = project("precedence", `db: ${url}\n`);
    const flagFile = join(dir, "flag.db");
    const health = await planIn(dir, OPT_IN, "flag wins", ["--db", flagFile]);
    expect(health.database).toMatchObject({ dialect: "sqlite", chosen_by: "given" });
    expect(existsSync(flagFile)).toBe(true);
    const envFile = join(dir, "env.db");
    const viaEnv = await planIn(dir, { ...OPT_IN, ORCHESTRATOR_DB: envFile }, "env wins");
    expect(viaEnv.database).toMatchObject({ dialect: "sqlite", chosen_by: "given" });
    expect(existsSync(envFile)).toBe(true);
    expect(run(dir, ["status", "--db", url]).stdout).not.toMatch(/flag wins|env wins/);
    const status = JSON.parse(run(dir, ["status", "--json"], { ...OPT_IN, ORCHESTRATOR_DB: envFile }).stdout);
    expect(status.store).toMatchObject({ dialect: "sqlite", chosen_by: "given", location: envFile });
  }, 60_000);

  test("hot reload: a db: added while the server runs applies to the next call", async () => {
    const dir = project("reload", "");
    const s = await connectBinary({ cwd: dir, env: { ...pgEnv, ...OPT_IN } });
    try {
      await callOk(s.client, "orchestrator_plan_task", {
        description: "before the switch",
        subtasks: [{ title: "one", specialist_type: "implementer" }],
      });
      expect(existsSync(sqliteFile(dir))).toBe(true);
      writeFileSync(
        join(dir, ".task_orchestrator", "settings.yaml"),
        `project: example.com/settingsdb/reload\ndb: ${url}\n`,
      );
      await callOk(s.client, "orchestrator_plan_task", {
        description: "after the switch",
        subtasks: [{ title: "two", specialist_type: "implementer" }],
      });
      const health = await callOk(s.client, "orchestrator_health_check", {});
      expect(health.database).toMatchObject({ dialect: "postgres", chosen_by: "settings" });
    } finally {
      await s.close();
    }
    const pg = run(dir, ["status", "--db", url]).stdout;
    expect(pg).toContain("after the switch");
    expect(pg).not.toContain("before the switch");
  }, 60_000);

  test("serve --http follows the same rule: the workspace's db: (opted in) holds its plans and tokens", async () => {
    const dir = project("http", `db: ${url}\n`);
    const created = run(dir, ["token", "create", "--name", "carol", "--workspace", dir], OPT_IN);
    expect(created.status).toBe(0);
    expect(existsSync(sqliteFile(dir))).toBe(false);
    const server = await startHttpServer({
      cwd: dir,
      args: ["--workspace", dir],
      env: { ...pgEnv, ...OPT_IN },
    });
    try {
      const client = await connectHttp(server.url, created.stdout.trim(), "carol");
      try {
        await callOk(client, "orchestrator_plan_task", {
          working_directory: dir,
          description: "planned over http",
          subtasks: [{ title: "one", specialist_type: "implementer" }],
        });
        const health = await callOk(client, "orchestrator_health_check", { working_directory: dir });
        expect(health.database).toMatchObject({ dialect: "postgres", chosen_by: "settings" });
      } finally {
        await client.close();
      }
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(existsSync(sqliteFile(dir))).toBe(false);
    expect(run(dir, ["status", "--db", url]).stdout).toContain("planned over http");
  }, 60_000);
});
