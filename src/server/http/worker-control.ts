import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { type HttpRestartRequest, parseObject, type WorkerMessage } from "../../protocol/http-worker.ts";

/** The worker's half of the channel to `serve --http`'s front (protocol/http-worker.ts). */
export interface WorkerControl {
  /** Tells the front this worker listens: new requests may come to it. */
  ready(version: string): void;
  /** Asks the front for a restart; resolves with the orchestrator_restart_server result. */
  restart(request: HttpRestartRequest): Promise<Record<string, unknown>>;
  /** Stops reading the front (a stopped worker must not be held alive by its open stdin). */
  close(): void;
}

/**
 * Reads the front's answers on `input` and writes to it on `output`. When `input` ends the front
 * is gone, so `onFrontGone` stops this worker rather than leaving it serving a socket nobody reaches.
 */
export function createWorkerControl(
  input: Readable,
  output: Writable,
  onFrontGone: () => void,
): WorkerControl {
  const pending = new Map<number, (result: Record<string, unknown>) => void>();
  let next = 0;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on("line", (line) => {
    const m = parseObject(line);
    if (m?.t !== "restarted" || typeof m.id !== "number") return;
    const result = typeof m.result === "object" && m.result !== null ? m.result : {};
    pending.get(m.id)?.(result as Record<string, unknown>);
    pending.delete(m.id);
  });
  lines.on("close", onFrontGone);
  const close = (): void => {
    lines.off("close", onFrontGone);
    lines.close();
    input.destroy();
  };
  const send = (m: WorkerMessage): void => {
    output.write(`${JSON.stringify(m)}\n`);
  };
  return {
    ready: (version) => send({ t: "ready", pid: process.pid, version }),
    restart: (request) =>
      new Promise((resolve) => {
        const id = ++next;
        pending.set(id, resolve);
        send({ t: "restart", id, request });
      }),
    close,
  };
}
