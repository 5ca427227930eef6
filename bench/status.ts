/**
 * get_status and task lists at scale, A/B (issue 16 target 5): `bun bench/status.ts [binary ...]
 * [--tasks 100000] [--rounds 5] [--calls 400] [--miss] [--query] [--db postgres://…]`. The store is shaped as `loadRun` shapes it (10
 * tasks per seeded plan, all but 5 plans finished, then 8 open plans of 250 tasks), seeded once
 * in-process and kept under the temp folder (seeding 100,000 tasks takes about a minute), then
 * copied for each binary so a newer schema never meets an older binary. Each binary gets its own
 * server over stdio with the supervisor, as a client runs it; rounds alternate between them so
 * both share the machine's noise. Prints p50/p99 of one-at-a-time calls per round and the sizes
 * of the default answers (compact JSON of the whole result, what the client parses; measured apart
 * from the timed calls). `--miss`: a write before each timed call (see below).
 */
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { sql } from "kysely";
import { planTask } from "../src/app/plan-task.ts";
import { DEFAULT_SETTINGS } from "../src/core/settings.ts";
import { randomHex } from "../src/platform/fs.ts";
import { StoreCache } from "../src/store/cache.ts";
import { createDataFiles } from "../src/workspace/data-files.ts";
import { readProjectIdentity } from "../src/workspace/project.ts";
import { createRoleLoader } from "../src/workspace/roles.ts";
import { percentile } from "../tests/stress/load.ts";
import { BINARY, round } from "./_util.ts";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const TASKS = arg("--tasks", 100_000);
const ROUNDS = arg("--rounds", 5);
const CALLS = arg("--calls", 400);
const MISS = process.argv.includes("--miss");
/**
 * `--db postgres://…`: seed there and point every server at it (one database shared by the
 * binaries, so they must share a schema). The seeded marker is kept per `--tasks` under the temp
 * folder: give a fresh database its own run by removing `orch-status-seed-<tasks>-pg`.
 */
const DB = process.argv[process.argv.indexOf("--db") + 1] ?? "";
const PG = process.argv.includes("--db");
/** `--query`: time query_tasks with `limit: 200` (newest first over the whole store) instead. */
const [TOOL, ARGS] = process.argv.includes("--query")
  ? ["orchestrator_query_tasks", { limit: 200 }]
  : ["orchestrator_get_status", {}];
const NAME = TOOL.replace("orchestrator_", "");
const binaries = process.argv
  .slice(2)
  .filter(
    (a, i, all) =>
      !a.startsWith("--") && !["--tasks", "--rounds", "--calls", "--db"].includes(all[i - 1] ?? ""),
  );
if (binaries.length === 0) binaries.push(BINARY);

/** The workspace folder is always named `ws`, so its project id (`local:ws`) survives the copy. */
async function seeded(): Promise<string> {
  const root = join(tmpdir(), `orch-status-seed-${TASKS}${PG ? "-pg" : ""}`);
  const ws = join(root, "ws");
  if (existsSync(join(root, "done"))) return ws;
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(ws, ".git"), { recursive: true });
  mkdirSync(join(ws, ".task_orchestrator"), { recursive: true });
  const stores = new StoreCache();
  const store = await stores.get(PG ? DB : join(ws, ".task_orchestrator", "orchestrator.db"));
  const loader = createRoleLoader();
  const identity = readProjectIdentity(ws, undefined);
  const ctx = {
    store,
    project: identity.id,
    identity,
    workspace: ws,
    files: createDataFiles(ws),
    clock: { now: () => new Date().toISOString() },
    random: { hex: randomHex },
    settings: DEFAULT_SETTINGS,
    roles: () => loader.load(ws),
  };
  for (let p = 0; p < TASKS / 10; p++) {
    const subtasks = Array.from({ length: 10 }, (_, i) => ({
      title: `Task ${i} of plan ${p}`,
      description: "Seeded history for the benchmark",
      specialist_type: ["architect", "implementer", "tester", "reviewer"][i % 4],
      dependencies: i > 0 ? [`Task ${i - 1} of plan ${p}`] : [],
    }));
    await planTask(ctx, { description: `Seeded plan ${p}`, subtasks, complexity: "moderate" });
  }
  await sql`update tasks set status = 'completed', completed_at = updated_at, summary = 'done'
    where plan_id not in (select id from plans order by created_at limit 5)`.execute(store.db);
  await sql`update plans set status = 'completed', n_completed = n_total, n_pending = 0, completed_at = updated_at
    where id not in (select id from plans order by created_at limit 5)`.execute(store.db);
  for (let p = 0; p < 8; p++) {
    const subtasks = Array.from({ length: 250 }, (_, i) => ({
      title: `b${p * 250 + i}`,
      description: "x",
      specialist_type: "implementer",
    }));
    await planTask(ctx, { description: "Benchmark plan", subtasks, complexity: "moderate" });
  }
  await stores.closeAll();
  writeFileSync(join(root, "done"), "");
  return ws;
}

