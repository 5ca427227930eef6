/**
 * Ours beside the reference server in one run, interleaved so both share the machine's noise:
 * time to ready, what tools/list costs a model, per-call latency, calls/s with 8 in flight, idle
 * memory. Issue 16's targets are ratios to the reference (or byte budgets), printed with each.
 */
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { memoryOf, percentile } from "../tests/stress/load.ts";
import { IDLE_AFTER_MS, IN_FLIGHT, inFlight, oneAtATime, p50p99, round } from "./_util.ts";
import { type BenchServer, orchestrator, serverMemory } from "./servers.ts";

/** Issue 16's byte budgets (also held by tests/unit/tool-list-budget.test.ts). */
export const CONTEXT_BUDGET = { standard: 12_000, core: 7_000, tools_list: 25_000 } as const;
/** Issue 16 target 5's sizes, read as tests/integration/answer-size.test.ts holds them (8 KB, 30 KB). */
export const ANSWER_BUDGET = { get_status: 8_000, tasks_200: 30_000 } as const;

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/** What a model pays: compact tools/list, and names + descriptions + input schemas. */
export function contextBytes(tools: readonly Tool[]): { tools: number; tools_list: number; model: number } {
  return {
    tools: tools.length,
    tools_list: bytes({ tools }),
    model: bytes(
      tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })),
    ),
  };
}

const median = (xs: number[]): number => round(percentile(xs, 50));

export interface VersusOptions {
  readyRuns: number;
  calls: number;
  loadCalls: number;
}

/** One server's figures from `sideBySide`, in the shape bench/results.json keeps. */
export interface Side {
  ready_initialize_ms: number;
  ready_ms: number;
  create_ms: { p50: number; p99: number };
  update_ms: { p50: number; p99: number };
  create_per_s: number;
  update_per_s: number;
  /** Creates acknowledged under load that the server does not hold afterwards. */
  lost: number;
  /** Creates answered with an error under load (not acknowledged, so not counted as lost). */
  failed_creates: number;
  failed_updates: number;
  idle_rss_mib: number;
  idle_rss_supervisor_mib: number;
  idle_rss_worker_mib: number;
  rss_after_load_mib: number;
}

/**
 * Measures `servers` in one run, interleaved phase by phase so all share the machine's noise:
 * time to ready (each spawned `readyRuns` times, in turn), idle memory once connected, per-call
 * latency one at a time (rounds of create + update, in turn, the first round a warm-up), then
 * creates and updates with IN_FLIGHT in flight and what the server holds after them (a write
 * acknowledged but not held is lost). Returns each server's figures by label and its tools/list.
 */
