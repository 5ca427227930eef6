import { spawnSync } from "node:child_process";
import { appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { percentile } from "../tests/stress/load.ts";

/** The binary measured: dist/orchestrator, or ORCHESTRATOR_BENCH_BINARY to compare another build (A/B). */
export const BINARY =
  process.env.ORCHESTRATOR_BENCH_BINARY ?? join(import.meta.dir, "..", "dist", "orchestrator");
export const IN_FLIGHT = 8;

export const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/** p50 and p99 of latencies in ms, rounded to µs. */
export function p50p99(xs: number[]): { p50: number; p99: number } {
  return { p50: round(percentile(xs, 50), 3), p99: round(percentile(xs, 99), 3) };
}

/** Runs `n` calls of `work` with IN_FLIGHT of them outstanding at any time; returns each latency. */
export async function inFlight<T>(n: number, work: (i: number) => Promise<T>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < n) {
        const i = next++;
        const t0 = performance.now();
        await work(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return latencies;
}

/** Runs `n` calls of `work` one after another; returns each latency. */
export async function oneAtATime<T>(n: number, work: (i: number) => Promise<T>): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await work(i);
    latencies.push(performance.now() - t0);
  }
  return latencies;
}

/**
 * Plans `count` subtasks as an agent would make them, in plans of 250 (a plan holds at most 500);
 * returns their ids in order.
 */
export async function planBenchTasks(
  call: (name: string, args: Record<string, unknown>) => Promise<Record<string, any>>,
  count: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let made = 0; made < count; made += 250) {
    const plan = await call("orchestrator_plan_task", {
      description: "Benchmark plan",
      subtasks: Array.from({ length: Math.min(250, count - made) }, (_, i) => ({
        title: `b${made + i}`,
        description: "x",
        specialist_type: "implementer",
      })),
    });
    ids.push(...plan.subtasks.map((s: { task_id: string }) => s.task_id));
  }
  return ids;
}

/**
 * How long a server sits without a call before its idle memory is read: an idle server is one
 * nobody called for a while, and ours releases the code pages its work touched 10 s after its
 * last input (src/platform/code-pages.ts).
 */
export const IDLE_AFTER_MS = 11_000;

/**
 * Folders a bench made, removed when the run ends rather than between its phases. On ext4
 * without a journal (this project's development VMs) a new inode is not taken from those freed in
 * the last 60 s, or 360 s while their inode-table block is dirty: the kernel looks each one up
 * and skips it (`recently_deleted()` in `__ext4_new_inode`), so a phase that creates files right
 * after the previous phase deleted thousands pays for that cleanup in every mkdir and create: perf
 * put a quarter of the worker's time there (docs/performance.md, "Issue 16's seventh round").
 * The next run pays for this one's cleanup unless it waits (bench/disk.ts settleDisk).
 */
const leftovers: string[] = [];
export function removeAtEnd(dir: string): void {
  // BENCH_REMOVE_AT_ONCE=1: the old way, each folder as soon as its phase ends (for A/B runs).
  if (process.env.BENCH_REMOVE_AT_ONCE === "1") rmSync(dir, { recursive: true, force: true });
  else leftovers.push(dir);
}
export function removeLeftovers(): void {
  const dirs = leftovers.splice(0);
  // A bench that runs each round in a child process (bench/ab.ts) removes them when all end.
  const handTo = process.env.BENCH_LEFTOVERS_TO;
  if (handTo) appendFileSync(handTo, dirs.map((d) => `${d}\n`).join(""));
  else if (dirs.length > 0) {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    noteCleanup();
  }
}

/** Where the time of the last bench cleanup is kept, for the next run's bench/disk.ts settleDisk. */
const CLEANUP_MARK = join(tmpdir(), "orchestrator-bench-cleaned-up-at");
export function noteCleanup(): void {
  try {
    writeFileSync(CLEANUP_MARK, `${Date.now()}\n`);
  } catch {
    // Only a hint for the next run's wait.
  }
}
/** When a bench last removed its workspaces (ms since the epoch), if one did on this machine. */
export function benchCleanedUpAt(): number | undefined {
  try {
    const at = Number(readFileSync(CLEANUP_MARK, "utf8").trim());
    return Number.isFinite(at) && at > 0 ? at : undefined;
  } catch {
    return undefined;
  }
}
process.on("exit", removeLeftovers);

/** utime + stime in seconds and the parent of `pid` (Linux /proc), or undefined elsewhere. */
export function procStat(pid: number | string): { cpu: number; ppid: number } | undefined {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
    return { cpu: (Number(f[11]) + Number(f[12])) / 100, ppid: Number(f[1]) };
  } catch {
    return undefined;
  }
}

/** The worker: the supervisor's (or `serve --http` front's) child process. */
export function workerOf(supervisor: number): number | undefined {
  try {
    return readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .map(Number)
      .find((pid) => procStat(pid)?.ppid === supervisor);
  } catch {
    return undefined;
  }
}

/** `agents` team-server tokens (agent-0, agent-1, …) in `db`, made by `binary`: name → secret. */
export function agentTokens(dir: string, db: string, agents: number, binary = BINARY): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < agents; i++) {
    const r = spawnSync(binary, ["token", "create", "--name", `agent-${i}`, "--db", db], {
      cwd: dir,
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`token create failed: ${r.stderr}`);
    out.set(`agent-${i}`, r.stdout.trim());
  }
  return out;
}
