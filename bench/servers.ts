/**
 * The two servers `bun run bench` puts side by side, each driven through the official SDK client
 * over stdio: ours (`dist/orchestrator serve`, with its supervisor) and the reference
 * `@modelcontextprotocol/server-memory`, run the way its users run it (node, MEMORY_FILE_PATH).
 * Each names its closest "create" and "update" calls.
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { BINARY, removeAtEnd } from "./_util.ts";

const MEMORY_SERVER = join(
  import.meta.dir,
  "..",
  "node_modules",
  "@modelcontextprotocol",
  "server-memory",
  "dist",
  "index.js",
);

export interface Connection {
  readonly client: Client;
  readonly pid: number;
  /** ms from spawn to the initialize answer, and to the first tools/list answer. */
  readonly initializeMs: number;
  readonly readyMs: number;
  /** tools/list as the server sent it (before the SDK client parsed it). */
  readonly tools: readonly Tool[];
  readonly close: () => Promise<void>;
}

export interface BenchServer {
  readonly label: string;
  /** Spawns the server with `extraArgs` and connects; the time to ready includes the tools/list. */
  connect(extraArgs?: readonly string[]): Promise<Connection>;
  /** The closest thing to "create one work item": returns what `update` takes. */
  create(client: Client, i: number): Promise<string>;
  /** The closest thing to "record progress on it". */
  update(client: Client, id: string, i: number): Promise<void>;
  /** How many items the server holds now (a write acknowledged but not stored is lost). */
  stored(client: Client): Promise<number>;
  readonly dispose: () => void;
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const r = await client.callTool({ name, arguments: args });
  if (r.isError) throw new Error(`${name}: ${JSON.stringify(r.content)}`);
  return r;
}

async function connectStdio(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<Connection> {
  const t0 = performance.now();
  const transport = new StdioClientTransport({
    command,
    args,
    env: { ...(process.env as Record<string, string>), ...env },
    stderr: "ignore",
  });
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(transport);
  const initializeMs = performance.now() - t0;
  let tools: Tool[] = [];
  const inner = transport.onmessage;
  transport.onmessage = (message) => {
    const result = (message as { result?: { tools?: Tool[] } }).result;
    if (Array.isArray(result?.tools)) tools = result.tools;
    inner?.(message);
  };
  await client.listTools();
  const readyMs = performance.now() - t0;
  return {
    client,
    pid: transport.pid ?? 0,
    initializeMs,
    readyMs,
    tools,
    close: () => client.close(),
  };
}

/**
 * `serve` of dist/orchestrator (or another build, to compare two) on a fresh workspace, with the
 * default profile unless `--tools` is passed.
 */
export function orchestrator(binary = BINARY, label = "orchestrator"): BenchServer {
  const ws = mkdtempSync(join(tmpdir(), "orch-vs-"));
  mkdirSync(join(ws, ".git"));
  return {
    label,
    connect: (extra = []) => connectStdio(binary, ["serve", "--workspace", ws, ...extra], {}),
    async create(client, i) {
      const r = await call(client, "orchestrator_plan_task", {
        description: `Bench job ${i}`,
        subtasks: [{ title: `Item ${i}`, specialist_type: "implementer" }],
      });
      return (r.structuredContent as { subtasks: { task_id: string }[] }).subtasks[0]!.task_id;
    },
    async update(client, id, i) {
      await call(client, "orchestrator_complete_subtask", {
        task_id: id,
        summary: `done ${i}`,
        detailed_work: `result ${i}`,
      });
    },
    async stored(client) {
      const r = await call(client, "orchestrator_get_status", { limit: 1 });
      const s = r.structuredContent as { plans_open: number; plans_completed: number };
      return s.plans_open + s.plans_completed;
    },
    dispose: () => removeAtEnd(ws),
  };
}

/** The reference: node + @modelcontextprotocol/server-memory with its file in a temp folder. */
export function serverMemory(): BenchServer {
  const dir = mkdtempSync(join(tmpdir(), "memory-vs-"));
  const file = join(dir, "memory.jsonl");
  return {
    label: "server-memory",
    connect: () => connectStdio("node", [MEMORY_SERVER], { MEMORY_FILE_PATH: file }),
    async create(client, i) {
      const name = `item-${i}`;
      await call(client, "create_entities", {
        entities: [{ name, entityType: "task", observations: [`Bench job ${i}`] }],
      });
      return name;
    },
    async update(client, id, i) {
      await call(client, "add_observations", {
        observations: [{ entityName: id, contents: [`done ${i}`] }],
      });
    },
    async stored(client) {
      const r = await call(client, "read_graph", {});
      const graph = (r.structuredContent ?? JSON.parse((r.content as { text: string }[])[0]!.text)) as {
        entities: unknown[];
      };
      return graph.entities.length;
    },
    dispose: () => removeAtEnd(dir),
  };
}
