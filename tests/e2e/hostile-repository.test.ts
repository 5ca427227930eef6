/**
 * A hostile repository and a hostile shared database against the compiled binary (issue 11 item 1):
 * crafted ids and rows must never make the server read, write or delete anything outside
 * `.task_orchestrator/`. Each test fingerprints the project and a sibling folder before and after.
 */
import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, call, callOk, connectBinary, localCopiesWrittenBy, textOf } from "../helpers/client.ts";
import { treeDigest } from "../helpers/fingerprint.ts";
import {
  ON_POSTGRES,
  projectKey,
  sqliteOnly,
  storeEnv,
  storeExec,
  storeRows,
} from "../helpers/test-store.ts";

// Under ORCHESTRATOR_TEST_STORE=postgres the imports and servers use the test's PostgreSQL
// database: crafted rows in a shared team database are as hostile as in a shared file.
const cliEnv = () => ({ ...process.env, ...storeEnv() });

let base: string;
let project: string;
let victim: string;
beforeEach(() => {
  // base/project is the workspace; base/x is what `../../../x` from artifacts/ would reach.
  base = realpathSync(mkdtempSync(join(tmpdir(), "orch-hostile-")));
  project = join(base, "project");
  victim = join(base, "x");
  mkdirSync(join(project, ".git"), { recursive: true });
  // Every test's folder is named "project" (id local:project): on the one PostgreSQL database of
  // this file each needs its own project id, as each has its own SQLite file.
  if (ON_POSTGRES)
    writeFileSync(
      join(project, ".git", "config"),
      `[remote "origin"]\n\turl = https://example.com/${base}\n`,
    );
  mkdirSync(join(project, "src"));
  writeFileSync(join(project, "src", "main.ts"), "export const precious = 1;\n");
  mkdirSync(victim);
  writeFileSync(join(victim, "keep.txt"), "not yours\n");
});
afterEach(() => {
  const fellBack = ON_POSTGRES && existsSync(join(project, ".task_orchestrator", "orchestrator.db"));
  rmSync(base, { recursive: true, force: true });
  if (fellBack) throw new Error("orchestrator.db was created under ORCHESTRATOR_TEST_STORE=postgres");
});

/** Everything except the data folder, which the server may change. */
const outsideData = (): string => treeDigest(base, (rel) => rel === "project/.task_orchestrator");

const LEGACY_SCHEMA = `
  create table task_breakdowns (parent_task_id text primary key, description text not null, complexity text not null,
    context text, created_at datetime not null, workspace_id integer);
  create table subtasks (task_id text primary key, parent_task_id text not null, title text not null,
    description text not null, specialist_type text not null, dependencies json, estimated_effort text not null,
    status text not null, results text, artifacts json, created_at datetime, completed_at datetime);`;

function legacyDb(fill: (db: Database) => void): string {
  mkdirSync(join(project, ".task_orchestrator"), { recursive: true });
  const path = join(project, ".task_orchestrator", "task_orchestrator.db");
  const db = new Database(path, { create: true });
  db.exec(LEGACY_SCHEMA);
  fill(db);
  db.close();
  return path;
}

function addPlan(
  db: Database,
  planId: unknown,
  taskId: unknown,
  createdAt: unknown = "2025-06-01 10:00:00",
): void {
  db.query("insert into task_breakdowns values (?, 'crafted', 'simple', null, ?, null)").run(
    planId as string,
    createdAt as string,
  );
  db.query(
    "insert into subtasks values (?, ?, 'work', 'do it', 'implementer', '[]', '1h', 'pending', null, null, ?, null)",
  ).run(taskId as string, planId as string, createdAt as string);
}

function importLegacy(): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(BINARY, ["import-legacy", "--json"], { cwd: project, encoding: "utf8", env: cliEnv() });
}

