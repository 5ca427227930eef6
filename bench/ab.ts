/**
 * `bun bench/ab.ts <binary A> <binary B> [rounds]`: the write path of two builds, interleaved
 * round by round so both share the machine's noise (measured for issue 13's artifact decision).
 * Per round and build: state changes/s and complete p50/p99 with 8 in flight (bench/own.ts
 * `loadRun` on an unseeded store, 2,000 calls per phase), then complete_subtask one call at a time
 * with ~600 B and with 1 MiB results. Prints one JSON line per measurement and the medians.
 * The stores are created by the binary measured, so an older build can be compared.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { percentile } from "../tests/stress/load.ts";
import { BINARY, removeAtEnd, round } from "./_util.ts";

async function sequential(calls: number, bytes: number): Promise<{ p50: number; p99: number }> {
  const ws = mkdtempSync(join(tmpdir(), "orch-ab-"));
  mkdirSync(join(ws, ".git"));
  const client = new Client({ name: "ab", version: "1" });
  await client.connect(new StdioClientTransport({ command: BINARY, args: ["serve", "--workspace", ws] }));
  const call = async (name: string, args: Record<string, unknown>) => {
    const r = await client.callTool({ name, arguments: args });
    if (r.isError) throw new Error(`${name}: ${JSON.stringify(r.content)}`);
    return r.structuredContent as Record<string, any>;
  };
  const plan = await call("orchestrator_plan_task", {
    description: "ab",
    subtasks: Array.from({ length: calls }, (_, i) => ({ title: `t${i}`, specialist_type: "implementer" })),
  });
  const ms: number[] = [];
  for (const [i, s] of (plan.subtasks as { task_id: string }[]).entries()) {
    const t = performance.now();
    await call("orchestrator_complete_subtask", {
      task_id: s.task_id,
      summary: "ok",
      detailed_work: `result ${i} `.padEnd(bytes, "x"),
    });
    ms.push(performance.now() - t);
  }
  await client.close();
  removeAtEnd(ws);
  const warm = ms.slice(Math.floor(calls / 8));
  return { p50: round(percentile(warm, 50), 2), p99: round(percentile(warm, 99), 2) };
}

if (process.argv[2] === "--one") {
  const { loadRun } = await import("./own.ts");
  const r = (await loadRun("ab", 0, 2000)) as Record<string, any>;
  const out = {
    state_changes_per_s: r.state_changes_per_s,
    complete_per_s: r.complete_per_s,
    complete_8_in_flight_ms: r.complete_subtask_ms,
    complete_seq_600B_ms: await sequential(400, 600),
    complete_seq_1MiB_ms: await sequential(80, 1 << 20),
  };
  console.log(JSON.stringify(out));
} else {
  const [a, b, rounds = "5"] = process.argv.slice(2);
  if (!a || !b) throw new Error("usage: bun bench/ab.ts <binary A> <binary B> [rounds]");
  const runs: Record<string, Record<string, any>[]> = { [a]: [], [b]: [] };
  // Each round runs in its own process; they hand their workspaces here, removed when this one
  // ends, with its own (bench/_util.ts removeAtEnd), even when a round fails.
  const listDir = mkdtempSync(join(tmpdir(), "orch-ab-"));
  const leftoversList = join(listDir, "leftovers");
  const takeLeftovers = (): void => {
    let listed = "";
    try {
      listed = readFileSync(leftoversList, "utf8");
    } catch {
      // No round got as far as making a workspace.
    }
    for (const dir of [...listed.split("\n").filter(Boolean), listDir]) removeAtEnd(dir);
  };
  try {
    for (let i = 0; i < Number(rounds); i++) {
      for (const bin of [a, b]) {
        const r = spawnSync(process.execPath, [import.meta.path, "--one"], {
          env: { ...process.env, ORCHESTRATOR_BENCH_BINARY: bin, BENCH_LEFTOVERS_TO: leftoversList },
          encoding: "utf8",
        });
        if (r.status !== 0) throw new Error(`${bin}: ${r.stderr}`);
        const line = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
        console.log(JSON.stringify({ round: i + 1, bin, ...line }));
        runs[bin]!.push(line);
      }
    }
  } finally {
    takeLeftovers();
  }
  const median = (xs: number[]) => percentile(xs, 50);
  for (const [bin, rs] of Object.entries(runs)) {
    console.log(
      JSON.stringify({
        bin,
        median_of: rs.length,
        state_changes_per_s: median(rs.map((r) => r.state_changes_per_s)),
        complete_per_s: median(rs.map((r) => r.complete_per_s)),
        complete_8_in_flight_p50: median(rs.map((r) => r.complete_8_in_flight_ms.p50)),
        complete_8_in_flight_p99: median(rs.map((r) => r.complete_8_in_flight_ms.p99)),
        complete_seq_600B_p50: median(rs.map((r) => r.complete_seq_600B_ms.p50)),
        complete_seq_600B_p99: median(rs.map((r) => r.complete_seq_600B_ms.p99)),
        complete_seq_1MiB_p50: median(rs.map((r) => r.complete_seq_1MiB_ms.p50)),
        complete_seq_1MiB_p99: median(rs.map((r) => r.complete_seq_1MiB_ms.p99)),
      }),
    );
  }
}
