/**
 * `bun bench/http-ab.ts <binary A> <binary B> [rounds] [tasks]`: two builds' `serve --http` under
 * bench/http.ts's team load (8 agents, each with its own token and SDK client, claiming and
 * completing `tasks` tasks on one instance over SQLite), interleaved round by round (A, B, A, B,
 * …) so both share the machine's noise. Prints one JSON line per round and build (calls/s, p50 /
 * p99 per call, and on Linux the CPU per call of the HTTP worker and of the front, from /proc),
 * then the medians. Wall-clock rates swing with the machine; CPU per call much less.
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startHttpServer } from "../tests/helpers/http-server.ts";
import { runTeamLoad } from "../tests/helpers/team-load.ts";
import { percentile } from "../tests/stress/load.ts";
import { agentTokens, procStat, removeAtEnd, round, workerOf } from "./_util.ts";

const AGENTS = 8;

async function once(binary: string, tasks: number): Promise<Record<string, number>> {
  const project = mkdtempSync(join(tmpdir(), "orch-bench-http-ab-"));
  mkdirSync(join(project, ".git"));
  const db = join(project, "team.db");
  const tokens = agentTokens(project, db, AGENTS, binary);
  const server = await startHttpServer({ cwd: project, command: binary, args: ["--db", db] });
  try {
    const front = server.child.pid ?? 0;
    const worker = workerOf(front);
    const w0 = worker ? procStat(worker)?.cpu : undefined;
    const f0 = procStat(front)?.cpu;
    const r = await runTeamLoad({ urls: [server.url], tokens, workspace: project, tasks });
    const w1 = worker ? procStat(worker)?.cpu : undefined;
    const f1 = procStat(front)?.cpu;
    if (r.failures.length > 0) throw new Error(`${r.failures.length} calls failed: ${r.failures[0]}`);
    return {
      calls_per_s: round(r.calls / r.seconds, 0),
      call_p50_ms: round(percentile(r.latencies, 50), 2),
      call_p99_ms: round(percentile(r.latencies, 99), 2),
      ...(w0 !== undefined && w1 !== undefined
        ? { worker_cpu_ms_per_call: round(((w1 - w0) * 1000) / r.calls, 3) }
        : {}),
      ...(f0 !== undefined && f1 !== undefined
        ? { front_cpu_ms_per_call: round(((f1 - f0) * 1000) / r.calls, 3) }
        : {}),
    };
  } finally {
    await server.stop();
    removeAtEnd(project);
  }
}

const [argA, argB, rounds = "3", tasks = "1000"] = process.argv.slice(2);
if (!argA || !argB) throw new Error("usage: bun bench/http-ab.ts <binary A> <binary B> [rounds] [tasks]");
// Absolute: each build runs in its own project folder.
const [a, b] = [resolve(argA), resolve(argB)];
const runs = new Map<string, Record<string, number>[]>([
  [a, []],
  [b, []],
]);
for (let i = 0; i < Number(rounds); i++) {
  for (const bin of [a, b]) {
    const r = await once(bin, Number(tasks));
    console.log(JSON.stringify({ round: i + 1, bin, ...r }));
    runs.get(bin)?.push(r);
  }
}
for (const [bin, rs] of runs) {
  const keys = Object.keys(rs[0] ?? {});
  const median = (k: string) =>
    percentile(
      rs.map((r) => r[k] as number),
      50,
    );
  console.log(
    JSON.stringify({ bin, median_of: rs.length, ...Object.fromEntries(keys.map((k) => [k, median(k)])) }),
  );
}
