import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AppContext } from "../../src/app/context.ts";
import { planTask } from "../../src/app/plan-task.ts";
import { DEFAULT_SETTINGS } from "../../src/core/settings.ts";
import { openStore } from "../../src/store/open.ts";
import { createDataFiles } from "../../src/workspace/data-files.ts";
import { createRoleLoader } from "../../src/workspace/roles.ts";
import { BINARY, callOk, connectBinary } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";
import { unprivileged } from "../helpers/unprivileged.ts";

/*
 * Two checkouts of one repository at different absolute paths (as two machines would have them)
 * share one database: the store key is the project id, not the path. Driven through the
 * compiled binary.
 */

let cleanups: (() => void)[] = [];
let shared: string;
beforeEach(() => {
  shared = mkdtempSync(join(tmpdir(), "orch-shared-"));
  cleanups = [() => rmSync(shared, { recursive: true, force: true })];
});
afterEach(() => {
  for (const c of cleanups) c();
});

function checkout(remote: string | undefined, settings?: string): string {
  const p = makeProject("orch-checkout-");
  cleanups.push(p.cleanup);
  if (remote)
    writeFileSync(
      join(p.dir, ".git", "config"),
      `[core]\n\tbare = false\n[remote "origin"]\n\turl = ${remote}\n`,
    );
  if (settings) {
    mkdirSync(join(p.dir, ".task_orchestrator"), { recursive: true });
    writeFileSync(join(p.dir, ".task_orchestrator", "settings.yaml"), settings);
  }
  return p.dir;
}

