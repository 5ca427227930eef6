/**
 * The servers the benches put side by side, each driven through the official SDK client over
 * stdio: ours (`dist/orchestrator serve`, with its supervisor), the reference
 * `@modelcontextprotocol/server-memory` (`bun run bench`), and the task servers issue 16 names as
 * peers, Task Master and Shrimp Task Manager (`bun run bench:peers`, bench/peers.ts), each run the
 * way its users run it (node, its documented environment). Each names its closest "create",
 * "update" and "list" calls.
 */
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
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
  /** The call that lists the work items (up to 200), as a model would read them. */
  list(client: Client): Promise<unknown>;
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
  cwd?: string,
): Promise<Connection> {
  const t0 = performance.now();
  const transport = new StdioClientTransport({
    command,
    args,
    env: { ...(process.env as Record<string, string>), ...env },
    stderr: "ignore",
    ...(cwd ? { cwd } : {}),
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
    list: (client) => call(client, "orchestrator_query_tasks", { limit: 200 }),
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
    list: (client) => call(client, "read_graph", {}),
    dispose: () => removeAtEnd(dir),
  };
}

/** The text of a tool result's first content block. */
function textOf(r: Record<string, unknown>): string {
  const first = (r.content as { type: string; text?: string }[] | undefined)?.[0];
  return first?.type === "text" ? (first.text ?? "") : "";
}

/**
 * Task Master (`task-master-ai`, its MCP server `dist/mcp-server.js`) from an installed package
 * folder, with its `standard` tool set (14 tools, as issue 16 measured it and as many as our default
 * profile; its own default is `core`, 7 tools) and a project of its own. A task is
 * created by hand (`add_task` with a title and description, no model call) and its "update" is
 * `set_task_status` to done; it keeps the tasks in `.taskmaster/tasks/tasks.json`.
 */
export function taskMaster(pkg: string): BenchServer {
  const root = mkdtempSync(join(tmpdir(), "taskmaster-vs-"));
  const tasksFile = join(root, ".taskmaster", "tasks", "tasks.json");
  return {
    label: "task-master",
    connect: () =>
      connectStdio("node", [join(pkg, "dist", "mcp-server.js")], { TASK_MASTER_TOOLS: "standard" }, root),
    async create(client, i) {
      const r = await call(client, "add_task", {
        projectRoot: root,
        title: `Item ${i}`,
        description: `Bench job ${i}`,
      });
      const id = (JSON.parse(textOf(r)) as { data?: { taskId?: number } }).data?.taskId;
      if (id === undefined) throw new Error(`add_task: no task id in ${textOf(r).slice(0, 200)}`);
      return String(id);
    },
    async update(client, id) {
      await call(client, "set_task_status", { projectRoot: root, id, status: "done" });
    },
    async stored() {
      try {
        const file = JSON.parse(readFileSync(tasksFile, "utf8")) as Record<string, { tasks?: unknown[] }>;
        return Object.values(file).reduce((n, tag) => n + (tag.tasks?.length ?? 0), 0);
      } catch {
        return 0;
      }
    },
    list: (client) => call(client, "get_tasks", { projectRoot: root }),
    dispose: () => removeAtEnd(root),
  };
}

/**
 * Shrimp Task Manager (`mcp-shrimp-task-manager`) from an installed package folder, with its
 * English templates and no web GUI, its data in a folder of its own (`DATA_DIR`). A task is
 * created by `split_tasks` in append mode (one task) and its "update" is `execute_task`, which
 * takes it from pending to in progress (its completion, `verify_task`, needs a task in
 * progress). It keeps the tasks in `tasks.json` under its data folder.
 */
export function shrimp(pkg: string): BenchServer {
  const dir = mkdtempSync(join(tmpdir(), "shrimp-vs-"));
  const data = join(dir, "data");
  const uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  return {
    label: "shrimp",
    connect: () =>
      connectStdio(
        "node",
        [join(pkg, "dist", "index.js")],
        { DATA_DIR: data, TEMPLATES_USE: "en", ENABLE_GUI: "false" },
        dir,
      ),
    async create(client, i) {
      const name = `Item ${i}`;
      const r = await call(client, "split_tasks", {
        updateMode: "append",
        tasksRaw: JSON.stringify([
          { name, description: `Bench job ${i}: one work item`, implementationGuide: "Do it" },
        ]),
      });
      const id = new RegExp(`${name}\\s+\\*\\*ID:\\*\\* \`(${uuid})\``).exec(textOf(r))?.[1];
      // Under concurrent calls it sometimes answers with an empty task list: not acknowledged.
      if (!id) throw new Error(`split_tasks: ${name} is not in its answer`);
      return id;
    },
    async update(client, id) {
      await call(client, "execute_task", { taskId: id });
    },
    async stored() {
      try {
        return (JSON.parse(readFileSync(join(data, "tasks.json"), "utf8")) as { tasks: unknown[] }).tasks
          .length;
      } catch {
        return 0;
      }
    },
    list: (client) => call(client, "list_tasks", { status: "all" }),
    dispose: () => removeAtEnd(dir),
  };
}