test("a legacy database with plan ids ../.. and ../../../x: not imported; delete and complete touch nothing outside", async () => {
  legacyDb((db) => {
    addPlan(db, "../..", "implementer_aaaaaa");
    addPlan(db, "../../../x", "implementer_bbbbbb");
    addPlan(db, "task_0000aaaa", "../escape");
    addPlan(db, "task_good0001", "implementer_cccccc");
  });
  const before = outsideData();

  const r = importLegacy();
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(report.plans_imported).toEqual(["task_good0001"]);
  const why = Object.fromEntries(report.plans_skipped.map((s: { id: string; why: string }) => [s.id, s.why]));
  expect(why["../.."]).toContain("breaks the id rule");
  expect(why["../../../x"]).toContain("breaks the id rule");
  expect(why.task_0000aaaa).toContain('subtask id "../escape" breaks the id rule');

  const { client, close } = await connectBinary({ cwd: project });
  try {
    for (const id of ["../..", "../../../x"]) {
      const del = await call(client, "orchestrator_delete_task", {
        task_id: id,
        archive_instead: false,
        force: true,
      });
      expect(del.isError).toBe(true);
      expect(textOf(del)).toStartWith("INVALID_INPUT");
    }
    for (const id of ["implementer_aaaaaa", "implementer_bbbbbb"]) {
      const done = await call(client, "orchestrator_complete_subtask", {
        task_id: id,
        summary: "s",
        detailed_work: "w",
      });
      expect(textOf(done)).toStartWith("TASK_NOT_FOUND");
    }
    // The good plan works end to end, and its files stay inside and private.
    const c = await callOk(client, "orchestrator_complete_subtask", {
      task_id: "implementer_cccccc",
      summary: "done",
      detailed_work: "secret output",
    });
    const file = join(project, c.artifact.path);
    await localCopiesWrittenBy(client);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, "..")).mode & 0o777).toBe(0o700);
    expect(statSync(join(file, "..", "..")).mode & 0o777).toBe(0o700);
    const doc = await callOk(client, "orchestrator_maintenance_coordinator", {
      action: "update_documentation",
    });
    expect(statSync(join(project, doc.files_written[0])).mode & 0o777).toBe(0o600);
    const gone = await callOk(client, "orchestrator_delete_task", {
      task_id: "task_good0001",
      archive_instead: false,
      force: true,
    });
    expect(gone.files_removed).toEqual([c.artifact.path]);
  } finally {
    await close();
  }
  expect(outsideData()).toBe(before);
}, 60_000);

test("a legacy database with an INTEGER created_at, NUL in an id and binary text: imports what is sound, skips the rest with reasons", async () => {
  legacyDb((db) => {
    addPlan(db, "task_int00001", "tester_aaaaaa", 1_748_772_000);
    db.query("update subtasks set created_at = 1748772001000 where task_id = 'tester_aaaaaa'").run();
    addPlan(db, "task_nul00001", "tester\0nul");
    addPlan(db, "task_blob0001", "tester_bbbbbb");
    db.query("update subtasks set title = ? where task_id = 'tester_bbbbbb'").run(new Uint8Array([0, 1, 2]));
    addPlan(db, "task_time0001", "tester_cccccc", "the day after tomorrow");
  });
  const r = importLegacy();
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(report.plans_imported).toEqual(["task_int00001"]);
  const why = Object.fromEntries(report.plans_skipped.map((s: { id: string; why: string }) => [s.id, s.why]));
  expect(why.task_nul00001).toContain('"tester\\u0000nul" breaks the id rule');
  expect(why.task_blob0001).toContain("title is binary data");
  expect(why.task_time0001).toContain("is not a time");

  // The text report quotes what it skipped, and nothing imported fails later.
  const text = spawnSync(BINARY, ["import-legacy", "--dry-run"], {
    cwd: project,
    encoding: "utf8",
    env: cliEnv(),
  });
  expect(text.status).toBe(0);
  expect(text.stdout).not.toContain("\0");
  const { client, close } = await connectBinary({ cwd: project });
  try {
    const t = await callOk(client, "orchestrator_get_task", { task_id: "tester_aaaaaa" });
    expect(t.task.created_at).toBe("2025-06-01T10:00:01.000Z");
    await callOk(client, "orchestrator_complete_subtask", {
      task_id: "tester_aaaaaa",
      summary: "s",
      detailed_work: "w",
    });
    const status = await callOk(client, "orchestrator_get_status", { include_completed: true });
    expect(status.plans.map((p: { parent_task_id: string }) => p.parent_task_id)).toEqual(["task_int00001"]);
  } finally {
    await close();
  }
}, 60_000);

test("a legacy database whose subtasks pages are garbage: one clear refusal, no stack", () => {
  const path = legacyDb((db) => {
    db.exec("pragma journal_mode = delete");
    addPlan(db, "task_good0001", "tester_aaaaaa");
  });
  // Page 1 is the schema, 2 task_breakdowns, then subtasks: overwrite everything after page 2.
  const bytes = readFileSync(path);
  const pageSize = bytes.readUInt16BE(16);
  bytes.fill(0xa5, pageSize * 2);
  writeFileSync(path, bytes);
  const r = spawnSync(BINARY, ["import-legacy"], { cwd: project, encoding: "utf8", env: cliEnv() });
  expect(r.status).toBe(2);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).not.toContain("unexpected error");
  expect(r.stderr).toMatch(/task_orchestrator\.db/);
});

