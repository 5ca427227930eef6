/**
 * Crash safety of the server: agents stream plan → execute → complete calls (some with
 * multi-megabyte results, so kills land in artifact writes) at compiled `serve` processes, which
 * are SIGKILLed at seeded random moments (every other kill waits for a completion in flight and
 * hits its server) and restarted. Afterwards every acknowledged call must
 * be fully present, and nothing half-written may remain once validate_structure has run.
 * With `db` (a postgres:// URL, or a SQLite file) every server shares that store instead of the
 * workspace's file: the same suite on PostgreSQL (issue 13).
 * Used by tests/e2e/crash-safety.test.ts, tests/e2e/postgres-faults.test.ts (fast) and
 * scripts/stress.ts (full).
 */

import { existsSync, readdirSync, readFileSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { sha256 } from "../../src/platform/fs.ts";
import { StoreCache } from "../../src/store/cache.ts";
import type { Store } from "../../src/store/open.ts";
import { BINARY } from "../helpers/client.ts";
import { prng } from "../helpers/config-corpus.ts";

export interface CrashReport {
  kills: number;
  killsDuringComplete: number;
  plansAcked: number;
  completesAcked: number;
  integrity: string;
  problems: string[];
  orphanFilesMoved: number;
  /** Local copies a kill between the commit and the copy left missing, written again by repair. */
  copiesRestored: number;
  validateAfterRepair: { errors: number; orphanFiles: number };
}

interface Server {
  client: Client;
  transport: StdioClientTransport;
  completesInFlight: number;
  alive: boolean;
}

export async function runCrashSafety(opts: {
  workspace: string;
  seed: number;
  kills: number;
  processes: number;
  agentsPerProcess: number;
  db?: string;
}): Promise<CrashReport> {
  const r = prng(opts.seed);
  const plans = new Map<string, number>(); // plan id → subtask count
  const completes = new Map<string, { artifactId: string; sha256: string; path: string }>();
  const problems: string[] = [];
  let killsDuringComplete = 0;
  let copiesMissing = 0;
  // Woken when an agent sends a completion: half the kills wait for one to be in flight so the
  // count of kills inside a completion does not hang on how fast this machine runs today.
  let completeStarted: (() => void) | undefined;

  const start = async (): Promise<Server> => {
    const transport = new StdioClientTransport({
      command: BINARY,
      // The process that writes must be the one killed: no supervisor in between.
      args: [
        "serve",
        "--no-supervisor",
        "--workspace",
        opts.workspace,
        ...(opts.db ? ["--db", opts.db] : []),
      ],
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      stderr: "ignore",
    });
    const client = new Client({ name: "crash", version: "1" });
    await client.connect(transport);
    return { client, transport, completesInFlight: 0, alive: true };
  };

  const agent = async (s: Server, name: string): Promise<void> => {
    while (s.alive) {
      try {
        const n = 1 + Math.floor(r() * 3);
        const plan = await s.client.callTool({
          name: "orchestrator_plan_task",
          arguments: {
            description: `crash ${name}`,
            subtasks: Array.from({ length: n }, (_, i) => ({ title: `t${i}`, specialist_type: "tester" })),
          },
        });
        if (plan.isError) throw new Error(JSON.stringify(plan.content));
        const sc = plan.structuredContent as { parent_task_id: string; subtasks: { task_id: string }[] };
        plans.set(sc.parent_task_id, n);
        for (const t of sc.subtasks) {
          const ex = await s.client.callTool({
            name: "orchestrator_execute_subtask",
            arguments: { task_id: t.task_id, agent_id: name },
          });
          if (ex.isError) throw new Error(JSON.stringify(ex.content));
          const big = r() < 0.4;
          const work = big ? "x".repeat(1_000_000 + Math.floor(r() * 2_000_000)) : `done ${t.task_id}`;
          s.completesInFlight++;
          completeStarted?.();
          let done: Awaited<ReturnType<Client["callTool"]>>;
          try {
            done = await s.client.callTool({
              name: "orchestrator_complete_subtask",
              arguments: { task_id: t.task_id, agent_id: name, summary: "ok", detailed_work: work },
            });
          } finally {
            s.completesInFlight--;
          }
          if (done.isError) throw new Error(JSON.stringify(done.content));
          const a = (
            done.structuredContent as { artifact: { artifact_id: string; sha256: string; path: string } }
          ).artifact;
          completes.set(t.task_id, { artifactId: a.artifact_id, sha256: a.sha256, path: a.path });
        }
      } catch (e) {
        if (s.alive)
          problems.push(`a call failed while its server was alive: ${(e as Error).message.slice(0, 300)}`);
        return;
      }
    }
  };

  const servers: Server[] = [];
  const loops: Promise<void>[] = [];
  const launch = async (slot: number): Promise<void> => {
    const s = await start();
    servers[slot] = s;
    for (let a = 0; a < opts.agentsPerProcess; a++) loops.push(agent(s, `agent-${slot}-${a}`));
  };
  for (let i = 0; i < opts.processes; i++) await launch(i);

  for (let k = 0; k < opts.kills; k++) {
    await new Promise((res) => setTimeout(res, 30 + r() * 250));
    let slot = Math.floor(r() * opts.processes);
    if (k % 2 === 0) {
      let busy = servers.findIndex((s) => s.completesInFlight > 0);
      if (busy < 0) {
        // The wait is bounded so a run whose agents all failed still ends (and reports why).
        await new Promise<void>((res) => {
          const give = setTimeout(res, 10_000);
          completeStarted = () => {
            clearTimeout(give);
            res();
          };
        });
        completeStarted = undefined;
        busy = servers.findIndex((s) => s.completesInFlight > 0);
        // Up to a few ms on, so some kills land inside the server's write, not only in the pipe
        // (a large completion's write takes longer than that; the count below is taken at the kill).
        await new Promise((res) => setTimeout(res, r() * 4));
      }
      if (busy >= 0) slot = busy;
    }
    const victim = servers[slot] as Server;
    if (victim.completesInFlight > 0) killsDuringComplete++;
    victim.alive = false;
    const pid = victim.transport.pid;
    if (pid) process.kill(pid, "SIGKILL");
    await victim.client.close().catch(() => {});
    await launch(slot);
  }
  for (const s of servers) s.alive = false;
  await Promise.all(servers.map((s) => s.client.close().catch(() => {})));
  await Promise.allSettled(loops);

  // Check with a fresh handle: every acknowledged call present, nothing half-written.
  const target = opts.db ?? join(opts.workspace, ".task_orchestrator", "orchestrator.db");
  const stores = new StoreCache();
  const store = await stores.get(target);
  let integrity = "not run";
  try {
    integrity = (await store.checkIntegrity(true)).join("; ");
    problems.push(...(await counterProblems(store.db)));
    for (const [planId, n] of plans) {
      const count = await store.db
        .selectFrom("tasks")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("plan_id", "=", planId)
        .executeTakeFirst();
      if (Number(count?.n ?? 0) !== n)
        problems.push(`plan ${planId}: ${count?.n ?? 0} tasks stored, ${n} acknowledged`);
    }
    for (const [taskId, a] of completes) {
      const task = await store.db
        .selectFrom("tasks")
        .select("status")
        .where("id", "=", taskId)
        .executeTakeFirst();
      if (task?.status !== "completed")
        problems.push(`task ${taskId}: acknowledged complete, stored ${task?.status}`);
      const row = await store.db
        .selectFrom("artifacts")
        .selectAll()
        .where("id", "=", a.artifactId)
        .executeTakeFirst();
      if (!row || row.sha256 !== a.sha256)
        problems.push(`artifact ${a.artifactId}: row missing or checksum differs`);
    }
    // The row holds the text; the file is a local copy written after the commit, so a kill in
    // between may leave it missing (validate_structure's repair writes it again, checked below),
    // but a copy that is there is whole (temp file + rename).
    const rows = await store.db.selectFrom("artifacts").select(["id", "path", "sha256", "content"]).execute();
    for (const row of rows) {
      if (row.content === null || sha256(row.content) !== row.sha256)
        problems.push(`artifact ${row.id}: stored text missing or checksum differs`);
      const file = join(opts.workspace, row.path);
      if (!existsSync(file)) copiesMissing++;
      else if (sha256(readFileSync(file)) !== row.sha256)
        problems.push(`artifact ${row.id}: local copy checksum differs`);
    }
  } finally {
    await stores.closeAll();
  }

  // Temp files of a copy killed mid-write are cleaned by validate_structure, and missing copies written again.
  const fresh = await start();
  const validate = async (repair: boolean) => {
    const v = await fresh.client.callTool({
      name: "orchestrator_maintenance_coordinator",
      arguments: { action: "validate_structure", repair },
    });
    return v.structuredContent as {
      findings: { kind: string; severity: string }[];
      actions_taken: unknown[];
    };
  };
  const found = await validate(false);
  // validate_structure leaves files younger than a minute alone (they may be another process's
  // write in flight); every server is stopped now, so age them as if the user came back later.
  const past = new Date(Date.now() - 5 * 60_000);
  for (const file of listFiles(join(opts.workspace, ".task_orchestrator", "artifacts")))
    utimesSync(file, past, past);
  const repaired = await validate(true);
  const second = await validate(false);
  await fresh.client.close();
  const restored = repaired.actions_taken.filter(
    (a) => (a as { action: string }).action === "restore_local_copy",
  );
  if (restored.length !== copiesMissing)
    problems.push(
      `${copiesMissing} local copies were missing, validate_structure wrote ${restored.length} again`,
    );
  {
    const checks = new StoreCache();
    const check = await checks.get(target);
    try {
      for (const row of await check.db.selectFrom("artifacts").select(["id", "path", "sha256"]).execute()) {
        const file = join(opts.workspace, row.path);
        if (!existsSync(file) || sha256(readFileSync(file)) !== row.sha256)
          problems.push(`artifact ${row.id}: local copy missing or different after repair`);
      }
    } finally {
      await checks.closeAll();
    }
  }
  if (
    repaired.findings.filter((f) => f.kind === "orphan_file").length !==
    found.findings.filter((f) => f.kind === "orphan_file").length
  )
    problems.push("validate_structure found a different number of orphan files before and after ageing");
  return {
    kills: opts.kills,
    killsDuringComplete,
    plansAcked: plans.size,
    completesAcked: completes.size,
    integrity,
    problems,
    orphanFilesMoved: repaired.actions_taken.length - restored.length,
    copiesRestored: restored.length,
    validateAfterRepair: {
      errors: second.findings.filter((f) => f.severity === "error").length,
      orphanFiles: second.findings.filter((f) => f.kind === "orphan_file").length,
    },
  };
}

/** A plan's counters must match its tasks: a torn write would leave them apart. */
export async function counterProblems(db: Store["db"]): Promise<string[]> {
  const counted = await db
    .selectFrom("tasks")
    .select(["plan_id", "status", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy(["plan_id", "status"])
    .execute();
  const byPlan = new Map<string, Map<string, number>>();
  for (const c of counted) {
    const m = byPlan.get(c.plan_id) ?? new Map<string, number>();
    m.set(c.status, Number(c.n));
    byPlan.set(c.plan_id, m);
  }
  const plans = await db.selectFrom("plans").selectAll().execute();
  const problems: string[] = [];
  for (const p of plans) {
    const m = byPlan.get(p.id) ?? new Map<string, number>();
    const want: Record<string, number> = { n_total: 0 };
    for (const status of ["pending", "active", "blocked", "completed", "failed", "cancelled"]) {
      want[`n_${status}`] = m.get(status) ?? 0;
      want.n_total = (want.n_total ?? 0) + (m.get(status) ?? 0);
    }
    for (const [k, v] of Object.entries(want)) {
      const stored = Number(p[k as keyof typeof p]);
      if (stored !== v) problems.push(`plan ${p.id}: ${k} ${stored}, its tasks say ${v}`);
    }
  }
  return problems;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}
