/**
 * Load: N compiled servers on one workspace (or several workspaces sharing one `--db`: a SQLite
 * file or a postgres:// URL), each
 * driving plan → execute → complete cycles. Reports throughput, per-call p50/p99, errors, and
 * lost or doubled updates (every acknowledged completion stored exactly once, with one artifact).
 * Soak: one server under a long stream of calls, RSS of its worker at the start and the end.
 * Used by tests/e2e/load.test.ts (fast), bench/run.ts and scripts/stress.ts (full).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StoreCache } from "../../src/store/cache.ts";
import { BINARY } from "../helpers/client.ts";
import { counterProblems } from "./crash-safety.ts";

export interface LoadReport {
  processes: number;
  operations: number;
  seconds: number;
  operations_per_s: number;
  call_ms: { p50: number; p99: number };
  errors: number;
  acknowledged_completions: number;
  stored_completions: number;
  stored_artifacts: number;
  lost_or_doubled: number;
  /** Tasks whose claim was acknowledged to two agents (claim "next" only; else 0). */
  double_claims: number;
  /** Plans whose stored counters differ from their tasks (each a line; none expected). */
  counter_problems: string[];
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}
const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

async function connect(args: string[], name: string): Promise<{ client: Client; pid: number }> {
  const transport = new StdioClientTransport({
    command: BINARY,
    args: ["serve", ...args],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    stderr: "inherit",
  });
  const client = new Client({ name, version: "1" });
  await client.connect(transport);
  return { client, pid: transport.pid ?? -1 };
}

/**
 * `opsPerProcess` operations per server (3 per cycle). With `db`, server i works in
 * workspaces[i % workspaces.length] and every server shares that database file.
 */
