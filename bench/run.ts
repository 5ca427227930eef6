/**
 * `bun run bench` (`--quick` for a fast smoke): measures the compiled binary beside the reference
 * server @modelcontextprotocol/server-memory in one interleaved run (bench/versus.ts), then the
 * orchestrator's own figures (bench/own.ts), the HTTP server's (bench/http.ts), SQLite beside
 * PostgreSQL (bench/stores.ts), the dashboard in Chromium (bench/dashboard.ts), and writes bench/results.json (`--quick`: a temp file).
 * Not part of the tests: it prints numbers, it asserts nothing. On ext4 without a journal it
 * first waits for recent deletes to stop costing (bench/disk.ts), and records the disk it ran on.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLoad } from "../tests/stress/load.ts";
import { IN_FLIGHT, removeAtEnd } from "./_util.ts";
import { dashboardFigures, printDashboardFigures } from "./dashboard.ts";
import { dashboardAssetSizes, printDashboardAssetSizes } from "./dashboard-assets.ts";
import { settleDisk } from "./disk.ts";
import { httpFigures } from "./http.ts";
import { machineRecord, speedProbe } from "./machine.ts";
import { coldStart, doctorTime, loadRun, reboot } from "./own.ts";
import { storeFigures } from "./stores.ts";
import { ANSWER_BUDGET, CONTEXT_BUDGET, versus, versusTable } from "./versus.ts";

const quick = process.argv.includes("--quick");
const NODE = spawnSync("node", ["--version"], { encoding: "utf8" }).stdout.trim();
const REFERENCE = `@modelcontextprotocol/server-memory@${
  JSON.parse(
    readFileSync(
      join(import.meta.dir, "..", "node_modules", "@modelcontextprotocol", "server-memory", "package.json"),
      "utf8",
    ),
  ).version
}`;

// Before anything is timed: a previous run's cleanup must not be paid for by this one (bench/disk.ts).
const disk = await settleDisk();
const speedAtStart = speedProbe();
console.log(
  `machine: ${JSON.stringify(speedAtStart)} (bench/machine.ts: compare runs only when these agree)`,
);
const started = new Date().toISOString();
const vs = await versus(
  quick ? { readyRuns: 5, calls: 200, loadCalls: 400 } : { readyRuns: 15, calls: 1000, loadCalls: 2000 },
);
const ws = mkdtempSync(join(tmpdir(), "orch-cold-"));
mkdirSync(join(ws, ".git"));
const coldRuns = quick ? 5 : 20;
const cold = await coldStart(ws, coldRuns);
const coldDirect = await coldStart(ws, coldRuns, ["--no-supervisor"]);
removeAtEnd(ws);
console.log(
  `cold start to initialize answer: median ${cold.median} ms (min ${cold.min}, p95 ${cold.p95}) over ${coldRuns} runs; without the supervisor ${coldDirect.median} ms`,
);
const doc = doctorTime(quick ? 3 : 10);
console.log(
  `doctor on a healthy setup (3 clients, live handshakes): median ${doc.median} ms, max ${doc.max} ms`,
);
const rb = await reboot(quick ? 200 : 1000, quick ? 5 : 20);
console.log(
  `relay: get_status p50 ${(rb.get_status_supervised_ms as { p50: number }).p50} ms supervised vs ${(rb.get_status_direct_ms as { p50: number }).p50} ms direct (overhead ${rb.relay_overhead_p50_ms} ms); restart answered in ${(rb.restart_call_ms as { p50: number }).p50} ms p50, first answer by the new worker ${(rb.restart_to_first_answer_ms as { p50: number }).p50} ms p50`,
);

const runs = [
  await loadRun("100 tasks", 100, quick ? 500 : 2000),
  await loadRun("10,000 tasks", 10_000, quick ? 500 : 2000),
  ...(quick ? [] : [await loadRun("100,000 tasks", 100_000, 2000)]),
];
console.table(
  runs.map((r: any) => ({
    store: r.label,
    "get_status p50": r.get_status_ms.p50,
    "get_status p99": r.get_status_ms.p99,
    "get_status 1-at-a-time p99": r.get_status_sequential_ms.p99,
    "complete p50": r.complete_subtask_ms.p50,
    "complete p99": r.complete_subtask_ms.p99,
    "execute/s": r.execute_per_s,
    "complete/s": r.complete_per_s,
    "idle RSS MiB (sup+worker)": `${r.rss_idle_supervisor_mib}+${r.rss_idle_worker_mib}`,
    "peak RSS MiB": r.rss_peak_mib,
  })),
);
const loadWs = mkdtempSync(join(tmpdir(), "orch-bench-load-"));
mkdirSync(join(loadWs, ".git"));
const mp = await runLoad({ workspaces: [loadWs], processes: 8, opsPerProcess: quick ? 300 : 1000 });
removeAtEnd(loadWs);
console.log(
  `${mp.processes} processes, ${mp.operations} calls on one workspace: ${mp.operations_per_s} calls/s, p50 ${mp.call_ms.p50} ms, p99 ${mp.call_ms.p99} ms, ${mp.errors} errors, ${mp.lost_or_doubled} lost or doubled`,
);
// PostgreSQL beside SQLite; the SQLite store of the same size measured above is reused.
const stores = await storeFigures(quick, runs.at(-1));
console.log("\nserve --http: 8 agents with their own tokens, execute + complete until no task is left");
const http = await httpFigures(quick);
console.log("\norchestrator ui in headless Chromium");
const dashboard = await dashboardFigures(quick);
printDashboardFigures(dashboard);
const dashboardAssets = await dashboardAssetSizes();
printDashboardAssetSizes(dashboardAssets);
console.log(`\nBeside ${REFERENCE} (node ${NODE}), same run; ratios are ours / reference:`);
console.table(
  versusTable(
    vs,
    (runs[0] as { state_changes_per_s: number }).state_changes_per_s,
    runs.at(-1) as Parameters<typeof versusTable>[2],
  ),
);
const results = {
  started,
  machine: { ...machineRecord(disk, speedAtStart), reference: REFERENCE },
  quick,
  in_flight: IN_FLIGHT,
  /** Issue 16: ratios to the reference server measured in the same run, or absolute budgets. */
  targets: {
    ready_vs_reference: 1 / 3,
    tools_list_bytes: CONTEXT_BUDGET.tools_list,
    standard_model_bytes: CONTEXT_BUDGET.standard,
    core_model_bytes: CONTEXT_BUDGET.core,
    create_complete_p50_vs_reference: 1,
    create_complete_p99_vs_reference: 2,
    calls_per_s_vs_reference: 2,
    state_changes_per_s: 2500,
    idle_rss_supervisor_mib: 30,
    idle_rss_worker_mib: 55,
    relay_overhead_p50_ms: 0.1,
    get_status_p99_ms_at_100k: 2,
    get_status_answer_bytes: ANSWER_BUDGET.get_status,
    tasks_200_answer_bytes: ANSWER_BUDGET.tasks_200,
  },
  versus_reference: vs,
  cold_start_ms: cold,
  cold_start_no_supervisor_ms: coldDirect,
  reboot: rb,
  doctor_ms: doc,
  runs,
  multi_process: mp,
  /** Issue 13: SQLite beside PostgreSQL (bench/stores.ts). */
  stores,
  http: { measured: new Date().toISOString(), ...http },
  /** Issue 15: the dashboard (bench/dashboard.ts). */
  dashboard: { ...dashboard, assets: dashboardAssets },
};
// A smoke run must not replace the recorded figures docs/performance.md quotes.
const out = quick ? join(tmpdir(), "orchestrator-bench-quick.json") : join(import.meta.dir, "results.json");
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${out}`);
