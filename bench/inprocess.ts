/**
 * `bun [--cpu-prof] bench/inprocess.ts [calls]`: the write path without stdio, the supervisor or
 * another process: the real server behind the SDK's in-memory transport on a fresh SQLite
 * workspace, as the profiles in docs/performance.md were taken. Creates `calls` one-subtask plans
 * and completes them (bench/versus.ts's create and update), then executes and completes the tasks
 * of plans of 250 (bench/own.ts's load), one call at a time; prints p50/p99 per phase.
 * `ONLY=versus` or `ONLY=load` runs one of the two; `ONLY=flight` executes and completes plans of
 * 250 with 8 calls in flight (bench/own.ts's loadRun, the throughput figure) and prints state
 * changes/s. CHECK_OUTPUTS=1 keeps the SDK's parse of each result (tests do; the product does not).
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectInMemory } from "../tests/helpers/client.ts";
import { percentile } from "../tests/stress/load.ts";
import { inFlight, p50p99, planBenchTasks, removeAtEnd, round } from "./_util.ts";

const calls = Number(process.argv[2] ?? 2000);
const ws = mkdtempSync(join(tmpdir(), "orch-inproc-"));
mkdirSync(join(ws, ".git"));
const { client, close } = await connectInMemory({
  cwd: ws,
  workspace: ws,
  db: join(ws, ".task_orchestrator", "orchestrator.db"),
  // As the product runs (the tests keep the SDK's check of every result; see sdk-compat.ts).
  checkOutputs: process.env.CHECK_OUTPUTS === "1",
});
const call = async (name: string, args: Record<string, unknown>) => {
  const r = await client.callTool({ name, arguments: args });
  if (r.isError) throw new Error(`${name}: ${JSON.stringify(r.content)}`);
  return r.structuredContent as Record<string, any>;
};
const timed = async (n: number, work: (i: number) => Promise<unknown>) => {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await work(i);
    ms.push(performance.now() - t);
  }
  const warm = ms.slice(Math.floor(n / 8));
  return { p50: round(percentile(warm, 50), 3), p99: round(percentile(warm, 99), 3) };
};
// As bench/versus.ts: "create" a plan of one subtask, "update" completes it.
if (process.env.ONLY === "flight") {
  const ids = await planBenchTasks(call, calls);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const execute = await inFlight(calls, (i) => call("orchestrator_execute_subtask", { task_id: ids[i] }));
  const t1 = performance.now();
  const complete = await inFlight(calls, (i) =>
    call("orchestrator_complete_subtask", { task_id: ids[i], summary: "ok", detailed_work: `result ${i}` }),
  );
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  await close();
  removeAtEnd(ws);
  const perS = (n: number, ms: number) => round((n * 1000) / ms, 0);
  console.log(
    JSON.stringify({
      calls,
      state_changes_per_s: perS(2 * calls, t2 - t0),
      execute_per_s: perS(calls, t1 - t0),
      complete_per_s: perS(calls, t2 - t1),
      // client and server together, all threads: compare with bench/tput.ts's per-process figures
      cpu_ms_per_state_change: round((cpu.user + cpu.system) / 1000 / (2 * calls), 3),
      execute: p50p99(execute),
      complete: p50p99(complete),
    }),
  );
  process.exit(0);
}
const single: string[] = [];
const versus = process.env.ONLY === "load" ? 0 : calls;
const create = await timed(versus, async (i) => {
  const r = await call("orchestrator_plan_task", {
    description: `Bench job ${i}`,
    subtasks: [{ title: `Item ${i}`, specialist_type: "implementer" }],
  });
  single.push(r.subtasks[0].task_id);
});
const update = await timed(versus, (i) =>
  call("orchestrator_complete_subtask", {
    task_id: single[i],
    summary: `done ${i}`,
    detailed_work: `result ${i}`,
  }),
);
const ids = process.env.ONLY === "versus" ? [] : await planBenchTasks(call, calls);
const n = ids.length;
const execute = await timed(n, (i) => call("orchestrator_execute_subtask", { task_id: ids[i] }));
const complete = await timed(n, (i) =>
  call("orchestrator_complete_subtask", {
    task_id: ids[i],
    summary: `done ${i}`,
    detailed_work: `result ${i}`,
  }),
);
await close();
removeAtEnd(ws);
console.log(JSON.stringify({ calls, create, update, execute, complete }));
