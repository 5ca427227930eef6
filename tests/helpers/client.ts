import { existsSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Random } from "../../src/core/ports.ts";
import { DEFAULT_SETTINGS, type Settings } from "../../src/core/settings.ts";
import { readEnv } from "../../src/platform/env.ts";
import { randomHex } from "../../src/platform/fs.ts";
import { holderGone } from "../../src/platform/process.ts";
import { createServer } from "../../src/server/create-server.ts";
import type { ServerDeps } from "../../src/server/session.ts";
import { StoreCache } from "../../src/store/cache.ts";
import { copiesSettled } from "../../src/workspace/local-copies.ts";
import { createRoleLoader } from "../../src/workspace/roles.ts";
import { createSettingsLoader } from "../../src/workspace/settings.ts";
import { storeEnv, testDbUrl } from "./test-store.ts";

export const ROOT = join(import.meta.dir, "..", "..");
export const BINARY = join(ROOT, "dist", process.platform === "win32" ? "orchestrator.exe" : "orchestrator");

/** What serve gives every connection, for a server in this process (connectInMemory, pool tests). */
export function inMemoryDeps(
  opts: Parameters<typeof connectInMemory>[0],
): ServerDeps & { stores: StoreCache } {
  const stores = new StoreCache();
  return {
    version: "test",
    env: { ...readEnv(), cwd: opts.cwd, homedir: opts.homedir ?? "/nonexistent-home" },
    workspace: opts.workspace,
    db: opts.db ?? testDbUrl(),
    settings: { ...DEFAULT_SETTINGS, ...opts.settings },
    settingsFixed: new Set(Object.keys(opts.settings ?? {}) as (keyof Settings)[]),
    settingsLoader: createSettingsLoader(),
    tools: opts.tools ?? "standard",
    clock: { now: opts.now ?? (() => new Date().toISOString()) },
    random: opts.random ?? { hex: randomHex },
    roleLoader: createRoleLoader(),
    stores,
    connection: opts.connection,
    holderGone,
    checkOutputs: opts.checkOutputs ?? true,
  };
}

/**
 * A real SDK Client connected to createServer() over an in-memory pair. Without `db`, the test
 * store's database (tests/helpers/test-store.ts: PostgreSQL under ORCHESTRATOR_TEST_STORE=postgres).
 */
export async function connectInMemory(opts: {
  cwd: string;
  homedir?: string;
  workspace?: string;
  db?: string;
  settings?: Partial<Settings>;
  now?: () => string;
  clientName?: string;
  tools?: "core" | "standard" | "all";
  /** The client connection's process as claims record it (serve passes the real one). */
  connection?: ServerDeps["connection"];
  /** The SDK's parse of each result against the full output schema (default on in tests; the bench turns it off as the product does). */
  checkOutputs?: boolean;
  /** The ids' random source (default: crypto). */
  random?: Random;
}): Promise<{ client: Client; close: () => Promise<void>; stores: StoreCache }> {
  const deps = inMemoryDeps(opts);
  const { server } = createServer(deps);
  const stores = deps.stores;
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: opts.clientName ?? "test-client", version: "1.0.0" });
  await server.connect(a);
  await client.connect(b);
  return {
    client,
    stores,
    close: async () => {
      await client.close();
      await server.close();
      // As serve's exit: the copies queued after answers are written before the test removes the folder.
      await copiesSettled(undefined, 10_000);
      await stores.closeAll();
    },
  };
}

/**
 * Spawns the compiled binary's `serve` and connects a real SDK Client over stdio. The test store's
 * ORCHESTRATOR_DB is in the environment (PostgreSQL runs); `--db` or an `env` entry overrides it.
 */
export async function connectBinary(opts: {
  cwd: string;
  args?: string[];
  env?: Record<string, string>;
  clientName?: string;
  /** Another copy of the binary to run instead of dist/orchestrator. */
  command?: string;
  /** Runs the server through this launcher instead (e.g. as another user: helpers/unprivileged.ts). */
  launch?: (args: string[]) => { command: string; args: string[] };
}): Promise<{
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
  close: () => Promise<void>;
}> {
  const command = opts.command ?? BINARY;
  if (!existsSync(command)) throw new Error(`${command} is missing: run 'bun run build' first`);
  const serveArgs = ["serve", ...(opts.args ?? [])];
  const launched = opts.launch ? opts.launch(serveArgs) : { command, args: serveArgs };
  const transport = new StdioClientTransport({
    command: launched.command,
    args: launched.args,
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...storeEnv(), ...opts.env },
    stderr: "pipe",
  });
  let err = "";
  transport.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const client = new Client({ name: opts.clientName ?? "e2e-client", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport, stderr: () => err, close: () => client.close() };
}

/** Calls a tool and returns the typed result. */
export async function call(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** Calls a tool that must succeed and returns its structured content. */
export async function callOk<T = Record<string, any>>(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<T> {
  const r = await call(client, name, args);
  if (r.isError) throw new Error(`${name} failed: ${textOf(r)}`);
  return r.structuredContent as T;
}

/** The text content of a result. */
export function textOf(r: CallToolResult): string {
  return r.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

/**
 * Waits until the artifacts' local copies queued by complete_subtask (written after its answer)
 * are written, in this process: for servers made by connectInMemory.
 */
export async function localCopiesWritten(): Promise<void> {
  if (!(await copiesSettled(undefined, 10_000))) throw new Error("local copies still pending after 10 s");
}

/**
 * The same for a server in another process (the binary): health_check answers once the copies
 * queued before it are written (or have failed, which it lists as problems).
 */
export async function localCopiesWrittenBy(client: Client, workingDirectory?: string): Promise<void> {
  await callOk(
    client,
    "orchestrator_health_check",
    workingDirectory ? { working_directory: workingDirectory } : {},
  );
}