/** Creates the store with one real plan through the server, then returns its workspace key. */
async function seedStore(): Promise<{ dbPath: string; ws: string; planId: string; taskId: string }> {
  const { client, close } = await connectBinary({ cwd: project });
  try {
    const plan = await callOk(client, "orchestrator_plan_task", {
      description: "real",
      subtasks: [{ title: "real work", specialist_type: "tester" }],
    });
    const dbPath = join(project, ".task_orchestrator", "orchestrator.db");
    const ws = projectKey(project);
    const [row] = await storeRows(project, "select count(*) as n from plans where workspace = ?", [ws]);
    expect(row?.n).toBe(1);
    return { dbPath, ws, planId: plan.parent_task_id, taskId: plan.subtasks[0].task_id };
  } finally {
    await close();
  }
}

test("a shared database with crafted rows: each refused with a named error, reported by validate_structure, removed by repair, nothing outside touched", async () => {
  const seed = await seedStore();
  const now = new Date().toISOString();
  const plan = (id: string) =>
    storeExec(
      project,
      [
        "insert into plans (workspace, id, description, complexity, status, created_at, updated_at) values (?, ?, 'crafted', 'simple', 'active', ?, ?)",
      ],
      [seed.ws, id, now, now],
    );
  const task = (id: string, planId: string) =>
    storeExec(
      project,
      [
        "insert into tasks (workspace, id, plan_id, position, title, description, specialist_type, estimated_effort, status, created_at, updated_at) values (?, ?, ?, 0, 't', 'd', 'tester', '', 'pending', ?, ?)",
      ],
      [seed.ws, id, planId, now, now],
    );
  await plan("../..");
  await task("tester_evil01", "../..");
  await plan("task_0000beef");
  await task("tester_good01", "task_0000beef");
  await storeExec(
    project,
    [
      "insert into artifacts (workspace, id, task_id, plan_id, type, summary, path, size, sha256, file_paths, created_at) values (?, 'artifact_0000beef', 'tester_good01', 'task_0000beef', 'general', 's', '.task_orchestrator/../../x/keep.txt', 10, '', '[]', ?)",
    ],
    [seed.ws, now],
  );
  const before = outsideData();

  const { client, close } = await connectBinary({ cwd: project });
  try {
    const complete = await call(client, "orchestrator_complete_subtask", {
      task_id: "tester_evil01",
      summary: "s",
      detailed_work: "w",
    });
    expect(textOf(complete)).toStartWith("STORE_ROW_INVALID");
    expect(textOf(complete)).toContain('plan_id "../.."');
    const del = await call(client, "orchestrator_delete_task", {
      task_id: "tester_evil01",
      archive_instead: false,
      force: true,
    });
    expect(textOf(del)).toStartWith("STORE_ROW_INVALID");
    const art = await call(client, "orchestrator_get_artifact", { artifact_id: "artifact_0000beef" });
    expect(textOf(art)).toStartWith("STORE_ROW_INVALID");
    // The task's own ids are fine; the path its artifact row names is not: the delete is refused
    // before anything commits, so the rows stay too.
    const delGood = await call(client, "orchestrator_delete_task", {
      task_id: "tester_good01",
      archive_instead: false,
      force: true,
    });
    expect(textOf(delGood)).toStartWith("STORE_ROW_INVALID");
    expect(await storeRows(project, "select id from tasks where id = 'tester_good01'")).toHaveLength(1);

    const v = await callOk(client, "orchestrator_maintenance_coordinator", { action: "validate_structure" });
    expect(v.summary).not.toContain("Structure valid");
    const kinds = v.findings.map((f: { kind: string }) => f.kind);
    expect(kinds.filter((k: string) => k === "path_outside_data_dir").length).toBeGreaterThanOrEqual(3);
    expect(v.summary).toContain("repair: true");

    const fixed = await callOk(client, "orchestrator_maintenance_coordinator", {
      action: "validate_structure",
      repair: true,
    });
    expect(fixed.actions_taken.map((a: { action: string }) => a.action)).toContain("remove_invalid_rows");
    const again = await callOk(client, "orchestrator_maintenance_coordinator", {
      action: "validate_structure",
    });
    expect(again.findings.filter((f: { kind: string }) => f.kind === "path_outside_data_dir")).toEqual([]);
    const status = await callOk(client, "orchestrator_get_status", {});
    expect(status.plans.map((p: { parent_task_id: string }) => p.parent_task_id).sort()).toEqual(
      [seed.planId, "task_0000beef"].sort(),
    );
  } finally {
    await close();
  }
  expect(outsideData()).toBe(before);
}, 60_000);