export async function sideBySide(
  servers: readonly BenchServer[],
  opts: VersusOptions,
): Promise<{ sides: Map<string, Side>; lists: Map<string, readonly Tool[]> }> {
  // 1. Ready: spawn → initialize answer → first tools/list answer, alternating servers.
  const ready = new Map(servers.map((s) => [s.label, { init: [] as number[], list: [] as number[] }]));
  const lists = new Map<string, readonly Tool[]>();
  for (let i = 0; i < opts.readyRuns; i++) {
    for (const s of servers) {
      const c = await s.connect();
      ready.get(s.label)!.init.push(c.initializeMs);
      ready.get(s.label)!.list.push(c.readyMs);
      lists.set(s.label, c.tools);
      await c.close();
    }
  }
  process.stderr.write(`versus: ready measured (${opts.readyRuns} runs each)\n`);

  // 2 + 3 on one long-lived connection each.
  const conns = await Promise.all(servers.map((s) => s.connect()));
  // Idle memory once connected and answering (for ours the sum of supervisor and worker),
  // read after IDLE_AFTER_MS without a call.
  for (const [k, s] of servers.entries()) await s.stored(conns[k]!.client);
  await new Promise((r) => setTimeout(r, IDLE_AFTER_MS));
  const idle = new Map(conns.map((c, k) => [servers[k]!.label, memoryOf(c.pid)]));
  let serial = 0;
  const next = (): number => serial++;
  const perCall = new Map(servers.map((s) => [s.label, { create: [] as number[], update: [] as number[] }]));
  const rounds = 5;
  const batch = Math.ceil(opts.calls / rounds);
  for (let r = 0; r < rounds + 1; r++) {
    for (const [k, s] of servers.entries()) {
      const client = conns[k]!.client;
      const ids: string[] = [];
      const creates = await oneAtATime(batch, async () => ids.push(await s.create(client, next())));
      const updates = await oneAtATime(batch, (i) => s.update(client, ids[i]!, i));
      if (r === 0) continue; // the first round warms up
      perCall.get(s.label)!.create.push(...creates);
      perCall.get(s.label)!.update.push(...updates);
    }
  }
  process.stderr.write(`versus: per-call latency measured (${batch * rounds} calls each)\n`);
  const load = new Map<
    string,
    {
      create_per_s: number;
      update_per_s: number;
      lost: number;
      failed_creates: number;
      failed_updates: number;
    }
  >();
  for (const [k, s] of servers.entries()) {
    const client = conns[k]!.client;
    const before = await s.stored(client);
    const ids: string[] = [];
    // A create that fails was not acknowledged: counted apart from writes acknowledged and lost.
    let failedCreates = 0;
    const t0 = performance.now();
    await inFlight(opts.loadCalls, async () => {
      const id = await s.create(client, next()).catch(() => void failedCreates++);
      if (id !== undefined) ids.push(id);
    });
    const t1 = performance.now();
    // A server that loses some of its concurrent creates fails the updates of those: counted.
    let failed = 0;
    await inFlight(ids.length, (i) => s.update(client, ids[i]!, i).catch(() => void failed++));
    const t2 = performance.now();
    const after = await s.stored(client);
    load.set(s.label, {
      create_per_s: Math.round(opts.loadCalls / ((t1 - t0) / 1000)),
      update_per_s: Math.round(ids.length / ((t2 - t1) / 1000)),
      lost: before + ids.length - after,
      failed_creates: failedCreates,
      failed_updates: failed,
    });
  }
  await new Promise((r) => setTimeout(r, 500));
  const afterLoad = new Map(conns.map((c, k) => [servers[k]!.label, memoryOf(c.pid)]));
  await Promise.all(conns.map((c) => c.close()));

  const sides = new Map<string, Side>();
  for (const { label } of servers)
    sides.set(label, {
      ready_initialize_ms: median(ready.get(label)!.init),
      ready_ms: median(ready.get(label)!.list),
      create_ms: p50p99(perCall.get(label)!.create),
      update_ms: p50p99(perCall.get(label)!.update),
      ...load.get(label)!,
      idle_rss_mib: idle.get(label)!.rss,
      idle_rss_supervisor_mib: idle.get(label)!.supervisor_rss,
      idle_rss_worker_mib: idle.get(label)!.worker_rss,
      rss_after_load_mib: afterLoad.get(label)!.rss,
    });
  return { sides, lists };
}

/** Ours beside the reference server (issue 16's targets are ratios to it). */
export async function versus(opts: VersusOptions): Promise<Record<string, any>> {
  const servers: BenchServer[] = [orchestrator(), serverMemory()];
  const [ours, ref] = servers as [BenchServer, BenchServer];
  try {
    const { sides, lists } = await sideBySide(servers, opts);
    // What a model pays: our two profiles; the reference has one list.
    const core = await ours.connect(["--tools", "core"]);
    await core.close();
    return {
      ready_runs: opts.readyRuns,
      calls_each: Math.ceil(opts.calls / 5) * 5,
      in_flight: IN_FLIGHT,
      load_calls: opts.loadCalls,
      orchestrator: sides.get(ours.label),
      server_memory: sides.get(ref.label),
      context: {
        orchestrator_core: contextBytes(core.tools),
        orchestrator_standard: contextBytes(lists.get(ours.label) ?? []),
        server_memory: contextBytes(lists.get(ref.label) ?? []),
      },
    };
  } finally {
    for (const s of servers) s.dispose();
  }
}

type Row = {
  what: string;
  ours: string | number;
  reference: string | number;
  ratio: string;
  target: string;
  met: string;
};

