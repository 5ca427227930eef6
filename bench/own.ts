/**
 * The orchestrator-only sections of `bun run bench`: cold start, the supervisor's relay and restart
 * costs, doctor, and load on stores of ~100 to ~100,000 tasks.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { sql } from "kysely";
import { planTask } from "../src/app/plan-task.ts";
import { DEFAULT_SETTINGS } from "../src/core/settings.ts";
import { randomHex } from "../src/platform/fs.ts";
import { initializeRequest } from "../src/protocol/handshake.ts";
import { StoreCache } from "../src/store/cache.ts";
import { createDataFiles } from "../src/workspace/data-files.ts";
import { readProjectIdentity } from "../src/workspace/project.ts";
import { createRoleLoader } from "../src/workspace/roles.ts";
import { memoryOf, percentile } from "../tests/stress/load.ts";
import { BINARY, IDLE_AFTER_MS, inFlight, oneAtATime, planBenchTasks, removeAtEnd, round } from "./_util.ts";

export async function coldStart(
  workspace: string,
  runs: number,
  extraArgs: readonly string[] = [],
): Promise<{ median: number; min: number; p95: number }> {
  const init = `${JSON.stringify(initializeRequest(1, "bench", "1"))}\n`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const child = spawn(BINARY, ["serve", "--workspace", workspace, ...extraArgs], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.once("data", () => {
        times.push(performance.now() - t0);
        resolve();
      });
      child.once("error", reject);
      child.stdin.write(init);
    });
    child.stdin.end();
    await new Promise((r) => child.once("exit", r));
  }
  return {
    median: round(percentile(times, 50)),
    min: round(Math.min(...times)),
    p95: round(percentile(times, 95)),
  };
}

/**
 * Fills the store (the workspace's SQLite file, or `db`: a postgres:// URL) in-process through the
 * same use-case the server runs, not through MCP, then marks old plans done.
 */
async function seed(workspace: string, tasks: number, db?: string): Promise<void> {
  const stores = new StoreCache();
  const store = await stores.get(db ?? join(workspace, ".task_orchestrator", "orchestrator.db"));
  const loader = createRoleLoader();
  // Seeded under the key the server will use, so its first write has nothing to move.
  const identity = readProjectIdentity(workspace, undefined);
  const ctx = {
    store,
    project: identity.id,
    identity,
    workspace,
    files: createDataFiles(workspace),
    clock: { now: () => new Date().toISOString() },
    random: { hex: randomHex },
    settings: DEFAULT_SETTINGS,
    roles: () => loader.load(workspace),
  };
  const perPlan = 10;
  for (let p = 0; p < tasks / perPlan; p++) {
    const subtasks = Array.from({ length: perPlan }, (_, i) => ({
      title: `Task ${i} of plan ${p}`,
      description: "Seeded history for the benchmark",
      specialist_type: ["architect", "implementer", "tester", "reviewer"][i % 4],
      dependencies: i > 0 ? [`Task ${i - 1} of plan ${p}`] : [],
    }));
    await planTask(ctx, { description: `Seeded plan ${p}`, subtasks, complexity: "moderate" });
    // PostgreSQL plans from statistics, which autovacuum gathers; with it off (the development
    // server) and none gathered, inserts on one long-lived connection slowed from ~1 ms to 300 ms
    // by 67,000 tasks. Gathering them as autovacuum would keeps the seed linear.
    if (db && p % 500 === 20) await sql`analyze`.execute(store.db);
  }
  // History: all seeded plans but 5 are finished work (bulk update; the benchmark measures the
  // calls below, not the seeding). `not in (... limit 5)` reads the same in both dialects.
  await sql`update tasks set status = 'completed', completed_at = updated_at, summary = 'done'
    where plan_id not in (select id from plans order by created_at limit 5)`.execute(store.db);
  await sql`update plans set status = 'completed', n_completed = n_total, n_pending = 0, completed_at = updated_at
    where id not in (select id from plans order by created_at limit 5)`.execute(store.db);
  if (db) await sql`analyze`.execute(store.db); // fresh statistics, as autovacuum would give a live server
  await stores.closeAll();
}

