import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BINARY, callOk, connectBinary } from "../helpers/client.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { makeProject } from "../helpers/temp.ts";

// `store copy` across dialects through the compiled binary (issue 13 item 5): a project that
// started alone on SQLite joins a team's PostgreSQL database, and comes back out of it.
let database: TestDatabase;
let project: { dir: string; cleanup: () => void };
let sqlite: string;
let designId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  project = makeProject("orch-copy-pg-");
  sqlite = join(project.dir, ".task_orchestrator", "orchestrator.db");
  const c = await connectBinary({ cwd: project.dir });
  try {
    const plan = await callOk(c.client, "orchestrator_plan_task", {
      description: "Alone first",
      subtasks: [
        { title: "design", specialist_type: "architect" },
        { title: "build", specialist_type: "implementer", dependencies: ["design"] },
      ],
    });
    const first = plan.subtasks[0].task_id as string;
    designId = first;
    await callOk(c.client, "orchestrator_execute_subtask", { task_id: first });
    await callOk(c.client, "orchestrator_complete_subtask", {
      task_id: first,
      summary: "designed",
      detailed_work: "# Design\n\nMade on one laptop, read by the team.",
    });
  } finally {
    await c.close();
  }
}, 60_000);
afterAll(async () => {
  project.cleanup();
  await database.drop();
});

function run(args: string[]) {
  return spawnSync(BINARY, args, {
    cwd: project.dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
  });
}

function copy(args: string[]) {
  const r = run(["store", "copy", ...args, "--json"]);
  if (r.status !== 0) throw new Error(`store copy failed (${r.status}): ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout);
}

const rows = (report: any) =>
  Object.fromEntries(
    report.projects[0].tables.map((t: { table: string; copied: number; present: number }) => [
      t.table,
      [t.copied, t.present],
    ]),
  );

describe("store copy between SQLite and PostgreSQL", () => {
  test("SQLite → PostgreSQL: every row, verified; serve on the URL then sees the plan and the artifact", async () => {
    const report = copy(["--from", sqlite, "--to", database.url]);
    expect(report.projects).toHaveLength(1);
    expect(report.projects[0].verified).toBe(true);
    expect(rows(report).tasks).toEqual([2, 0]);
    expect(rows(report).artifacts).toEqual([1, 0]);
    // The report names the target without a password, whatever the URL held.
    expect(report.to).not.toMatch(/:[^:@/]+@/);

    const here = JSON.parse(run(["status", "--json"]).stdout);
    const there = JSON.parse(run(["status", "--json", "--db", database.url]).stdout);
    expect(here.plans).toHaveLength(1);
    expect(there.plans).toEqual(here.plans);

    const c = await connectBinary({ cwd: project.dir, args: ["--db", database.url] });
    try {
      const got = await callOk(c.client, "orchestrator_get_task", { task_id: designId });
      const artifactId = got.artifacts[0].artifact_id as string;
      const artifact = await callOk(c.client, "orchestrator_get_artifact", { artifact_id: artifactId });
      expect(String(artifact.content)).toContain("Made on one laptop");
    } finally {
      await c.close();
    }
  }, 60_000);

  test("copying again writes nothing", () => {
    const report = copy(["--from", sqlite, "--to", database.url]);
    for (const [copied, present] of Object.values(rows(report)) as [number, number][]) {
      expect(copied).toBe(0);
      expect(present).toBeGreaterThanOrEqual(0);
    }
    expect(report.projects[0].verified).toBe(true);
  });

  test("PostgreSQL → a new SQLite file: the same rows and checksums come back out", () => {
    const out = join(project.dir, "back.db");
    const report = copy(["--from", database.url, "--to", out]);
    expect(existsSync(out)).toBe(true);
    expect(report.projects[0].verified).toBe(true);
    const forward = copy(["--from", sqlite, "--to", out, "--dry-run"]);
    // Everything the original file holds is already in the round-tripped one, identical.
    for (const t of forward.projects[0].tables) {
      expect(t.copied).toBe(0);
      expect(t.present).toBe(t.source);
    }
    const sums = (r: any) =>
      Object.fromEntries(r.projects[0].tables.map((t: any) => [t.table, t.sourceChecksum]));
    expect(sums(forward)).toEqual(sums(report));
  });

  test("--dry-run on a PostgreSQL target reports new rows and writes none; the real copy then adds them", async () => {
    const c = await connectBinary({ cwd: project.dir });
    try {
      await callOk(c.client, "orchestrator_plan_task", {
        description: "Planned after the first copy",
        subtasks: [{ title: "later", specialist_type: "tester" }],
      });
    } finally {
      await c.close();
    }
    const plansOnServer = () =>
      JSON.parse(run(["status", "--json", "--db", database.url]).stdout).plans.length;
    const dry = copy(["--from", sqlite, "--to", database.url, "--dry-run"]);
    expect(dry.dryRun).toBe(true);
    expect(dry.projects[0].verified).toBeNull();
    expect(rows(dry).plans).toEqual([1, 1]);
    expect(rows(dry).tasks).toEqual([1, 2]);
    expect(plansOnServer()).toBe(1);
    const real = copy(["--from", sqlite, "--to", database.url]);
    expect(real.projects[0].verified).toBe(true);
    expect(rows(real).tasks).toEqual([1, 2]);
    expect(plansOnServer()).toBe(2);
  }, 60_000);
});
