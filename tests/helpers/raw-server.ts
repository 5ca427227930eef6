import { type ChildProcess, spawn } from "node:child_process";
import { BINARY } from "./client.ts";
import { storeEnv } from "./test-store.ts";

type Message = Record<string, any>;

/**
 * A raw JSON-RPC line client over a spawned `serve`: sends exact bytes (malformed ones too),
 * counts answers per id, and waits for events (an answer, a stderr line), never for a fixed time.
 */
export function rawServer(opts: {
  cwd: string;
  args?: string[];
  env?: Record<string, string>;
  command?: string;
  /** Answers the server's own requests (roots/list...); unanswered when absent. */
  onServerRequest?: (msg: Message) => unknown;
  /** The client capabilities `init` declares. */
  capabilities?: Record<string, unknown>;
}) {
  const child: ChildProcess = spawn(opts.command ?? BINARY, ["serve", ...(opts.args ?? [])], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...storeEnv(), ...opts.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const messages: Message[] = [];
  let stderr = "";
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const w of [...waiters]) w();
  };
  let parts: Buffer[] = [];
  child.stdout!.on("data", (d: Buffer) => {
    let start = 0;
    for (let nl = d.indexOf(10); nl >= 0; nl = d.indexOf(10, start)) {
      parts.push(d.subarray(start, nl));
      const msg = JSON.parse(Buffer.concat(parts).toString("utf8")) as Message;
      messages.push(msg);
      if (opts.onServerRequest && typeof msg.method === "string" && msg.id !== undefined)
        child.stdin!.write(
          `${JSON.stringify({ jsonrpc: "2.0", id: msg.id, result: opts.onServerRequest(msg) })}\n`,
        );
      parts = [];
      start = nl + 1;
    }
    if (start < d.length) parts.push(d.subarray(start));
    wake();
  });
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
    wake();
  });
  child.on("exit", wake);

  /** Resolves true as soon as `pred` holds, false after `ms` without it. */
  const waitFor = (pred: () => boolean, ms = 20_000): Promise<boolean> =>
    new Promise((resolve) => {
      if (pred()) return resolve(true);
      const check = (): void => {
        if (!pred()) return;
        done(true);
      };
      const timer = setTimeout(() => done(false), ms);
      const done = (v: boolean): void => {
        clearTimeout(timer);
        waiters.delete(check);
        resolve(v);
      };
      waiters.add(check);
    });
  const sendLine = (line: string | Buffer): boolean =>
    child.stdin!.write(typeof line === "string" ? `${line}\n` : Buffer.concat([line, Buffer.from("\n")]));
  const send = (m: Message): boolean => sendLine(JSON.stringify({ jsonrpc: "2.0", ...m }));
  const answers = (id: unknown): Message[] => messages.filter((m) => m.id === id && !("method" in m));
  /** The answer to `id`, waiting for it. */
  const answer = async (id: unknown, ms = 20_000): Promise<Message> => {
    if (!(await waitFor(() => answers(id).length > 0, ms)))
      throw new Error(`no answer to ${JSON.stringify(id)} within ${ms} ms; stderr: ${stderr.slice(-500)}`);
    return answers(id)[0] as Message;
  };
  const call = (id: unknown, name: string, args: Record<string, unknown> = {}): boolean =>
    send({ id, method: "tools/call", params: { name, arguments: args } });
  const init = async (): Promise<void> => {
    send({
      id: "init",
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: opts.capabilities ?? {},
        clientInfo: { name: "raw", version: "1" },
      },
    });
    send({ method: "notifications/initialized" });
    await answer("init");
  };
  /** How many times `text` appears on stderr so far. */
  const stderrCount = (text: string): number => stderr.split(text).length - 1;
  return {
    child,
    messages,
    send,
    sendLine,
    call,
    waitFor,
    answer,
    answers,
    init,
    stderr: () => stderr,
    stderrCount,
    close: () => child.kill("SIGKILL"),
  };
}

export type RawServer = ReturnType<typeof rawServer>;
