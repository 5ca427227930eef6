import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, callOk, connectBinary } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";
import { countRows, storeEnv } from "../helpers/test-store.ts";

let project: { dir: string; cleanup: () => void };
beforeEach(() => {
  project = makeProject("orch-import-");
});
afterEach(() => project.cleanup());

/** A database in the Python MCP Task Orchestrator 1.8 schema (task_breakdowns + subtasks). */
function legacyDb(path: string): void {
  const db = new Database(path, { create: true });
  db.exec(`
    create table task_breakdowns (parent_task_id text primary key, description text not null, complexity text not null,
      context text, created_at datetime not null, workspace_id integer);
    create table subtasks (task_id text primary key, parent_task_id text not null references task_breakdowns(parent_task_id),
      title text not null, description text not null, specialist_type text not null, dependencies json, estimated_effort text not null,
      status text not null, results text, artifacts json, file_operations_count integer default 0, verification_status text default 'pending',
      created_at datetime, completed_at datetime, prerequisite_satisfaction_required boolean, auto_maintenance_enabled boolean,
      quality_gate_level text, workspace_id integer);
    insert into task_breakdowns values ('task_1a2b3c4d', 'Build the login page', 'moderate', 'React app', '2025-06-01 10:00:00.000000', null);
    insert into subtasks values ('architect_aaaaaa', 'task_1a2b3c4d', 'Design auth', 'Flows', 'ARCHITECT', '[]', '1h', 'completed',
      'Use OAuth PKCE', '[".task_orchestrator/artifacts/architect_aaaaaa/artifact_11111111.md"]', 0, 'pending', '2025-06-01 10:00:01.000000', '2025-06-01 11:00:00.000000', 0, 1, 'standard', null);
    insert into subtasks values ('implementer_bbbbbb', 'task_1a2b3c4d', 'Build form', 'Form + API', 'implementer', '["architect_aaaaaa", "ghost_zzzzzz"]', '2h', 'in_progress',
      null, '[]', 0, 'pending', '2025-06-01 10:00:02.000000', null, 0, 1, 'standard', null);
    insert into subtasks values ('tester_cccccc', 'task_1a2b3c4d', 'Test it', 'E2E', 'tester', '["implementer_bbbbbb"]', '1h', 'pending',
      null, null, 0, 'pending', '2025-06-01 10:00:03.000000', null, 0, 1, 'standard', null);
    insert into task_breakdowns values ('task_99999999', 'Empty one', 'simple', null, '2025-06-02 10:00:00', null);
  `);
  db.close();
}

test("import-legacy brings the Python orchestrator's plans in, keeps ids, and is idempotent", async () => {
  const legacy = join(project.dir, ".task_orchestrator", "task_orchestrator.db");
  mkdirSync(join(project.dir, ".task_orchestrator"), { recursive: true });
  legacyDb(legacy);
  const before = readFileSync(legacy);
  const run = (args: string[]) =>
    spawnSync(BINARY, args, { cwd: project.dir, encoding: "utf8", env: { ...process.env, ...storeEnv() } });

  const dry = run(["import-legacy", "--dry-run", "--json"]);
  expect(dry.status).toBe(0);
  expect(JSON.parse(dry.stdout)).toMatchObject({ plans_imported: ["task_1a2b3c4d"], tasks_imported: 3 });
  // A dry run stores nothing.
  for (const table of ["plans", "tasks", "task_dependencies", "events"])
    expect({ table, rows: await countRows(project.dir, table) }).toEqual({ table, rows: 0 });

  const r = run(["import-legacy", "--json"]);
  expect(r.status).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(report.plans_imported).toEqual(["task_1a2b3c4d"]);
  expect(report.plans_skipped).toEqual([{ id: "task_99999999", why: "it has no subtasks" }]);
  expect(report.dependencies_dropped).toBe(1);
  expect(readFileSync(legacy).equals(before)).toBe(true); // the old file is never written

  const again = JSON.parse(run(["import-legacy", "--json"]).stdout);
  expect(again.plans_imported).toEqual([]);
  expect(again.plans_skipped[0].why).toContain("already here");

  // The imported plan works like any other, through a client.
  const { client, close } = await connectBinary({ cwd: project.dir });
  try {
    const design = await callOk(client, "orchestrator_get_task", { task_id: "architect_aaaaaa" });
    expect(design.task).toMatchObject({ status: "completed", specialist_type: "architect" });
    expect(design.task.summary).toContain("Use OAuth PKCE");
    expect(design.task.summary).toContain("artifact_11111111.md");
    const form = await callOk(client, "orchestrator_get_task", { task_id: "implementer_bbbbbb" });
    expect(form.task).toMatchObject({ status: "pending", dependencies: ["architect_aaaaaa"] });
    expect(form.task.note).toContain("in_progress");
    const status = await callOk(client, "orchestrator_get_status", { parent_task_id: "task_1a2b3c4d" });
    expect(status.plans[0].progress).toMatchObject({ completed: 1, total: 3 });
    expect(status.plans[0].ready_tasks).toEqual(["implementer_bbbbbb"]);
    await callOk(client, "orchestrator_execute_subtask", { task_id: "implementer_bbbbbb" });
    await callOk(client, "orchestrator_complete_subtask", {
      task_id: "implementer_bbbbbb",
      summary: "built",
      detailed_work: "form done",
    });
  } finally {
    await close();
  }
});

test("import-legacy refuses a file that is not the Python orchestrator's, and a missing one", () => {
  const other = join(project.dir, "other.db");
  const db = new Database(other, { create: true });
  db.exec("create table notes (id integer)");
  db.close();
  const r = spawnSync(BINARY, ["import-legacy", "--from", other], { cwd: project.dir, encoding: "utf8" });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain("not a Python MCP Task Orchestrator database");
  const missing = spawnSync(BINARY, ["import-legacy"], { cwd: project.dir, encoding: "utf8" });
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain("does not exist");
});
