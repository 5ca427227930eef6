import { randomBytes } from "node:crypto";
import { initializeResult } from "../protocol/handshake.ts";
import { INVALID_PARAMS, resultAnswerId } from "../protocol/jsonrpc.ts";
import { lineText, readLineBytes } from "../protocol/line-reader.ts";
import { LineWriter } from "../protocol/line-writer.ts";
import type { RestartTrigger } from "../protocol/reboot-tools.ts";
import type { ToolListSnapshot } from "../protocol/tool-snapshot.ts";
import { RESTORE_SESSION_METHOD, workerEnv } from "../protocol/worker-env.ts";
import type { SpawnWorker, SupervisorClock, WorkerProcess } from "./seams.ts";

type Json = Record<string, unknown>;

/** One worker process and what the supervisor knows of it. */
export interface Worker {
  readonly gen: number;
  readonly child: WorkerProcess;
  /** Its stdin, where the lines of one turn go out in one write. */
  readonly input: LineWriter | null;
  readonly pid: number;
  readonly startedAt: string;
  version: string | null;
  /** It has answered the replayed initialize (and was sent initialized if the client sent it). */
  warm: boolean;
  initializedSent: boolean;
  /** Sent nothing more: it finishes what it has and exits (a restart, or the end). */
  retiring: boolean;
  exited: boolean;
  /** Client requests it answered itself. */
  answered: number;
  /** Client requests still running when it was stopped or died. */
  interrupted: number;
  stderrTail: string;
}

export interface WorkerPoolOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly spawn: SpawnWorker;
  readonly clock: SupervisorClock;
  /** The supervisor's pid, told to each worker (its claims' holder, the health check). */
  readonly pid: number;
  /** The built-in tools/list the supervisor may answer: each worker is told its digest. */
  readonly toolList?: ToolListSnapshot | undefined;
  readonly log: (line: string) => void;
  /** A line a worker wrote to stdout that is not an answer to the supervisor's own request. */
  readonly onMessage: (w: Worker, msg: Json, line: string) => void;
  /**
   * A result to a client request (an integer id), as the worker wrote it: most are relayed to
   * the client unread, which spares decoding, parsing and encoding again a few KB per answer.
   */
  readonly onResult: (w: Worker, id: number, line: Uint8Array) => void;
  readonly onExit: (w: Worker, code: number | null, signal: NodeJS.Signals | null) => void;
}

interface InternalCall {
  readonly worker: number;
  readonly resolve: (msg: Json) => void;
  readonly reject: (e: Error) => void;
  readonly timer: unknown;
}

/** Ids of the supervisor's own requests to a worker; no client id is relayed with this prefix. */
/** The prefix of the ids of the supervisor's own requests to a worker; clients may not use it. */
export const INTERNAL = "orchestrator-supervisor:";

/**
 * The worker processes' lifecycle: starting one (with the supervisor's note in its environment),
 * bringing it to the client's point (the replayed initialize handshake), the supervisor's own
 * requests to it, pausing its output, and stopping it. What a worker says to the client and what
 * its exit means are the supervisor's: they go to `onMessage` and `onExit`.
 */
export class WorkerPool {
  readonly #opts: WorkerPoolOptions;
  readonly #workers = new Map<number, Worker>();
  readonly #internal = new Map<string, InternalCall>();
  #internalSeq = 0;
  #gen = 0;
  #crashSpawns = 0;
  #lastRestart: string | null = null;
  #paused = false;
  /** Handed to every worker, so the connection's default agent id survives worker restarts. */
  readonly connectionId = randomBytes(3).toString("hex");
  /**
   * What each new worker is brought to: the client's initialize, whether initialized followed, and
   * the workspace orchestrator_initialize_session bound on this connection (read from its answer),
   * so calls without working_directory keep landing there.
   */
  readonly replay: { initialize: Json | null; initialized: boolean; binding: string | null } = {
    initialize: null,
    initialized: false,
    binding: null,
  };

  constructor(opts: WorkerPoolOptions) {
    this.#opts = opts;
  }

