/**
 * The hostile-repository fuzzer: a crafted legacy database (random hostile ids, times of every
 * SQLite type, binary text) imported with `import-legacy`, and crafted rows written straight into
 * the orchestrator's own database (as a shared `--db` could hold them: hostile ids, plan ids and
 * artifact paths). Then every id in the store is driven through the tools that build paths
 * (complete, hard delete, get_artifact, validate_structure and its repair, the documents).
 * Promises: nothing outside `.task_orchestrator/` changes, import-legacy never crashes or stores
 * an id that breaks the rule, every refusal is a named error (never INTERNAL), the same worker
 * stays healthy. Used by tests/e2e/protocol-fuzz.test.ts (fast) and scripts/stress.ts (long).
 */
import { Database } from "bun:sqlite";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { isValidId } from "../../src/core/ids.ts";
import { BINARY } from "../helpers/client.ts";
import { prng } from "../helpers/config-corpus.ts";
import { treeDigest } from "../helpers/fingerprint.ts";

export interface HostileStoreReport {
  rounds: number;
  calls: number;
  importsOk: number;
  importProblems: string[];
  badIdsStored: string[];
  internalErrors: string[];
  protocolErrors: string[];
  outsideUnchanged: boolean;
  /** The store survived: crafted paths inside the data folder (orchestrator.db) were not deleted. */
  databaseKept: boolean;
  healthyAfter: boolean;
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

const HOSTILE_IDS = [
  "..",
  ".",
  "../..",
  "../../../x",
  "../../../../tmp",
  "a/../../..",
  "..\\..\\x",
  "/",
  "/tmp/x",
  "C:\\x",
  "",
  " ",
  "x\u0000y",
  "line\nbreak",
  "\u202Eevil",
  "%2e%2e%2f",
  "~",
  "ＡＢＣ",
  "x".repeat(300),
  ".task_orchestrator",
];

const HOSTILE_PATHS = [
  ".task_orchestrator/../../x/keep.txt",
  ".task_orchestrator/artifacts/../../../x/keep.txt",
  "../x/keep.txt",
  "/etc/hostname",
  "src/main.ts",
  ".task_orchestrator",
  ".task_orchestrator/orchestrator.db",
  ".task_orchestrator/artifacts/link/t/a.md",
];

function anId(r: Rand, n: number): string {
  return r() < 0.6 ? pick(r, HOSTILE_IDS) : `id_${n}_${Math.floor(r() * 1e6).toString(16)}`;
}

/** A value for a column the importer must type: anything SQLite can hold. */
function anyValue(r: Rand): unknown {
  return pick(r, [
    null,
    "2025-06-01 10:00:00.000000",
    "2025-06-01T10:00:00+02:00",
    "not a time",
    1_748_772_000,
    1_748_772_000_123,
    -1,
    3.5,
    1e300,
    new Uint8Array([0, 1, 2]),
    "x\u0000y",
    "",
  ]);
}

function craftLegacy(path: string, r: Rand, plans: number): void {
  const db = new Database(path, { create: true });
  db.exec(`create table task_breakdowns (parent_task_id, description, complexity, context, created_at);
    create table subtasks (task_id, parent_task_id, title, description, specialist_type, dependencies,
      estimated_effort, status, results, artifacts, created_at, completed_at);`);
  const plan = db.query("insert into task_breakdowns values (?, ?, ?, ?, ?)");
  const sub = db.query("insert into subtasks values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (let i = 0; i < plans; i++) {
    const pid = anId(r, i);
    plan.run(pid as never, anyValue(r) as never, "simple", null, anyValue(r) as never);
    for (let j = 0; j < 1 + Math.floor(r() * 3); j++) {
      sub.run(
        anId(r, i * 10 + j) as never,
        pid as never,
        anyValue(r) as never,
        "d",
        pick(r, ["tester", "ARCHITECT", 42, null]) as never,
        pick(r, ["[]", '["../.."]', "not json", 7]) as never,
        "1h",
        pick(r, ["pending", "completed", "in_progress", 5, null]) as never,
        anyValue(r) as never,
        pick(r, [null, '["../../etc/passwd"]']) as never,
        anyValue(r) as never,
        anyValue(r) as never,
      );
    }
  }
  db.close();
}

/** Rows a shared database could hold: hostile plan ids, task ids and artifact paths. */
function craftRows(dbPath: string, r: Rand, rows: number, round: number): void {
  const db = new Database(dbPath);
  const ws = (db.query("select workspace from plans limit 1").get() as { workspace: string }).workspace;
  const now = new Date().toISOString();
  for (let i = 0; i < rows; i++) {
    const planId = anId(r, round * 1000 + i);
    const taskId = anId(r, round * 1000 + i + 500);
    try {
      db.query(
        "insert into plans (workspace, id, description, complexity, status, created_at, updated_at) values (?, ?, 'crafted', 'simple', 'active', ?, ?)",
      ).run(ws, planId, now, now);
      db.query(
        "insert into tasks (workspace, id, plan_id, position, title, description, specialist_type, estimated_effort, status, created_at, updated_at) values (?, ?, ?, 0, 't', 'd', 'tester', '', 'pending', ?, ?)",
      ).run(ws, taskId, planId, now, now);
      db.query(
        "insert into artifacts (workspace, id, task_id, plan_id, type, summary, path, size, sha256, file_paths, created_at) values (?, ?, ?, ?, 'general', 's', ?, 10, '', '[]', ?)",
      ).run(ws, `artifact_${round}${i}`, taskId, planId, pick(r, HOSTILE_PATHS), now);
    } catch {
      // A duplicate id drawn twice: the constraint refuses it, as it should.
    }
  }
  db.close();
}

export async function runHostileStore(opts: { seed: number; rounds: number }): Promise<HostileStoreReport> {
  const r = prng(opts.seed);
  const base = realpathSync(mkdtempSync(join(tmpdir(), "orch-hostile-fuzz-")));
  const project = join(base, "project");
  mkdirSync(join(project, ".git"), { recursive: true });
  mkdirSync(join(project, "src"));
  writeFileSync(join(project, "src", "main.ts"), "export const precious = 1;\n");
  mkdirSync(join(base, "x"));
  writeFileSync(join(base, "x", "keep.txt"), "not yours\n");
  // The crafted legacy files are the harness's own (legacy-<n>.db); everything else is watched.
  const outside = (): string =>
    treeDigest(base, (rel) => rel === "project/.task_orchestrator" || rel.startsWith("legacy-"));
  const report: HostileStoreReport = {
    rounds: opts.rounds,
    calls: 0,
    importsOk: 0,
    importProblems: [],
    badIdsStored: [],
    internalErrors: [],
    protocolErrors: [],
    outsideUnchanged: false,
    databaseKept: false,
    healthyAfter: false,
  };
  const transport = new StdioClientTransport({
    command: BINARY,
    args: ["serve", "--workspace", project],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    stderr: "ignore",
  });
  const client = new Client({ name: "hostile-store", version: "1" });
  try {
    await client.connect(transport);
    const callTool = async (name: string, args: Record<string, unknown>): Promise<void> => {
      report.calls++;
      try {
        const res = await client.callTool({ name, arguments: args }, undefined, { timeout: 30_000 });
        const text = (res.content as { text?: string }[])[0]?.text ?? "";
        if (res.isError && (text.startsWith("INTERNAL") || !/^[A-Z_]+: \S/.test(text))) {
          if (report.internalErrors.length < 20) report.internalErrors.push(`${name}: ${text.slice(0, 200)}`);
        }
      } catch (e) {
        if (report.protocolErrors.length < 20)
          report.protocolErrors.push(
            `${name} ${JSON.stringify(args).slice(0, 100)}: ${(e as Error).message}`,
          );
      }
    };
    // A sentinel plan no call aims at: it must be there, whole, at the end.
    const sentinel = await client.callTool({
      name: "orchestrator_plan_task",
      arguments: { description: "sentinel", subtasks: [{ title: "keep me", specialist_type: "tester" }] },
    });
    const keep = sentinel.structuredContent as { parent_task_id: string; subtasks: { task_id: string }[] };
    const spare = new Set([keep.parent_task_id, ...keep.subtasks.map((t) => t.task_id)]);
    const dbPath = join(project, ".task_orchestrator", "orchestrator.db");
    // A symlink inside the data folder that leads out, for the paths below to meet.
    symlinkSync(join(base, "x"), join(project, ".task_orchestrator", "artifacts", "link"));
    const before = outside();

    for (let round = 0; round < opts.rounds; round++) {
      const legacy = join(base, `legacy-${round}.db`);
      craftLegacy(legacy, r, 4 + Math.floor(r() * 6));
      const imp = spawnSync(BINARY, ["import-legacy", "--json", "--from", legacy, "--workspace", project], {
        encoding: "utf8",
      });
      if (imp.status === 0 && imp.stderr === "") report.importsOk++;
      else if (report.importProblems.length < 20)
        report.importProblems.push(`exit ${imp.status}: ${imp.stderr.slice(0, 300)}`);
      craftRows(dbPath, r, 3 + Math.floor(r() * 4), round);

      const db = new Database(dbPath, { readonly: true });
      const ids = (
        db.query("select id, plan_id from tasks").all() as { id: string; plan_id: string }[]
      ).flatMap((t) => [t.id, t.plan_id]);
      const artifacts = (db.query("select id from artifacts").all() as { id: string }[]).map((a) => a.id);
      db.close();
      for (const id of new Set(ids.filter((i) => !spare.has(i)))) {
        await callTool("orchestrator_get_task", { task_id: id });
        await callTool("orchestrator_execute_subtask", { task_id: id });
        await callTool("orchestrator_complete_subtask", { task_id: id, summary: "s", detailed_work: "w" });
        await callTool("orchestrator_delete_task", { task_id: id, archive_instead: false, force: true });
      }
      for (const id of artifacts) await callTool("orchestrator_get_artifact", { artifact_id: id });
      await callTool("orchestrator_get_status", { include_completed: true });
      await callTool("orchestrator_maintenance_coordinator", { action: "update_documentation" });
      await callTool("orchestrator_maintenance_coordinator", { action: "validate_structure" });
      await callTool("orchestrator_maintenance_coordinator", {
        action: "validate_structure",
        repair: r() < 0.5,
      });
    }
    // What import-legacy stored must pass the id rule (crafted rows are the shared database's doing).
    const db = new Database(dbPath, { readonly: true });
    const events = db
      .query(
        "select distinct task_id as id from events where note like 'imported from%' and task_id is not null",
      )
      .all() as { id: string }[];
    const plans = db
      .query("select distinct plan_id as id from events where note like 'imported from%'")
      .all() as {
      id: string;
    }[];
    db.close();
    report.badIdsStored = [...events, ...plans].map((e) => e.id).filter((id) => !isValidId(id));
    report.outsideUnchanged = outside() === before;
    const check = new Database(dbPath, { readonly: true });
    report.databaseKept =
      (check.query("pragma quick_check").get() as { quick_check: string }).quick_check === "ok" &&
      check.query("select 1 from tasks where plan_id = ?").get(keep.parent_task_id) !== null;
    check.close();
    const health = await client.callTool({ name: "orchestrator_health_check", arguments: {} });
    report.healthyAfter = !health.isError && (health.structuredContent as { healthy: boolean }).healthy;
  } finally {
    await client.close().catch(() => {});
    rmSync(base, { recursive: true, force: true });
  }
  return report;
}