test("a crafted artifact row naming orchestrator.db (inside the data folder): a hard delete refuses it and keeps the database", async () => {
  const seed = await seedStore();
  await storeExec(
    project,
    [
      "insert into artifacts (workspace, id, task_id, plan_id, type, summary, path, size, sha256, file_paths, created_at) values (?, 'artifact_0000dead', ?, ?, 'general', 's', '.task_orchestrator/orchestrator.db', 10, '', '[]', ?)",
    ],
    [seed.ws, seed.taskId, seed.planId, new Date().toISOString()],
  );
  const { client, close } = await connectBinary({ cwd: project });
  try {
    const del = await call(client, "orchestrator_delete_task", {
      task_id: seed.planId,
      archive_instead: false,
    });
    expect(textOf(del)).toStartWith("STORE_ROW_INVALID");
    if (!ON_POSTGRES) expect(statSync(seed.dbPath).size).toBeGreaterThan(0);
    const status = await callOk(client, "orchestrator_get_status", {});
    expect(status.plans.map((p: { parent_task_id: string }) => p.parent_task_id)).toEqual([seed.planId]);
  } finally {
    await close();
  }
}, 60_000);

test("a symlinked plan folder leading outside: completing and deleting are refused, validate_structure reports it", async () => {
  const seed = await seedStore();
  const planDir = join(project, ".task_orchestrator", "artifacts", seed.planId);
  symlinkSync(victim, planDir);
  const before = outsideData();
  const { client, close } = await connectBinary({ cwd: project });
  try {
    const done = await call(client, "orchestrator_complete_subtask", {
      task_id: seed.taskId,
      summary: "s",
      detailed_work: "w",
    });
    expect(textOf(done)).toStartWith("PATH_OUTSIDE_DATA_DIR");
    expect(textOf(done)).toContain("symlink");
    const del = await call(client, "orchestrator_delete_task", {
      task_id: seed.planId,
      archive_instead: false,
    });
    expect(textOf(del)).toStartWith("PATH_OUTSIDE_DATA_DIR");
    const v = await callOk(client, "orchestrator_maintenance_coordinator", { action: "validate_structure" });
    expect(v.findings).toContainEqual(
      expect.objectContaining({
        kind: "path_outside_data_dir",
        path: `.task_orchestrator/artifacts/${seed.planId}`,
      }),
    );
    expect(v.summary).not.toContain("Structure valid");
  } finally {
    await close();
  }
  expect(outsideData()).toBe(before);
}, 60_000);

sqliteOnly("orchestrator.db planted as a symlink is a SQLite file's case")(
  "a repository that ships .task_orchestrator or orchestrator.db as a symlink: nothing is created, migrated or deleted through it",
  async () => {
    // A database of another program, next to the project: a planted link must not migrate it.
    const foreign = join(base, "other-app.db");
    const other = new Database(foreign, { create: true });
    other.exec("create table notes (x text); insert into notes values ('mine')");
    other.close();
    const linkedDb = join(base, "linked-db");
    mkdirSync(join(linkedDb, ".git"), { recursive: true });
    mkdirSync(join(linkedDb, ".task_orchestrator"));
    symlinkSync(foreign, join(linkedDb, ".task_orchestrator", "orchestrator.db"));
    symlinkSync(victim, join(project, ".task_orchestrator"));
    const before = treeDigest(base, (rel) => rel === "linked-db");
    const foreignBytes = readFileSync(foreign);

    const { client, close } = await connectBinary({ cwd: project });
    try {
      for (const ws of [project, linkedDb]) {
        const plan = await call(client, "orchestrator_plan_task", {
          description: "d",
          subtasks: [{ title: "a", specialist_type: "implementer" }],
          working_directory: ws,
        });
        expect(textOf(plan)).toStartWith("PATH_OUTSIDE_DATA_DIR");
        expect(textOf(plan)).toContain("symlink");
        const status = await call(client, "orchestrator_get_status", { working_directory: ws });
        expect(textOf(status)).toStartWith("PATH_OUTSIDE_DATA_DIR");
      }
    } finally {
      await close();
    }
    const cli = spawnSync(BINARY, ["status"], { cwd: project, encoding: "utf8" });
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain("must be a real folder");
    const doctor = spawnSync(BINARY, ["doctor", "--json"], {
      cwd: project,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: base },
    });
    expect(doctor.stdout).toContain("must be a real folder");
    expect(doctor.stdout).not.toContain("data.internal");
    expect(treeDigest(base, (rel) => rel === "linked-db")).toBe(before);
    expect(readFileSync(foreign).equals(foreignBytes)).toBe(true);
  },
  60_000,
);
