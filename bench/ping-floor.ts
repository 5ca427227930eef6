/**
 * `bun bench/ping-floor.ts [--calls 3000] [--runs 2] [--direct]`: the round trip any stdio MCP
 * server gets on this machine. An MCP `ping`, one at a time, to ours (through the supervisor) and
 * to the reference server (@modelcontextprotocol/server-memory, one node process), runs
 * alternating, after 300 pings to warm up. A ping touches no store, so its tail is the client's, the pipes' and the processes'
 * wake-ups: the floor under a per-call p99 target such as get_status's 2 ms (issue 16, target 5).
 * `--direct` adds ours with `--no-supervisor` to each run: what the supervisor's hop adds.
 */
import { percentile } from "../tests/stress/load.ts";
import { oneAtATime, round } from "./_util.ts";
import { type BenchServer, orchestrator, serverMemory } from "./servers.ts";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CALLS = arg("--calls", 3000);
const RUNS = arg("--runs", 2);
const WARM_UP = 300;
const DIRECT = process.argv.includes("--direct");

for (let r = 0; r < RUNS; r++) {
  const servers: [BenchServer, string[]][] = [
    [serverMemory(), []],
    [orchestrator(), []],
  ];
  if (DIRECT) servers.push([orchestrator(undefined, "orchestrator --no-supervisor"), ["--no-supervisor"]]);
  for (const [server, extra] of servers) {
    const conn = await server.connect(extra);
    for (let i = 0; i < WARM_UP; i++) await conn.client.ping();
    const ms = await oneAtATime(CALLS, () => conn.client.ping());
    await conn.close();
    server.dispose();
    const at = (p: number) => round(percentile(ms, p), 3);
    console.log(
      JSON.stringify({
        run: r + 1,
        server: server.label,
        calls: CALLS,
        p50: at(50),
        p90: at(90),
        p99: at(99),
      }),
    );
  }
}
