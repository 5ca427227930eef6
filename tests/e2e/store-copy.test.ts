import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, callOk, connectBinary } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";

// `orchestrator store copy` through the compiled binary, SQLite file to SQLite file (the
// PostgreSQL directions run in store-copy-postgres.test.ts): counts, checksums, idempotence,
// conflicts that write nothing, hostile rows left out, usage errors.
let project: { dir: string; cleanup: () => void };
let source: string;
let planId: string;

beforeAll(async () => {
  project = makeProject("orch-store-copy-");
  source = join(project.dir, ".task_orchestrator", "orchestrator.db");
  const c = await connectBinary({ cwd: project.dir });
  try {
    const plan = await callOk(c.client, "orchestrator_plan_task", {
      description: "Copied plan",
      subtasks: [
        { title: "design", specialist_type: "architect" },
        { title: "build", specialist_type: "implementer", dependencies: ["design"] },
        { title: "check", specialist_type: "tester", dependencies: ["build"] },
      ],
    });
    planId = String(plan.parent_task_id);
    const first = plan.subtasks[0].task_id as string;
    await callOk(c.client, "orchestrator_execute_subtask", { task_id: first });
    await callOk(c.client, "orchestrator_complete_subtask", {
      task_id: first,
      summary: "designed",
      detailed_work: "# Design\n\nThe design, in full.",
    });
  } finally {
    await c.close();
  }
});
afterAll(() => project.cleanup());

function run(args: string[]) {
  return spawnSync(BINARY, args, {
    cwd: project.dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
  });
}

function copyJson(args: string[]) {
  const r = run(["store", "copy", ...args, "--json"]);
  return { status: r.status, stderr: r.stderr, report: r.status === 2 ? undefined : JSON.parse(r.stdout) };
}

const table = (report: any, name: string) =>
  report.projects[0].tables.find((t: { table: string }) => t.table === name);