/** The side-by-side table with each of issue 16's targets; state changes/s comes from loadRun. */
export function versusTable(
  v: Record<string, any>,
  stateChangesPerS: number | undefined,
  largest?: {
    seeded_tasks: number;
    get_status_sequential_ms: { p99: number };
    ping_sequential_ms: { p99: number };
    answer_bytes: { get_status: number; query_tasks_200: number };
  },
): Row[] {
  const o = v.orchestrator;
  const m = v.server_memory;
  const ratio = (a: number, b: number): number => round(a / b, 2);
  const rows: Row[] = [];
  const add = (
    what: string,
    ours: number,
    reference: number | string,
    target: string,
    met: boolean,
    r = "",
  ) => rows.push({ what, ours, reference, ratio: r, target, met: target === "" ? "" : met ? "yes" : "NO" });
  const r1 = ratio(o.ready_ms, m.ready_ms);
  add("ready: spawn → tools/list, median ms", o.ready_ms, m.ready_ms, "≤ 0.33× ref", r1 <= 1 / 3, `${r1}×`);
  add(
    "  (initialize answer, median ms)",
    o.ready_initialize_ms,
    m.ready_initialize_ms,
    "",
    true,
    `${ratio(o.ready_initialize_ms, m.ready_initialize_ms)}×`,
  );
  const c = v.context;
  add(
    "tools/list compact B (standard)",
    c.orchestrator_standard.tools_list,
    c.server_memory.tools_list,
    `≤ ${CONTEXT_BUDGET.tools_list}`,
    c.orchestrator_standard.tools_list <= CONTEXT_BUDGET.tools_list,
  );
  add(
    "names+descriptions+inputs B, standard",
    c.orchestrator_standard.model,
    c.server_memory.model,
    `≤ ${CONTEXT_BUDGET.standard}`,
    c.orchestrator_standard.model <= CONTEXT_BUDGET.standard,
  );
  add(
    "names+descriptions+inputs B, core",
    c.orchestrator_core.model,
    "",
    `≤ ${CONTEXT_BUDGET.core}`,
    c.orchestrator_core.model <= CONTEXT_BUDGET.core,
  );
  for (const [what, ours, ref] of [
    ["create p50 ms (plan_task | create_entities)", o.create_ms.p50, m.create_ms.p50],
    ["complete p50 ms (complete | add_observations)", o.update_ms.p50, m.update_ms.p50],
  ] as const)
    add(what, ours, ref, "≤ 1× ref", ours <= ref, `${ratio(ours, ref)}×`);
  for (const [what, ours, ref] of [
    ["create p99 ms", o.create_ms.p99, m.create_ms.p99],
    ["complete p99 ms", o.update_ms.p99, m.update_ms.p99],
  ] as const)
    add(what, ours, ref, "≤ 2× ref", ours <= 2 * ref, `${ratio(ours, ref)}×`);
  const r4 = ratio(o.create_per_s, m.create_per_s);
  add(`creates/s, ${v.in_flight} in flight`, o.create_per_s, m.create_per_s, "≥ 2× ref", r4 >= 2, `${r4}×`);
  add(
    `updates/s, ${v.in_flight} in flight`,
    o.update_per_s,
    // The reference's updates of the entities it lost fail fast, so its rate counts failures too.
    m.failed_updates > 0 ? `${m.update_per_s} (${m.failed_updates} failed)` : m.update_per_s,
    "",
    true,
    `${ratio(o.update_per_s, m.update_per_s)}×`,
  );
  add("writes lost under load", o.lost, m.lost, "0", o.lost === 0);
  if (stateChangesPerS !== undefined)
    add(
      "state changes/s (execute+complete, 8 in flight)",
      stateChangesPerS,
      "",
      "≥ 2500",
      stateChangesPerS >= 2500,
    );
  if (largest) {
    const at = largest.seeded_tasks.toLocaleString("en-US");
    const p99 = largest.get_status_sequential_ms.p99;
    add(`get_status p99 ms, one at a time, ${at} tasks`, p99, "", "≤ 2", p99 <= 2);
    // No target: what any call pays on this machine and path, for reading the row above.
    add("  (a ping's p99, same path: the floor)", largest.ping_sequential_ms.p99, "", "", true);
    const b = largest.answer_bytes;
    add(
      "get_status default answer B",
      b.get_status,
      "",
      `≤ ${ANSWER_BUDGET.get_status}`,
      b.get_status <= ANSWER_BUDGET.get_status,
    );
    add(
      "list of 200 tasks B (query_tasks)",
      b.query_tasks_200,
      "",
      `≤ ${ANSWER_BUDGET.tasks_200}`,
      b.query_tasks_200 <= ANSWER_BUDGET.tasks_200,
    );
  }
  add(
    "idle RSS MiB (supervisor + worker)",
    o.idle_rss_mib,
    m.idle_rss_mib,
    "≤ 30 + 55",
    o.idle_rss_supervisor_mib <= 30 && o.idle_rss_worker_mib <= 55,
    `${o.idle_rss_supervisor_mib}+${o.idle_rss_worker_mib}`,
  );
  return rows;
}