  /** Starts a worker; `trigger` says why when it replaces another (the health check reports it). */
  start(trigger?: RestartTrigger): Worker {
    const gen = ++this.#gen;
    const { clock } = this.#opts;
    if (trigger === "crash") this.#crashSpawns++;
    if (trigger) this.#lastRestart = new Date(clock.now()).toISOString();
    const env = workerEnv(this.#opts.env, {
      connectionId: this.connectionId,
      listedTools: this.#opts.toolList?.digest,
      info: {
        supervisor_pid: this.#opts.pid,
        worker_generation: gen,
        restarts: gen - 1,
        crash_restarts: this.#crashSpawns,
        last_restart: this.#lastRestart,
      },
    });
    const child = this.#opts.spawn(this.#opts.command, this.#opts.args, env);
    const w: Worker = {
      gen,
      child,
      input: child.stdin ? new LineWriter(child.stdin) : null,
      pid: child.pid ?? -1,
      startedAt: new Date(clock.now()).toISOString(),
      version: null,
      warm: false,
      initializedSent: false,
      retiring: false,
      exited: false,
      answered: 0,
      interrupted: 0,
      stderrTail: "",
    };
    this.#workers.set(gen, w);
    child.stdin?.on("error", () => {});
    child.stderr?.on("data", (d: Buffer) => {
      this.#opts.log(d.toString());
      w.stderrTail = (w.stderrTail + d.toString()).slice(-2000);
    });
    if (child.stdout) readLineBytes(child.stdout, { onLine: (bytes) => this.#fromWorker(w, bytes) });
    if (this.#paused) child.stdout?.pause();
    child.on("exit", (code, signal) => this.#exited(w, code, signal));
    child.on("error", (e) => {
      w.stderrTail += `\n${e.message}`;
    });
    return w;
  }

  /** Workers not yet exited. */
  get all(): readonly Worker[] {
    return [...this.#workers.values()];
  }

  byGen(gen: number): Worker | undefined {
    return this.#workers.get(gen);
  }

  /** Supervisor requests waiting for an answer (a test sees none are left behind). */
  get pending(): number {
    return this.#internal.size;
  }

  #fromWorker(w: Worker, bytes: Buffer): void {
    // The supervisor's own requests have string ids (INTERNAL): their answers never take this path.
    const id = resultAnswerId(bytes);
    if (id !== null) {
      this.#opts.onResult(w, id, bytes);
      return;
    }
    const line = lineText(bytes);
    if (line.trim() === "") return;
    let msg: Json;
    try {
      msg = JSON.parse(line) as Json;
    } catch {
      this.#opts.log(
        `orchestrator supervisor: worker ${w.pid} wrote a non-JSON line to stdout: ${line.slice(0, 200)}\n`,
      );
      return;
    }
    if (typeof msg.method !== "string" && typeof msg.id === "string" && msg.id.startsWith(INTERNAL)) {
      const call = this.#internal.get(msg.id);
      this.#internal.delete(msg.id);
      if (call) {
        this.#opts.clock.clearTimeout(call.timer);
        call.resolve(msg);
      }
      return;
    }
    this.#opts.onMessage(w, msg, line);
  }

  #exited(w: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    w.exited = true;
    this.#workers.delete(w.gen);
    // Pending calls are settled here, by the one exit handler, not by a listener per call.
    for (const [id, call] of this.#internal) {
      if (call.worker !== w.gen) continue;
      this.#internal.delete(id);
      this.#opts.clock.clearTimeout(call.timer);
      call.reject(new Error(`worker ${w.pid} exited before answering`));
    }
    this.#opts.onExit(w, code, signal);
  }

  /** Sends a request to a worker on the supervisor's own behalf and waits for the answer. */
  request(w: Worker, method: string, params: Json, timeoutMs: number): Promise<Json> {
    const id = `${INTERNAL}${++this.#internalSeq}`;
    const { clock } = this.#opts;
    return new Promise((resolve, reject) => {
      if (w.exited) {
        reject(new Error(`worker ${w.pid} exited before answering ${method}`));
        return;
      }
      const timer = clock.setTimeout(() => {
        this.#internal.delete(id);
        reject(new Error(`${method} got no answer from worker ${w.pid} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#internal.set(id, { worker: w.gen, resolve, reject, timer });
      w.input?.line(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  }

  /** Brings a new worker to the point the client is at: its initialize, then initialized. */
  async warmUp(w: Worker, timeoutMs: number): Promise<void> {
    const initialize = this.replay.initialize;
    if (!initialize) return;
    let reply = await this.request(w, "initialize", (initialize.params ?? {}) as Json, timeoutMs);
    if ((reply.error as Json | undefined)?.code === INVALID_PARAMS) {
      // The client's initialize has the required shape but something deeper the SDK refuses (a
      // capability of the wrong type): that is not the worker failing, so it must not count as a
      // crash (five would stop the server for good). Replayed with the checked fields only.
      const params = initialize.params as Json;
      const client = params.clientInfo as Json;
      this.#opts.log(
        `orchestrator supervisor: the worker refused the client's initialize (${JSON.stringify(reply.error)}); replayed with its protocol version and client name only\n`,
      );
      reply = await this.request(
        w,
        "initialize",
        {
          protocolVersion: params.protocolVersion,
          capabilities: {},
          clientInfo: { name: client.name, version: client.version },
        },
        timeoutMs,
      );
    }
    if (reply.error) throw new Error(`the new worker refused initialize: ${JSON.stringify(reply.error)}`);
    const result = (reply.result ?? {}) as Json;
    w.version = String((result.serverInfo as Json | undefined)?.version ?? "");
    const promised = initializeResult((initialize.params as Json | undefined)?.protocolVersion, w.version);
    if (
      JSON.stringify(result.capabilities) !== JSON.stringify(promised.capabilities) ||
      result.protocolVersion !== promised.protocolVersion
    ) {
      // The client was told what the supervisor answered; a worker that differs (an upgrade with
      // new capabilities) is still used, and the mismatch is logged for the client's log.
      this.#opts.log(
        `orchestrator supervisor: worker ${w.pid} answered initialize with ${JSON.stringify({ protocolVersion: result.protocolVersion, capabilities: result.capabilities })}, the client was told ${JSON.stringify({ protocolVersion: promised.protocolVersion, capabilities: promised.capabilities })}\n`,
      );
    }
    w.warm = true;
    if (this.replay.initialized) this.sendInitialized(w);
  }

  /** Tells a worker which workspace this connection bound; a failure is logged, not fatal. */
  async restoreBinding(w: Worker): Promise<void> {
    const workspace = this.replay.binding;
    if (workspace === null) return;
    try {
      const reply = await this.request(w, RESTORE_SESSION_METHOD, { workspace }, 10_000);
      if (reply.error) throw new Error(JSON.stringify(reply.error));
    } catch (e) {
      this.#opts.log(
        `orchestrator supervisor: worker ${w.pid} did not take the bound workspace ${workspace}: ${(e as Error).message}\n`,
      );
    }
  }

  /** Passes the client's `initialized` on to a warm worker, once. */
  sendInitialized(w: Worker, line?: string): void {
    if (w.initializedSent) return;
    w.initializedSent = true;
    w.input?.line(line ?? JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
  }

  /** Holds (or lets go of) every worker's output while the client's pipe is full. */
  pause(paused: boolean): void {
    this.#paused = paused;
    for (const w of this.#workers.values()) {
      if (paused) w.child.stdout?.pause();
      else w.child.stdout?.resume();
    }
  }

  /**
   * Closes a worker's stdin: it takes nothing more, finishes its requests in flight, checkpoints
   * and exits. Killed if it is still running after `graceMs`.
   */
  async retire(w: Worker, graceMs: number): Promise<void> {
    w.retiring = true;
    if (w.exited) return;
    const gone = new Promise<void>((resolve) => w.child.once("exit", () => resolve()));
    w.input?.end();
    const timer = this.#opts.clock.setTimeout(() => w.child.kill("SIGKILL"), graceMs);
    await gone;
    this.#opts.clock.clearTimeout(timer);
  }

  /** Stops a worker that did not come up, at once; its exit is not a crash to recover from. */
  discard(w: Worker): void {
    w.retiring = true;
    w.child.kill("SIGKILL");
  }
}
