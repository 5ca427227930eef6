/**
 * get_status beside the floor of any call over the same path: `bun bench/status-floor.ts
 * <binary ...> [--calls 3000] [--runs 2]`. Each binary serves a copy of bench/status.ts's seeded
 * store (run that first; TASKS=100000 picks the seed) over stdio with the supervisor; each call of
 * get_status follows an MCP `ping`, which crosses the same client, supervisor and worker without
 * touching the store, so the two distributions show what get_status adds to the transport's own
 * tail. Runs alternate between binaries.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { percentile } from "../tests/stress/load.ts";
import { round } from "./_util.ts";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CALLS = arg("--calls", 3000);
const RUNS = arg("--runs", 2);
const binaries = process.argv
  .slice(2)
  .filter((a, i, all) => !a.startsWith("--") && !["--calls", "--runs"].includes(all[i - 1] ?? ""));
const seed = join(tmpdir(), `orch-status-seed-${process.env.TASKS ?? 100_000}`, "ws");
const figures = (ms: number[]) =>
  `p50 ${round(percentile(ms, 50))} p90 ${round(percentile(ms, 90))} p99 ${round(percentile(ms, 99))} ms`;

for (let r = 0; r < RUNS; r++) {
  for (const binary of binaries) {
    const root = mkdtempSync(join(tmpdir(), "orch-status-floor-"));
    cpSync(seed, join(root, "ws"), { recursive: true });
    const client = new Client({ name: "bench", version: "1" });
    await client.connect(
      new StdioClientTransport({
        command: binary,
        args: ["serve", "--workspace", join(root, "ws")],
        stderr: "inherit",
      }),
    );
    const status = () => client.callTool({ name: "orchestrator_get_status", arguments: {} });
    for (let i = 0; i < 300; i++) await status();
    const ping: number[] = [];
    const got: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      let t = performance.now();
      await client.ping();
      ping.push(performance.now() - t);
      t = performance.now();
      await status();
      got.push(performance.now() - t);
    }
    console.log(`run ${r + 1} ${binary}: ping ${figures(ping)}; get_status ${figures(got)}`);
    await client.close();
    rmSync(root, { recursive: true, force: true });
  }
}
