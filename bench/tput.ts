/**
 * `bun bench/tput.ts <binary A> <binary B> [rounds] [calls]`: state changes/s of two builds,
 * interleaved round by round (A, B, A, B, …) so both share the machine's noise. Each round and
 * build: a fresh workspace, `calls` subtasks planned in plans of 250, then `calls` executes and
 * `calls` completes with 8 in flight over stdio with the supervisor: bench/own.ts `loadRun`'s two
 * write phases without its get_status phases, so a round takes seconds and more rounds fit; then
 * `calls` creates (plan_task with one subtask, bench/versus.ts's create) with 8 in flight.
 * On Linux it also prints the CPU time (user + system, from /proc) per state change of the worker,
 * the supervisor (or the server itself without one) and this client process, and the worker's per
 * create (which also holds the completions' artifact copies still being written when it starts):
 * on a loaded machine wall-clock rates swing with the other processes, CPU time much less.
 * `--db <postgres://…>` runs both on that database (each round on its own tasks). Prints one JSON
 * line per round and build, then the medians. Before the first round it waits for the disk to
 * settle (bench/disk.ts: on ext4 without a journal, recent deletes make every new folder and
 * file cost more for minutes), and each round records what a new inode cost just before it.
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { percentile } from "../tests/stress/load.ts";
import { inFlight, planBenchTasks, procStat, removeAtEnd, round, workerOf } from "./_util.ts";
import { inodeCostUs, settleDisk } from "./disk.ts";
import { speedProbe } from "./machine.ts";

async function once(binary: string, calls: number, db: string | undefined): Promise<Record<string, number>> {
  const ws = mkdtempSync(join(tmpdir(), "orch-tput-"));
  mkdirSync(join(ws, ".git"));
  const client = new Client({ name: "tput", version: "1" });
  const transport = new StdioClientTransport({
    command: binary,
    args: ["serve", "--workspace", ws, ...(db ? ["--db", db] : [])],
    stderr: "inherit",
  });
  await client.connect(transport);
  const call = async (name: string, args: Record<string, unknown>) => {
    const r = await client.callTool({ name, arguments: args });
    if (r.isError) throw new Error(`${name}: ${JSON.stringify(r.content)}`);
    return r.structuredContent as Record<string, any>;
  };
  const ids = await planBenchTasks(call, calls);
  const worker = workerOf(transport.pid ?? 0);
  const cpu0 = worker ? procStat(worker)?.cpu : undefined;
  const sup0 = procStat(transport.pid ?? 0)?.cpu;
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  await inFlight(calls, (i) => call("orchestrator_execute_subtask", { task_id: ids[i] }));
  const t1 = performance.now();
  const completes = await inFlight(calls, (i) =>
    call("orchestrator_complete_subtask", {
      task_id: ids[i],
      summary: "ok",
      detailed_work: `result ${i}`,
      next_action: "complete",
    }),
  );
  const t2 = performance.now();
  const cpu2 = worker ? procStat(worker)?.cpu : undefined;
  const sup2 = procStat(transport.pid ?? 0)?.cpu;
  const own = process.cpuUsage(own0);
  const t3 = performance.now();
  await inFlight(calls, (i) =>
    call("orchestrator_plan_task", {
      description: `Bench job ${i}`,
      subtasks: [{ title: `Item ${i}`, specialist_type: "implementer" }],
    }),
  );
  const t4 = performance.now();
  const cpu4 = worker ? procStat(worker)?.cpu : undefined;
  await client.close();
  removeAtEnd(ws);
  return {
    state_changes_per_s: round((2 * calls * 1000) / (t2 - t0), 0),
    execute_per_s: round((calls * 1000) / (t1 - t0), 0),
    complete_per_s: round((calls * 1000) / (t2 - t1), 0),
    create_per_s: round((calls * 1000) / (t4 - t3), 0),
    complete_p50_ms: round(percentile(completes, 50), 2),
    complete_p99_ms: round(percentile(completes, 99), 2),
    ...(cpu0 !== undefined && cpu2 !== undefined
      ? { worker_cpu_ms_per_state_change: round(((cpu2 - cpu0) * 1000) / (2 * calls), 3) }
      : {}),
    ...(cpu2 !== undefined && cpu4 !== undefined
      ? { worker_cpu_ms_per_create: round(((cpu4 - cpu2) * 1000) / calls, 3) }
      : {}),
    ...(sup0 !== undefined && sup2 !== undefined
      ? { supervisor_cpu_ms_per_state_change: round(((sup2 - sup0) * 1000) / (2 * calls), 3) }
      : {}),
    client_cpu_ms_per_state_change: round((own.user + own.system) / 1000 / (2 * calls), 3),
  };
}

const args = process.argv.slice(2);
const dbAt = args.indexOf("--db");
const db = dbAt >= 0 ? args.splice(dbAt, 2)[1] : undefined;
const [a, b, rounds = "5", calls = "2000"] = args;
if (!a || !b) throw new Error("usage: bun bench/tput.ts <binary A> <binary B> [rounds] [calls] [--db url]");
const runs = new Map<string, Record<string, number>[]>([
  [a, []],
  [b, []],
]);
console.log(JSON.stringify({ disk: await settleDisk(), speed: speedProbe() }));
for (let i = 0; i < Number(rounds); i++) {
  for (const bin of [a, b]) {
    // Each round's disk: what a folder or a file costs just before it (bench/disk.ts).
    const r = { disk_inode_us: inodeCostUs(), ...(await once(bin, Number(calls), db)) };
    console.log(JSON.stringify({ round: i + 1, bin, ...r }));
    runs.get(bin)?.push(r);
  }
}
for (const [bin, rs] of runs) {
  const median = (k: string) =>
    percentile(
      rs.map((r) => r[k] as number),
      50,
    );
  const keys = Object.keys(rs[0] ?? {});
  console.log(
    JSON.stringify({ bin, median_of: rs.length, ...Object.fromEntries(keys.map((k) => [k, median(k)])) }),
  );
}
