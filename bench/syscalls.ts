/**
 * `bun bench/syscalls.ts <binary> [n]`: the system calls a worker makes per call, counted by
 * `strace -f -c` (deterministic, unlike timings on a loaded machine). Runs `serve --no-supervisor`
 * on a fresh workspace with a `.git` folder twice, once only connecting and once with n executes
 * and n completions (plus the plans holding them), and prints the difference per call (a plan
 * counts as one call). Needs strace on PATH.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [given, n = "200"] = process.argv.slice(2);
if (!given) throw new Error("usage: bun bench/syscalls.ts <binary> [n]");
const binary: string = given;
const CALLS = Number(n);
const PER_PLAN = 20;

async function counts(calls: number): Promise<Map<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), "orch-sc-"));
  const ws = join(dir, "ws");
  mkdirSync(join(ws, ".git"), { recursive: true });
  const out = join(dir, "strace.txt");
  const client = new Client({ name: "syscalls", version: "1" });
  await client.connect(
    new StdioClientTransport({
      command: "strace",
      args: ["-f", "-c", "-o", out, binary, "serve", "--no-supervisor", "--workspace", ws],
    }),
  );
  const ids: string[] = [];
  for (let done = 0; done < calls; done += PER_PLAN) {
    const count = Math.min(PER_PLAN, calls - done);
    const plan = (await client.callTool({
      name: "orchestrator_plan_task",
      arguments: {
        description: "syscalls",
        subtasks: Array.from({ length: count }, (_, i) => ({
          title: `t${i}`,
          specialist_type: "implementer",
        })),
      },
    })) as unknown as { structuredContent: { subtasks: { task_id: string }[] } };
    ids.push(...plan.structuredContent.subtasks.map((s) => s.task_id));
  }
  for (const id of ids)
    await client.callTool({ name: "orchestrator_execute_subtask", arguments: { task_id: id } });
  for (const id of ids)
    await client.callTool({
      name: "orchestrator_complete_subtask",
      arguments: { task_id: id, summary: "s", detailed_work: "d" },
    });
  await client.close();
  // strace writes its summary when the traced process ends.
  for (let i = 0; i < 100 && !readFileSync(out, "utf8").includes("total"); i++) await Bun.sleep(50);
  const table = new Map<string, number>();
  for (const line of readFileSync(out, "utf8").split("\n")) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$/.exec(line);
    if (m && m[2] !== "total") table.set(m[2]!, Number(m[1]));
  }
  rmSync(dir, { recursive: true, force: true });
  return table;
}

const idle = await counts(0);
const busy = await counts(CALLS);
const plans = Math.ceil(CALLS / PER_PLAN);
const perCall = 2 * CALLS + plans;
// Every call that a run of n calls makes at least once per 20 calls more than an idle run.
const rows: Record<string, number> = {};
for (const name of new Set([...busy.keys(), ...idle.keys()])) {
  const d = ((busy.get(name) ?? 0) - (idle.get(name) ?? 0)) / perCall;
  if (Math.abs(d) >= 0.05) rows[name] = Math.round(d * 100) / 100;
}
console.log(
  JSON.stringify({ binary, calls: perCall, executes: CALLS, completes: CALLS, plans, per_call: rows }),
);
