import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import { initializeResult } from "../../src/protocol/handshake.ts";
import { readLines } from "../../src/protocol/line-reader.ts";
import type { SpawnWorker, WorkerProcess } from "../../src/supervisor/seams.ts";

type Json = Record<string, any>;

/**
 * A worker process in memory: its stdio is a stream pair the supervisor writes and reads as it
 * would a child's. It answers initialize and the supervisor's restore_session itself, holds every
 * other request until the test answers it (or answers at once with `autoAnswer`), and exits when
 * its stdin closes and nothing is left to answer, as the real worker does.
 */
export class FakeWorker extends EventEmitter implements WorkerProcess {
  readonly pid: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  /** Every message the supervisor sent, in order. */
  readonly received: Json[] = [];
  /** Requests held, by id. */
  readonly held = new Map<string | number, Json>();
  autoAnswer = false;
  /** Holds initialize like any request (a worker still loading) until the test answers it. */
  holdInitialize = false;
  exited = false;
  #closed = false;

  constructor(pid: number, env: Readonly<Record<string, string | undefined>>) {
    super();
    this.pid = pid;
    this.env = env;
    readLines(this.stdin, {
      onLine: (line) => this.#receive(JSON.parse(line) as Json),
      onEnd: () => {
        this.#closed = true;
        this.#exitIfDone();
      },
    });
  }

  #receive(msg: Json): void {
    this.received.push(msg);
    if (msg.method === "initialize" && !this.holdInitialize) {
      this.reply(msg.id, initializeResult(msg.params?.protocolVersion, `fake-${this.pid}`));
    } else if (msg.method === "orchestrator/restore_session") {
      this.reply(msg.id, {});
    } else if (msg.id === undefined || msg.method === undefined) {
      // a notification, or an answer to one of its own requests: nothing to answer
    } else if (this.autoAnswer) {
      this.reply(msg.id, textResult(`answered by ${this.pid}`));
    } else {
      this.held.set(msg.id, msg);
    }
  }

  /** Writes an answer to the supervisor, its members in the order the SDK writes them. */
  reply(id: string | number, result: Json): void {
    this.held.delete(id);
    if (this.exited) return;
    this.stdout.write(answerLine(id, result));
    this.#exitIfDone();
  }

  /** Writes any line (a server→client request, a notification) to the supervisor. */
  send(msg: Json): void {
    this.stdout.write(`${JSON.stringify(msg)}\n`);
  }

  /** Dies at once, as a crash would. */
  crash(code = 1, signal: NodeJS.Signals | null = null): void {
    if (this.exited) return;
    this.exited = true;
    setImmediate(() => this.emit("exit", signal ? null : code, signal));
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): boolean {
    this.crash(1, signal);
    return true;
  }

  /** Requests of `method` (or tools/call of `tool`) it was sent. */
  requests(method: string, tool?: string): Json[] {
    return this.received.filter(
      (m) => m.method === method && (tool === undefined || m.params?.name === tool),
    );
  }

  #exitIfDone(): void {
    if (this.#closed && this.held.size === 0 && !this.exited) this.crash(0);
  }
}

/** A result as the worker's SDK writes it (`{ result, jsonrpc, id }`), with its newline. */
export function answerLine(id: string | number, result: Json): string {
  return `${JSON.stringify({ result, jsonrpc: "2.0", id })}\n`;
}

export function textResult(text: string): Json {
  return { content: [{ type: "text", text }] };
}

/** A `spawn` that starts FakeWorkers (pids 1001, 1002, ...) and keeps them for the test. */
export function fakeSpawner(setup?: (w: FakeWorker) => void): { spawn: SpawnWorker; workers: FakeWorker[] } {
  const workers: FakeWorker[] = [];
  const spawn: SpawnWorker = (_command, _args, env) => {
    const w = new FakeWorker(1001 + workers.length, env);
    setup?.(w);
    workers.push(w);
    return w;
  };
  return { spawn, workers };
}
