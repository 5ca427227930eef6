/**
 * The same fixed work timed at a run's start and end, so runs on one VM can be told apart: these
 * VMs have fast and slow phases (cold start 15 ms in one hour, 60 ms in the next, with no other
 * process running), and a run's figures only compare with another's when these agree. Not a
 * score: JavaScript work (JSON round trips of a call-sized object, which also allocate and
 * collect), a cheap system call (`stat` of the temp folder), each the median of 5 batches, and
 * starting a process (`true`, the median of 11: what a cold start and the benches' spawns pay).
 */
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { tmpdir } from "node:os";
import { round } from "./_util.ts";
import { type DiskState, inodeCostUs } from "./disk.ts";

const CALL_LIKE = {
  jsonrpc: "2.0",
  id: 1,
  result: {
    content: [{ type: "text", text: "x".repeat(600) }],
    structuredContent: { task_id: "task_1a2b3c4d", status: "completed", counts: { pending: 3, active: 1 } },
  },
};

function medianOf5(batch: () => number): number {
  const xs = Array.from({ length: 5 }, batch).sort((a, b) => a - b);
  return xs[2] as number;
}

export interface Speed {
  /** µs per JSON.stringify + JSON.parse of a ~0.8 KB answer. */
  json_us: number;
  /** µs per `stat` system call. */
  stat_us: number;
  /** ms to start `true` and see it exit. */
  spawn_ms: number;
}

export function speedProbe(): Speed {
  const folder = tmpdir();
  const jsonBatch = (): number => {
    const t0 = performance.now();
    let n = 0;
    for (let i = 0; i < 4000; i++) n += (JSON.parse(JSON.stringify(CALL_LIKE)) as { id: number }).id;
    if (n !== 4000) throw new Error("speedProbe: JSON round trip changed the value");
    return ((performance.now() - t0) * 1000) / 4000;
  };
  // Warmed first: the JIT's tiers, not the machine, decide the first batches.
  for (let i = 0; i < 5; i++) jsonBatch();
  const json_us = medianOf5(jsonBatch);
  const stat_us = medianOf5(() => {
    const t0 = performance.now();
    for (let i = 0; i < 4000; i++) statSync(folder);
    return ((performance.now() - t0) * 1000) / 4000;
  });
  const spawns = Array.from({ length: 11 }, () => {
    const t0 = performance.now();
    spawnSync("true");
    return performance.now() - t0;
  }).sort((a, b) => a - b);
  return { json_us: round(json_us, 2), stat_us: round(stat_us, 2), spawn_ms: round(spawns[5] as number, 2) };
}

/** The machine a bench ran on, as its results file records it, read at the end of the run. */
export function machineRecord(disk: DiskState, speedAtStart: Speed) {
  return {
    cpus: navigator.hardwareConcurrency,
    platform: process.platform,
    arch: process.arch,
    bun: Bun.version,
    node: spawnSync("node", ["--version"], { encoding: "utf8" }).stdout.trim(),
    /** What creating a folder or a file cost under the temp folder before the run (after waiting, if it did) and after it. */
    disk: { ...disk, inode_us_at_end: inodeCostUs() },
    /** The same fixed work at the start and the end: these VMs have slow phases. */
    speed_at_start: speedAtStart,
    speed_at_end: speedProbe(),
  };
}