function cli(args: string[], cwd: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(BINARY, args, {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const statusJson = (ws: string, db: string) => {
  const r = cli(["status", "--json", "--all", "--workspace", ws, "--db", db], ws);
  expect(r.code).toBe(0);
  return JSON.parse(r.out);
};

function keysIn(db: string): Record<string, number> {
  const d = new Database(db, { readonly: true });
  try {
    const rows = d.query("select workspace, count(*) as n from tasks group by workspace").all() as {
      workspace: string;
      n: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.workspace, r.n]));
  } finally {
    d.close();
  }
}

describe("project identity across checkouts", () => {
  test("two checkouts of one remote share the plan: one plans, the other reads and executes", async () => {
    const a = checkout("git@github.com:Acme/Shop.git");
    const b = checkout("https://deploy:secret@github.com/acme/shop");
    const db = join(shared, "team.db");
    const one = await connectBinary({ cwd: a, args: ["--workspace", a, "--db", db] });
    const two = await connectBinary({ cwd: b, args: ["--workspace", b, "--db", db] });
    try {
      const plan = await callOk(one.client, "orchestrator_plan_task", {
        description: "shared plan",
        subtasks: [
          { title: "first", specialist_type: "implementer" },
          { title: "second", specialist_type: "tester", dependencies: ["first"] },
        ],
      });
      const seen = await callOk(two.client, "orchestrator_get_status", {});
      expect(seen.plans.map((p: { plan_id?: string; id?: string }) => p.plan_id ?? p.id)).toContain(
        plan.plan_id,
      );
      const first = plan.subtasks[0].task_id;
      await callOk(two.client, "orchestrator_execute_subtask", { task_id: first });
      await callOk(two.client, "orchestrator_complete_subtask", {
        task_id: first,
        summary: "done on b",
        detailed_work: "the work",
      });
      const task = await callOk(one.client, "orchestrator_get_task", { task_id: first });
      expect(task.task.status).toBe("completed");
    } finally {
      await one.close();
      await two.close();
    }
    expect(Object.keys(keysIn(db))).toEqual(["github.com/acme/shop"]);
    const sa = statusJson(a, db);
    const sb = statusJson(b, db);
    expect(sa.project).toMatchObject({ id: "github.com/acme/shop", source: "git-remote", path: a });
    expect(sb.project).toMatchObject({ id: "github.com/acme/shop", source: "git-remote", path: b });
    expect(sa.plans.length).toBe(1);
    expect(sb.plans[0].plan.id).toBe(sa.plans[0].plan.id);
    expect(sa.project.checkouts.map((c: { path: string }) => c.path).sort()).toEqual([a, b].sort());
    expect(JSON.stringify(sa)).not.toContain("secret");
    const text = cli(["status", "--workspace", b, "--db", db], b);
    expect(text.out).toContain("Project github.com/acme/shop (from the git remote)");
    expect(sa.store).toEqual({ dialect: "sqlite", location: db, chosen_by: "given" });
    expect(text.out).toContain(`Store sqlite ${db}`);
  });

  test("project: in settings joins checkouts without a common remote; different remotes never mix", async () => {
    const db = join(shared, "team.db");
    const a = checkout(undefined, "project: acme-shop\n");
    const b = checkout("git@gitlab.example.com:someone/fork.git", "project: Acme-Shop\n");
    const other = checkout("git@github.com:acme/other.git");
    for (const [ws, title] of [
      [a, "from a"],
      [other, "from other"],
    ] as const) {
      const s = await connectBinary({ cwd: ws, args: ["--workspace", ws, "--db", db] });
      try {
        await callOk(s.client, "orchestrator_plan_task", {
          description: title,
          subtasks: [{ title: "x", specialist_type: "implementer" }],
        });
      } finally {
        await s.close();
      }
    }
    expect(statusJson(b, db).plans.map((p: { plan: { description: string } }) => p.plan.description)).toEqual(
      ["from a"],
    );
    expect(statusJson(b, db).project).toMatchObject({ id: "acme-shop", source: "settings" });
    expect(
      statusJson(other, db).plans.map((p: { plan: { description: string } }) => p.plan.description),
    ).toEqual(["from other"]);
  });
});

test("store copy --workspace copies the workspace's project, found by its project id", async () => {
  const ws = checkout("git@github.com:acme/copied.git");
  const from = join(shared, "from.db");
  const to = join(shared, "to.db");
  const s = await connectBinary({ cwd: ws, args: ["--workspace", ws, "--db", from] });
  try {
    await callOk(s.client, "orchestrator_plan_task", {
      description: "to copy",
      subtasks: [{ title: "x", specialist_type: "implementer" }],
    });
  } finally {
    await s.close();
  }
  const r = cli(["store", "copy", "--from", from, "--to", to, "--workspace", ws, "--json"], ws);
  expect(r.code).toBe(0);
  expect(keysIn(to)).toEqual({ "github.com/acme/copied": 1 });
});

describe("a store keyed by absolute path (before project ids)", () => {
  /** Writes a plan the way the code before project ids did: keyed by the workspace's absolute path. */
  async function seedByPath(
    ws: string,
    key: string,
    db: string,
    description: string,
    hex = "ab",
  ): Promise<void> {
    const store = await openStore(db);
    const ctx: AppContext = {
      store,
      project: key,
      identity: { id: key, source: "folder" },
      workspace: ws,
      files: createDataFiles(ws),
      clock: { now: () => new Date().toISOString() },
      random: { hex: (n: number) => hex.repeat(n).slice(0, n) },
      settings: DEFAULT_SETTINGS,
      roles: () => createRoleLoader().load(ws),
    };
    await planTask(ctx, {
      description,
      complexity: "moderate",
      subtasks: [
        { title: "a", specialist_type: "implementer" },
        { title: "b", specialist_type: "tester", dependencies: ["a"] },
      ],
    });
    await store.close();
  }

  /** Makes the file what the code before project ids left: no `projects` table, its migration not applied. */
  function asBeforeProjectIds(db: string): void {
    const d = new Database(db);
    try {
      // Every migration after the last one that code had, undone (Kysely applies them in name order).
      d.run("drop table projects");
      d.run("drop table if exists tokens");
      for (const trigger of ["plan_counts_insert", "plan_counts_delete", "plan_counts_update"]) {
        d.run(`drop trigger if exists ${trigger}`);
      }
      d.run("drop table if exists plan_counts");
      // The events' indexes as they were (2026_12_04_000000_events_by_plan_task reshaped them).
      d.run("drop index if exists events_by_plan");
      d.run("create index events_by_plan on events (workspace, plan_id, seq)");
      d.run("create index if not exists events_by_task on events (workspace, task_id, seq)");
      for (const [table, column] of [
        ["task_dependencies", "position"],
        ["artifacts", "content"],
      ]) {
        const cols = d.query(`pragma table_info(${table})`).all() as { name: string }[];
        if (cols.some((c) => c.name === column)) d.run(`alter table ${table} drop column ${column}`);
      }
      d.run("delete from kysely_migration where name > '2026_11_30_000100_request_results'");
    } finally {
      d.close();
    }
  }

  test("reads still show it; the first write moves every row to the project id, losing nothing", async () => {
    const ws = checkout("git@github.com:acme/legacy.git");
    const db = join(shared, "old.db");
    await seedByPath(ws, ws, db, "old plan");
    asBeforeProjectIds(db);
    expect(keysIn(db)).toEqual({ [ws]: 2 });

    // Read by someone who cannot write it: opened read-only, never migrated, old data shown.
    const reader = unprivileged();
    try {
      for (const dir of [shared, ws]) chmodSync(dir, 0o755);
      chmodSync(db, 0o644);
      const r = reader.run(["status", "--json", "--all", "--workspace", ws, "--db", db], {
        cwd: ws,
        env: { PATH: process.env.PATH ?? "", HOME: shared },
      });
      expect(String(r.stderr)).toBe("");
      const seen = JSON.parse(String(r.stdout));
      expect(seen.plans.map((p: { plan: { description: string } }) => p.plan.description)).toEqual([
        "old plan",
      ]);
      expect(seen.project).toMatchObject({
        id: "github.com/acme/legacy",
        reading_old_key: true,
        checkouts: [],
      });
    } finally {
      reader.cleanup();
    }

    const before = statusJson(ws, db);
    expect(before.plans.map((p: { plan: { description: string } }) => p.plan.description)).toEqual([
      "old plan",
    ]);
    expect(before.project.reading_old_key).toBe(true);
    expect(keysIn(db)).toEqual({ [ws]: 2 }); // a read moves nothing

    const s = await connectBinary({ cwd: ws, args: ["--workspace", ws, "--db", db] });
    try {
      await callOk(s.client, "orchestrator_plan_task", {
        description: "new plan",
        subtasks: [{ title: "c", specialist_type: "implementer" }],
      });
      const status = await callOk(s.client, "orchestrator_get_status", { include_completed: true });
      expect(status.plans.length).toBe(2);
    } finally {
      await s.close();
    }
    expect(keysIn(db)).toEqual({ "github.com/acme/legacy": 3 });
    const d = new Database(db, { readonly: true });
    try {
      for (const table of ["plans", "tasks", "task_dependencies", "events"]) {
        const left = d.query(`select count(*) as n from ${table} where workspace = ?`).get(ws) as {
          n: number;
        };
        expect(left.n).toBe(0);
      }
      const deps = d.query("select count(*) as n from task_dependencies").get() as { n: number };
      expect(deps.n).toBe(1);
    } finally {
      d.close();
    }
    const after = statusJson(ws, db);
    expect(after.project.reading_old_key).toBe(false);
    expect(after.project.warnings).toEqual([]);
  });

  test("clashing ids under both keys: nothing is mixed, the old rows stay and status says how to resolve", async () => {
    const ws = checkout("git@github.com:acme/clash.git");
    const db = join(shared, "clash.db");
    await seedByPath(ws, ws, db, "old copy");
    await seedByPath(ws, "github.com/acme/clash", db, "new copy");
    const s = await connectBinary({ cwd: ws, args: ["--workspace", ws, "--db", db] });
    try {
      await callOk(s.client, "orchestrator_plan_task", {
        description: "another",
        subtasks: [{ title: "c", specialist_type: "implementer" }],
      });
    } finally {
      await s.close();
    }
    expect(keysIn(db)).toEqual({ [ws]: 2, "github.com/acme/clash": 3 });
    const st = statusJson(ws, db);
    expect(st.project.warnings.join(" ")).toContain("were not moved");
    expect(st.project.warnings.join(" ")).toContain("project: <another id>");
    const doctor = cli(["doctor", "--json", "--workspace", ws, "--db", db], ws);
    expect(doctor.out).toContain("were not moved");

    // The fix the message names: a distinct project id for this checkout; its old rows move there.
    mkdirSync(join(ws, ".task_orchestrator"), { recursive: true });
    writeFileSync(join(ws, ".task_orchestrator", "settings.yaml"), "project: acme-clash-old\n");
    const again = await connectBinary({ cwd: ws, args: ["--workspace", ws, "--db", db] });
    try {
      await callOk(again.client, "orchestrator_plan_task", {
        description: "after fix",
        subtasks: [{ title: "d", specialist_type: "implementer" }],
      });
    } finally {
      await again.close();
    }
    expect(keysIn(db)).toEqual({ "acme-clash-old": 3, "github.com/acme/clash": 3 });
  });

  test("two unrelated folders of one name: the second's old rows are not merged into the shared local: id", async () => {
    const db = join(shared, "folders.db");
    const dirs = ["one", "two"].map((n) => {
      const d = join(shared, n, "app");
      mkdirSync(join(d, ".git"), { recursive: true });
      return d;
    });
    const [one, two] = dirs as [string, string];
    await seedByPath(one, one, db, "plan of one", "ab");
    await seedByPath(two, two, db, "plan of two", "cd");
    for (const ws of [one, two]) {
      const s = await connectBinary({ cwd: ws, args: ["--workspace", ws, "--db", db] });
      try {
        await callOk(s.client, "orchestrator_initialize_session", { working_directory: ws });
      } finally {
        await s.close();
      }
    }
    expect(keysIn(db)).toEqual({ "local:app": 2, [two]: 2 });
    const st = statusJson(two, db);
    expect(st.project).toMatchObject({ id: "local:app", source: "folder" });
    expect(st.project.warnings.join(" ")).toContain("comes from the folder name and already holds plans");
    expect(st.project.warnings.join(" ")).toContain("another project with the same folder name would share");
  });
});
