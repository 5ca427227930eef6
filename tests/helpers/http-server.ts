import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { BINARY } from "./client.ts";
import { storeEnv } from "./test-store.ts";

/** A running `orchestrator serve --http` (the compiled binary) and what it printed. */
export interface HttpServer {
  /** The /mcp URL from its "listening on" line. */
  readonly url: string;
  /** The URL without /mcp. */
  readonly base: string;
  readonly child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `serve --http 127.0.0.1:0 ...args` and waits for the line naming the bound address (the
 * port is the kernel's choice, so parallel tests never collide). Rejects with the output when the
 * process exits before listening.
 */
export function startHttpServer(opts: {
  cwd: string;
  args?: string[];
  env?: Record<string, string>;
  bind?: string;
  /** Another build to run instead of dist/orchestrator (benches compare two). */
  command?: string;
}): Promise<HttpServer> {
  const command = opts.command ?? BINARY;
  if (!existsSync(command)) throw new Error(`${command} is missing: run 'bun run build' first`);
  const child = spawn(command, ["serve", "--http", opts.bind ?? "127.0.0.1:0", ...(opts.args ?? [])], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...storeEnv(), ...opts.env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /listening on (https?:\/\/\S+\/mcp)/.exec(err);
      if (m?.[1]) {
        const url = m[1];
        resolve({
          url,
          base: url.slice(0, -"/mcp".length),
          child,
          stderr: () => err,
          stop: async () => {
            child.kill("SIGTERM");
            return exited;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`serve --http exited (${code}) before listening:\n${err}`)));
  });
}

/** An SDK client over Streamable HTTP, sending the token (if any) on every request. */
export async function connectHttp(
  url: string,
  token?: string,
  name = "http-e2e",
  fetchImpl?: typeof fetch,
): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : {},
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
  const client = new Client({ name, version: "1.0.0" });
  await client.connect(transport);
  return client;
}

/**
 * Resolves with the `nth` match (1-based) of the global `pattern` in the server's stderr, as soon
 * as it has been written: an event to wait for instead of a sleep.
 */
export function stderrMatch(server: HttpServer, pattern: RegExp, nth: number): Promise<RegExpExecArray> {
  const find = (): RegExpExecArray | undefined => [...server.stderr().matchAll(pattern)][nth - 1];
  return new Promise((resolve) => {
    const found = find();
    if (found) return resolve(found);
    const onData = (): void => {
      // The helper's own listener appended the chunk first (it was attached earlier).
      const m = find();
      if (!m) return;
      server.child.stderr?.off("data", onData);
      resolve(m);
    };
    server.child.stderr?.on("data", onData);
  });
}