interface Server {
  readonly label: string;
  readonly client: Client;
  readonly status: number[][];
}

async function start(binary: string, index: number, seed: string): Promise<Server> {
  const ws = join(tmpdir(), `orch-status-${process.pid}-${index}`, "ws");
  cpSync(seed, ws, { recursive: true });
  const transport = new StdioClientTransport({
    command: binary,
    args: ["serve", "--workspace", ws, ...(PG ? ["--db", DB] : [])],
    stderr: "inherit",
  });
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(transport);
  return { label: binary, client, status: [] };
}

async function call(c: Client, name: string, args: Record<string, unknown>): Promise<Record<string, any>> {
  const r = await c.callTool({ name, arguments: args });
  if (r.isError) throw new Error(`${name}: ${JSON.stringify(r.content)}`);
  return r;
}
const size = async (c: Client, name: string, args: Record<string, unknown>) =>
  Buffer.byteLength(JSON.stringify(await call(c, name, args)));

const seed = await seeded();
const servers: Server[] = [];
for (const [i, b] of binaries.entries()) servers.push(await start(b, i, seed));
for (const s of servers) for (let i = 0; i < Math.min(200, CALLS); i++) await call(s.client, TOOL, ARGS);
// --miss: the holder of one task renews its claim (a write) before each timed call, so no answer
// kept from an earlier call can serve it.
const held = new Map<Server, string>();
if (MISS)
  for (const s of servers)
    held.set(s, (await call(s.client, "orchestrator_execute_subtask", {})).structuredContent.task_id);
for (let r = 0; r < ROUNDS; r++) {
  for (const s of servers) {
    const times: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      if (MISS) await call(s.client, "orchestrator_execute_subtask", { task_id: held.get(s) });
      const t = performance.now();
      await call(s.client, TOOL, ARGS);
      times.push(performance.now() - t);
    }
    s.status.push(times);
    console.log(
      `round ${r + 1} ${s.label}: ${NAME} p50 ${round(percentile(times, 50))} ms, p99 ${round(percentile(times, 99))} ms`,
    );
  }
}
for (const s of servers) {
  const p50s = s.status.map((t) => round(percentile(t, 50))).sort((a, b) => a - b);
  const p99s = s.status.map((t) => round(percentile(t, 99))).sort((a, b) => a - b);
  const sizes = {
    get_status: await size(s.client, "orchestrator_get_status", {}),
    get_status_plan: await size(s.client, "orchestrator_get_status", { limit: 1 }),
    query_tasks_200: await size(s.client, "orchestrator_query_tasks", { limit: 200 }),
  };
  console.log(
    `${s.label}: ${NAME} p50 median ${p50s[p50s.length >> 1]} (${p50s[0]}–${p50s.at(-1)}) ms, p99 median ${p99s[p99s.length >> 1]} (${p99s[0]}–${p99s.at(-1)}) ms; answer bytes ${JSON.stringify(sizes)}`,
  );
  await s.client.close();
}
for (let i = 0; i < servers.length; i++)
  rmSync(join(tmpdir(), `orch-status-${process.pid}-${i}`), { recursive: true, force: true });