/** With `db` (a postgres:// URL of an empty database) the server and the seed use it. */
export async function loadRun(
  label: string,
  seededTasks: number,
  calls: number,
  db?: string,
): Promise<Record<string, unknown>> {
  const ws = mkdtempSync(join(tmpdir(), "orch-bench-"));
  mkdirSync(join(ws, ".git"));
  mkdirSync(join(ws, ".task_orchestrator"), { recursive: true });
  const t0 = performance.now();
  if (seededTasks > 0) await seed(ws, seededTasks, db);
  const seedSeconds = round((performance.now() - t0) / 1000, 1);

  const transport = new StdioClientTransport({
    command: BINARY,
    args: ["serve", "--workspace", ws, ...(db ? ["--db", db] : [])],
    stderr: "inherit",
  });
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(transport);
  const pid = transport.pid!;
  const callOk = async (name: string, args: Record<string, unknown>) => {
    const r = await client.callTool({ name, arguments: args });
    if (r.isError) throw new Error(`${name}: ${JSON.stringify(r.content)}`);
    return r.structuredContent as Record<string, any>;
  };
  await callOk("orchestrator_get_status", {});
  await new Promise((r) => setTimeout(r, IDLE_AFTER_MS));
  const idle = memoryOf(pid);

  const ids = await planBenchTasks(callOk, calls);
  for (let i = 0; i < 200; i++) await callOk("orchestrator_get_status", {}); // warm-up

  const status = await inFlight(calls, () => callOk("orchestrator_get_status", {}));
  // One at a time: the service time itself, without waiting behind the 7 others.
  const sequential: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await callOk("orchestrator_get_status", {});
    sequential.push(performance.now() - t);
  }
  // The same path's floor: a ping crosses the client, the supervisor and the worker and touches
  // no store, so its tail is the machine's and the transport's, not get_status's.
  const pings = await oneAtATime(calls, () => client.ping());
  const answerBytes = async (name: string, args: Record<string, unknown>) =>
    Buffer.byteLength(JSON.stringify(await client.callTool({ name, arguments: args })));
  const answer_bytes = {
    get_status: await answerBytes("orchestrator_get_status", {}),
    query_tasks_200: await answerBytes("orchestrator_query_tasks", { limit: 200 }),
  };
  const te = performance.now();
  const execs = await inFlight(calls, (i) => callOk("orchestrator_execute_subtask", { task_id: ids[i] }));
  const executeSeconds = (performance.now() - te) / 1000;
  const tc = performance.now();
  const completes = await inFlight(calls, (i) =>
    callOk("orchestrator_complete_subtask", {
      task_id: ids[i],
      summary: "ok",
      detailed_work: `result ${i}`,
      next_action: "complete",
    }),
  );
  const completeSeconds = (performance.now() - tc) / 1000;
  const mem = memoryOf(pid);
  await client.close();
  removeAtEnd(ws);
  return {
    label,
    seeded_tasks: seededTasks,
    seed_seconds: seedSeconds,
    calls_per_phase: calls,
    get_status_ms: { p50: round(percentile(status, 50), 3), p99: round(percentile(status, 99), 3) },
    get_status_sequential_ms: {
      p50: round(percentile(sequential, 50), 3),
      p99: round(percentile(sequential, 99), 3),
    },
    ping_sequential_ms: { p50: round(percentile(pings, 50), 3), p99: round(percentile(pings, 99), 3) },
    answer_bytes,
    execute_subtask_ms: { p50: round(percentile(execs, 50), 3), p99: round(percentile(execs, 99), 3) },
    complete_subtask_ms: {
      p50: round(percentile(completes, 50), 3),
      p99: round(percentile(completes, 99), 3),
    },
    execute_per_s: Math.round(calls / executeSeconds),
    complete_per_s: Math.round(calls / completeSeconds),
    state_changes_per_s: Math.round((2 * calls) / (executeSeconds + completeSeconds)),
    rss_idle_mib: idle.rss,
    rss_idle_worker_mib: idle.worker_rss,
    rss_idle_supervisor_mib: idle.supervisor_rss,
    rss_peak_mib: mem.hwm,
  };
}