export async function runLoad(opts: {
  workspaces: readonly string[];
  db?: string;
  processes: number;
  opsPerProcess: number;
  /**
   * "own" (default): each server claims the task it just planned. "next": it claims the next
   * ready task of the project, whoever planned it, so servers race for the same tasks and a
   * task handed to two agents shows as a double claim.
   */
  claim?: "own" | "next";
}): Promise<LoadReport> {
  const servers = await Promise.all(
    Array.from({ length: opts.processes }, (_, i) => {
      const ws = opts.workspaces[i % opts.workspaces.length] as string;
      return connect(["--workspace", ws, ...(opts.db ? ["--db", opts.db] : [])], `load-${i}`);
    }),
  );
  const cycles = Math.ceil(opts.opsPerProcess / 3);
  const latencies: number[] = [];
  let errors = 0;
  let acked = 0;
  const claimedBy = new Map<string, number>();
  const timed = async <T>(f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const v = await f();
    latencies.push(performance.now() - t);
    return v;
  };
  const t0 = performance.now();
  await Promise.all(
    servers.map(async ({ client }, i) => {
      for (let n = 0; n < cycles; n++) {
        try {
          const plan = await timed(() =>
            client.callTool({
              name: "orchestrator_plan_task",
              arguments: {
                description: `p${i}-${n}`,
                subtasks: [{ title: "w", specialist_type: "implementer" }],
              },
            }),
          );
          if (plan.isError) throw new Error("plan failed");
          const planned = (plan.structuredContent as { subtasks: { task_id: string }[] }).subtasks[0]
            ?.task_id;
          const next = opts.claim === "next";
          const ex = await timed(() =>
            client.callTool({
              name: "orchestrator_execute_subtask",
              arguments: next ? { agent_id: `a${i}` } : { task_id: planned, agent_id: `a${i}` },
            }),
          );
          if (ex.isError) throw new Error("execute failed");
          const id = next ? (ex.structuredContent as { task_id: string }).task_id : planned;
          // A task is named by its project and its id: ids keep the Python orchestrator's
          // `<role>_<6 hex>`, unique within a project only, so two workspaces sharing one database
          // draw the same id now and then (about one run in ten at this size) without any task
          // being handed out twice.
          const task = `${opts.workspaces[i % opts.workspaces.length]}\u0000${id}`;
          if (id) claimedBy.set(task, (claimedBy.get(task) ?? 0) + 1);
          const co = await timed(() =>
            client.callTool({
              name: "orchestrator_complete_subtask",
              arguments: { task_id: id, agent_id: `a${i}`, summary: "s", detailed_work: `w${i}-${n}` },
            }),
          );
          if (co.isError) throw new Error("complete failed");
          acked++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(servers.map((s) => s.client.close()));
  const dbPaths = opts.db
    ? [opts.db]
    : opts.workspaces.map((w) => join(w, ".task_orchestrator", "orchestrator.db"));
  let stored = 0;
  let artifacts = 0;
  const counters: string[] = [];
  const stores = new StoreCache();
  try {
    for (const p of dbPaths) {
      const { db } = await stores.get(p);
      const done = await db
        .selectFrom("tasks")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("status", "=", "completed")
        .executeTakeFirstOrThrow();
      const files = await db
        .selectFrom("artifacts")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      counters.push(...(await counterProblems(db)));
      stored += Number(done.n);
      artifacts += Number(files.n);
    }
  } finally {
    await stores.closeAll();
  }
  const operations = opts.processes * cycles * 3;
  return {
    processes: opts.processes,
    operations,
    seconds: round(seconds, 2),
    operations_per_s: Math.round(operations / seconds),
    call_ms: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) },
    errors,
    acknowledged_completions: acked,
    stored_completions: stored,
    stored_artifacts: artifacts,
    lost_or_doubled: Math.abs(stored - acked) + Math.abs(artifacts - acked),
    double_claims: [...claimedBy.values()].filter((n) => n > 1).length,
    counter_problems: counters,
  };
}

/**
 * Memory (MiB) of `serve`: the supervisor `pid` plus its children (the worker), together and
 * apart, current (RSS) and peak (HWM). Linux /proc only; a process that is gone counts 0.
 */
export function memoryOf(pid: number): {
  rss: number;
  hwm: number;
  worker_rss: number;
  supervisor_rss: number;
} {
  const one = (p: number): { rss: number; hwm: number } => {
    try {
      const s = readFileSync(`/proc/${p}/status`, "utf8");
      const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
      return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
    } catch {
      return { rss: 0, hwm: 0 };
    }
  };
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    children = [];
  }
  const sup = one(pid);
  const w = children
    .map(one)
    .reduce((x, y) => ({ rss: x.rss + y.rss, hwm: x.hwm + y.hwm }), { rss: 0, hwm: 0 });
  return {
    rss: round(sup.rss + w.rss, 1),
    hwm: round(sup.hwm + w.hwm, 1),
    worker_rss: round(w.rss, 1),
    supervisor_rss: round(sup.rss, 1),
  };
}

/** RSS (MiB) of a process and its children (serve's supervisor + worker). */
export function rssTree(pid: number): number {
  return memoryOf(pid).rss;
}

export interface SoakReport {
  calls: number;
  seconds: number;
  /** RSS (supervisor + worker) after each tenth of the calls. */
  rss_samples_mib: number[];
  rss_start_mib: number;
  rss_end_mib: number;
  /** Growth over the second half: warm-up is over by then, so steady growth here is a leak. */
  second_half_growth_mib: number;
  errors: number;
}

/** One server, `calls` calls (a plan/execute/complete cycle every 10 calls, reads otherwise). */
export async function runSoak(opts: { workspace: string; calls: number }): Promise<SoakReport> {
  const { client, pid } = await connect(["--workspace", opts.workspace], "soak");
  let errors = 0;
  let next = 0;
  const samples: number[] = [];
  const tenth = Math.max(1, Math.floor(opts.calls / 10));
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < opts.calls) {
      const n = next;
      next += n % 10 === 0 ? 3 : 1;
      if (Math.floor(next / tenth) > Math.floor(n / tenth)) samples.push(rssTree(pid));
      try {
        if (n % 10 === 0) {
          const plan = await client.callTool({
            name: "orchestrator_plan_task",
            arguments: { description: `soak ${n}`, subtasks: [{ title: "w", specialist_type: "tester" }] },
          });
          const id = (plan.structuredContent as { subtasks: { task_id: string }[] }).subtasks[0]?.task_id;
          await client.callTool({ name: "orchestrator_execute_subtask", arguments: { task_id: id } });
          const co = await client.callTool({
            name: "orchestrator_complete_subtask",
            arguments: { task_id: id, summary: "s", detailed_work: "w" },
          });
          if (co.isError) errors++;
        } else {
          const r = await client.callTool({ name: "orchestrator_get_status", arguments: { limit: 5 } });
          if (r.isError) errors++;
        }
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  samples.push(rssTree(pid));
  const seconds = (performance.now() - t0) / 1000;
  await client.close();
  const start = samples[0] ?? 0;
  const end = samples.at(-1) ?? 0;
  const mid = samples[Math.floor(samples.length / 2)] ?? start;
  return {
    calls: opts.calls,
    seconds: round(seconds, 1),
    rss_samples_mib: samples,
    rss_start_mib: start,
    rss_end_mib: end,
    second_half_growth_mib: round(end - mid, 1),
    errors,
  };
}
