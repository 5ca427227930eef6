/**
 * The profile `bun build --bytecode-order` lays the binary's bytecode out by (scripts/build.ts):
 * a first build of this host is run as `serve` is run by MCP clients, once with the supervisor
 * and once without, each process writing the functions it used (BUN_BYTECODE_ORDER_OUT). The
 * second build puts those functions together at the front of the embedded bytecode, so an idle
 * `serve` touches fewer of the binary's pages (docs/performance.md, "Idle memory").
 * Recorded at every build, so it cannot go stale; a profile from another target still applies
 * (functions are matched by content).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initializeRequest } from "../src/protocol/handshake.ts";

/**
 * One session as a client runs it, in steps each sent once the previous one is answered (one
 * request at a time: the order functions are first used in): handshake, the list, a plan
 * written, the status read.
 */
const STEPS: readonly (readonly Record<string, unknown>[])[] = [
  [initializeRequest(1, "build", "1")],
  [
    { jsonrpc: "2.0", method: "notifications/initialized" },
    { jsonrpc: "2.0", id: 2, method: "tools/list" },
  ],
  [
    {
      jsonrpc: "2.0",
      id: 3,
      method: "tools/call",
      params: {
        name: "orchestrator_plan_task",
        arguments: {
          description: "profile",
          subtasks: [{ title: "a", description: "x", specialist_type: "implementer" }],
        },
      },
    },
  ],
  [
    {
      jsonrpc: "2.0",
      id: 4,
      method: "tools/call",
      params: { name: "orchestrator_get_status", arguments: {} },
    },
  ],
];

/** Runs one session against `binary serve` and resolves once the process (and its worker) exited. */
async function session(binary: string, args: string[], env: Record<string, string>): Promise<void> {
  const child = spawn(binary, ["serve", ...args], { stdio: ["pipe", "pipe", "inherit"], env });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const send = (step: number): void => {
    for (const m of STEPS[step]!) child.stdin.write(`${JSON.stringify(m)}\n`);
  };
  let buffered = "";
  let answered = 0;
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("bytecode order: serve did not answer in 60 s")), 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bytecode order: serve exited (${code}) before answering`));
    });
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const msg = JSON.parse(line) as { id?: number; error?: unknown; result?: { isError?: boolean } };
        if (msg.id === undefined) continue;
        if (msg.error !== undefined || msg.result?.isError) {
          clearTimeout(timer);
          reject(new Error(`bytecode order: request ${msg.id} failed: ${line.slice(0, 300)}`));
          return;
        }
        answered++;
        if (answered < STEPS.length) send(answered);
        else {
          clearTimeout(timer);
          resolve();
        }
      }
    });
  });
  send(0);
  try {
    await done;
  } finally {
    child.stdin.end();
  }
  const code = await exited;
  if (code !== 0) throw new Error(`bytecode order: serve ${args.join(" ")} exited ${code}`);
}

/**
 * Records the order files for `binary` (built for this host) into `dir`: the supervised run first
 * (its file is the supervisor's: it exits after its worker, so it writes last), then the worker's
 * path alone. Returns them most important first, as --bytecode-order takes them.
 */
export async function recordBytecodeOrder(binary: string, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const ws = mkdtempSync(join(tmpdir(), "orch-order-"));
  mkdirSync(join(ws, ".git"));
  mkdirSync(join(ws, "home"));
  // Nothing of the builder's own orchestrator setup (a shared database, a profile) may leak in.
  const base: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: join(ws, "home") };
  const files = [join(dir, "serve-supervisor.order"), join(dir, "serve-worker.order")];
  try {
    await session(binary, ["--workspace", ws], { ...base, BUN_BYTECODE_ORDER_OUT: files[0]! });
    await session(binary, ["--workspace", ws, "--no-supervisor"], {
      ...base,
      BUN_BYTECODE_ORDER_OUT: files[1]!,
    });
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
  for (const f of files) if (!existsSync(f)) throw new Error(`bytecode order: ${f} was not written`);
  return files;
}