/**
 * The supervisor's cost (docs/reboot.md): per-call relay latency (sequential get_status through
 * the supervisor vs `--no-supervisor`, same workspace) and restart time (restart_server answered,
 * and a call sent right after it answered by the new worker).
 */
export async function reboot(calls: number, restarts: number): Promise<Record<string, unknown>> {
  const ws = mkdtempSync(join(tmpdir(), "orch-reboot-"));
  mkdirSync(join(ws, ".git"));
  const connect = async (args: string[]) => {
    const transport = new StdioClientTransport({
      command: BINARY,
      args: ["serve", "--workspace", ws, "--tools", "all", ...args],
      stderr: "inherit",
    });
    const client = new Client({ name: "bench", version: "1" });
    await client.connect(transport);
    return client;
  };
  const sequential = async (client: Client): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now();
      const r = await client.callTool({ name: "orchestrator_get_status", arguments: {} });
      if (r.isError) throw new Error(JSON.stringify(r.content));
      times.push(performance.now() - t0);
    }
    return times.slice(Math.floor(calls / 10)); // the first tenth warms up
  };
  const direct = await connect(["--no-supervisor"]);
  const supervised = await connect([]);
  const seed = await direct.callTool({
    name: "orchestrator_plan_task",
    arguments: { description: "bench", subtasks: [{ title: "a", specialist_type: "tester" }] },
  });
  if (seed.isError) throw new Error(JSON.stringify(seed.content));
  // Interleave the two to share any machine noise fairly.
  const d: number[] = [];
  const sv: number[] = [];
  for (let round = 0; round < 4; round++) {
    d.push(...(await sequential(direct)));
    sv.push(...(await sequential(supervised)));
  }
  const restartMs: number[] = [];
  const firstAnswerMs: number[] = [];
  for (let i = 0; i < restarts; i++) {
    const t0 = performance.now();
    const restart = supervised.callTool({
      name: "orchestrator_restart_server",
      arguments: { reason: "manual_request" },
    });
    const after = supervised.callTool({ name: "orchestrator_get_status", arguments: {} }).then(() => {
      firstAnswerMs.push(performance.now() - t0);
    });
    const r = await restart;
    restartMs.push(performance.now() - t0);
    if (r.isError) throw new Error(JSON.stringify(r.content));
    await after;
  }
  await direct.close();
  await supervised.close();
  removeAtEnd(ws);
  const p50d = percentile(d, 50);
  const p50s = percentile(sv, 50);
  return {
    calls_each: d.length,
    get_status_direct_ms: { p50: round(p50d, 3), p99: round(percentile(d, 99), 3) },
    get_status_supervised_ms: { p50: round(p50s, 3), p99: round(percentile(sv, 99), 3) },
    relay_overhead_p50_ms: round(p50s - p50d, 3),
    restart_call_ms: { p50: round(percentile(restartMs, 50)), max: round(Math.max(...restartMs)) },
    restart_to_first_answer_ms: {
      p50: round(percentile(firstAnswerMs, 50)),
      max: round(Math.max(...firstAnswerMs)),
    },
    restarts,
  };
}

/** `orchestrator doctor` on a healthy setup (3 clients registered, a used workspace): wall time. */
export function doctorTime(runs: number): { median: number; max: number; clients: number } {
  const home = mkdtempSync(join(tmpdir(), "orch-doctor-bench-"));
  const project = join(home, "project");
  mkdirSync(join(project, ".git"), { recursive: true });
  const env = { HOME: home, PATH: process.env.PATH ?? "", ORCHESTRATOR_HOME: join(home, ".data") };
  mkdirSync(join(home, ".config", "zed"), { recursive: true });
  for (const client of ["cursor", "vscode", "zed"]) {
    const r = spawnSync(BINARY, ["install", "--client", client], { cwd: project, env });
    if (r.status !== 0) throw new Error(`install ${client} failed: ${r.stderr}`);
  }
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(BINARY, ["doctor", "--json"], { cwd: project, env, encoding: "utf8" });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`doctor failed on a healthy setup: ${r.stdout}`);
  }
  rmSync(home, { recursive: true, force: true });
  return { median: round(percentile(times, 50)), max: round(Math.max(...times)), clients: 3 };
}
