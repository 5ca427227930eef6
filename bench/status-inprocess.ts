/**
 * `bun [--cpu-prof] bench/status-inprocess.ts [calls]`: get_status without stdio or the
 * supervisor: the real server behind the SDK's in-memory transport on a copy of bench/status.ts's
 * seeded store (run that first: it seeds `orch-status-seed-<tasks>` under the temp folder).
 * `TASKS=100000` picks the seed, `MISS=1` writes before each call; prints p50/p99 of one-at-a-time
 * calls and the answer's size.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectInMemory } from "../tests/helpers/client.ts";
import { percentile } from "../tests/stress/load.ts";
import { round } from "./_util.ts";

const calls = Number(process.argv[2] ?? 5000);
const seed = join(tmpdir(), `orch-status-seed-${process.env.TASKS ?? 100_000}`, "ws");
const root = mkdtempSync(join(tmpdir(), "orch-status-inproc-"));
const ws = join(root, "ws");
cpSync(seed, ws, { recursive: true });
const { client, close } = await connectInMemory({
  cwd: ws,
  workspace: ws,
  db: join(ws, ".task_orchestrator", "orchestrator.db"),
  checkOutputs: process.env.CHECK_OUTPUTS === "1",
});
// MISS=1: the holder of one task renews its claim (a write) before each timed call, as
// bench/status.ts --miss, so no answer kept from an earlier call serves it.
const held =
  process.env.MISS === "1"
    ? (
        (await client.callTool({ name: "orchestrator_execute_subtask", arguments: {} }))
          .structuredContent as any
      ).task_id
    : undefined;
const ms: number[] = [];
let last: unknown;
for (let i = 0; i < calls; i++) {
  if (held) await client.callTool({ name: "orchestrator_execute_subtask", arguments: { task_id: held } });
  const t = performance.now();
  const r = await client.callTool({ name: "orchestrator_get_status", arguments: {} });
  ms.push(performance.now() - t);
  if (r.isError) throw new Error(JSON.stringify(r.content));
  last = r;
}
const bytes = Buffer.byteLength(JSON.stringify(last));
await close();
rmSync(root, { recursive: true, force: true });
const warm = ms.slice(Math.floor(calls / 8));
console.log(
  JSON.stringify({ calls, p50: round(percentile(warm, 50), 3), p99: round(percentile(warm, 99), 3), bytes }),
);