describe("store copy, SQLite to SQLite", () => {
  const target = () => join(project.dir, "team.db");

  test("a dry run reports what it would copy and creates nothing", () => {
    const r = copyJson(["--from", source, "--to", target(), "--dry-run"]);
    expect(r.status).toBe(0);
    expect(r.report.dryRun).toBe(true);
    expect(table(r.report, "tasks").copied).toBe(3);
    expect(r.report.projects[0].verified).toBeNull();
    expect(existsSync(target())).toBe(false);
  });

  test("copies every row, verified by read-back and equal checksums; status reads the same plan", () => {
    const r = copyJson(["--from", source, "--to", target()]);
    expect(r.status).toBe(0);
    const p = r.report.projects[0];
    expect(p.verified).toBe(true);
    for (const t of p.tables) {
      expect(t.copied + t.present).toBe(t.source);
      if (t.source > 0) expect(t.targetChecksum).toBe(t.sourceChecksum);
    }
    expect(table(r.report, "tasks").copied).toBe(3);
    expect(table(r.report, "task_dependencies").copied).toBe(2);
    expect(table(r.report, "artifacts").copied).toBe(1);
    expect(table(r.report, "events").copied).toBeGreaterThan(3);

    const here = JSON.parse(run(["status", "--json"]).stdout);
    const there = JSON.parse(run(["status", "--json", "--db", target()]).stdout);
    expect(here.plans).toHaveLength(1);
    expect(there.plans).toEqual(here.plans);
  });

  test("a second copy writes nothing: every row is already there", () => {
    const r = copyJson(["--from", source, "--to", target()]);
    expect(r.status).toBe(0);
    for (const t of r.report.projects[0].tables) {
      expect(t.copied).toBe(0);
      expect(t.present).toBe(t.source);
    }
    expect(r.report.projects[0].verified).toBe(true);
  });

  test("a row the target holds with other values is a conflict: exit 1, the project is not written", () => {
    const db = new Database(target());
    db.run("update tasks set title = 'changed over there' where title = 'check'");
    db.close();
    // Something new in the source, which must not be copied while the conflict stands.
    const src = new Database(source);
    src.run(
      "insert into events (workspace, at, kind, plan_id, task_id, action, from_status, to_status, agent_id, note) select workspace, '2030-01-01T00:00:00.000Z', kind, plan_id, task_id, action, from_status, to_status, agent_id, 'new' from events limit 1",
    );
    src.close();
    const r = run(["store", "copy", "--from", source, "--to", target()]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("conflict");
    expect(r.stdout).toContain("title");
    const check = new Database(target(), { readonly: true });
    const n = check.query("select count(*) as n from events where note = 'new'").get() as { n: number };
    check.close();
    expect(n.n).toBe(0);
  });

  test("rows that break the id rule are not copied, and are named; their children neither", () => {
    const src = new Database(source);
    const ws = (src.query("select workspace from plans limit 1").get() as { workspace: string }).workspace;
    src.run(
      "insert into tasks (workspace, id, plan_id, position, title, description, specialist_type, estimated_effort, status, created_at, updated_at) values (?, '../../evil', ?, 99, 't', 'd', 'tester', '1h', 'pending', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
      [ws, planId],
    );
    src.close();
    const fresh = join(project.dir, "fresh.db");
    const r = copyJson(["--from", source, "--to", fresh]);
    expect(r.status).toBe(0);
    const tasks = table(r.report, "tasks");
    expect(tasks.refused.map((x: { key: string }) => x.key)).toEqual(["../../evil"]);
    expect(tasks.copied).toBe(3);
    expect(r.report.projects[0].verified).toBe(true);
  });
});

describe("store copy, artifacts written before texts were kept in the store", () => {
  test("the text is read from the local file (size and sha256 checked) so the copy carries it; without the file, the row is copied without it and named", () => {
    const src = new Database(source);
    const row = src.query("select id, path from artifacts limit 1").get() as { id: string; path: string };
    src.run("update artifacts set content = null where id = ?", [row.id]);
    src.close();

    const withFile = join(project.dir, "old-rows.db");
    const r = copyJson(["--from", source, "--to", withFile]);
    expect(r.status).toBe(0);
    expect(table(r.report, "artifacts")).toMatchObject({ filled: 1, withoutText: [] });
    const there = new Database(withFile, { readonly: true });
    const copied = there.query("select content from artifacts where id = ?").get(row.id) as {
      content: string | null;
    };
    there.close();
    expect(copied.content).toContain("The design, in full.");

    const file = join(project.dir, row.path);
    const text = readFileSync(file);
    rmSync(file);
    try {
      const without = join(project.dir, "no-file.db");
      const r2 = copyJson(["--from", source, "--to", without]);
      expect(r2.status).toBe(0);
      expect(table(r2.report, "artifacts")).toMatchObject({ filled: 0, withoutText: [row.id] });
      const human = run(["store", "copy", "--from", source, "--to", join(project.dir, "no-file-2.db")]);
      expect(human.stdout).toContain("without their text");
    } finally {
      writeFileSync(file, text);
    }
  });
});

describe("store copy, bad input changes nothing", () => {
  const cases: [string, string[], RegExp][] = [
    ["no --from", ["--to", "x.db"], /--from is required/],
    ["the same store twice", ["--from", "a.db", "--to", "a.db"], /same store/],
    ["a source that does not exist", ["--from", "missing.db", "--to", "x.db"], /does not exist/],
    ["a folder", ["--from", ".", "--to", "x.db"], /is a folder/],
    [
      "an unknown project",
      ["--from", ".task_orchestrator/orchestrator.db", "--to", "x.db", "--project", "nope"],
      /holds no project 'nope'/,
    ],
  ];
  for (const [name, args, message] of cases) {
    test(`${name}: exit 2, one line, nothing created`, () => {
      const r = run(["store", "copy", ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(existsSync(join(project.dir, "x.db"))).toBe(false);
    });
  }

  test("an unknown action is a usage error", () => {
    const r = run(["store", "move"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown store action 'move'");
  });
});
