import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { Readable, Writable } from "node:stream";
import type { ErrorCode } from "../core/errors.ts";
import { errorResult } from "./error-result.ts";
import { initializeResult } from "./handshake.ts";
import {
  classify,
  errorResponse,
  type Id,
  INVALID_PARAMS,
  initializeParamsProblem,
  oversizedReply,
  RESTORE_SESSION_METHOD,
} from "./jsonrpc.ts";
import { readLines } from "./line-reader.ts";
import { SUPERVISOR_TOOL_NAMES, supervisorToolCall } from "./supervisor-tools.ts";

/**
 * The supervisor owns the client's stdio for the whole connection and relays JSON-RPC lines to a
 * worker process (the same binary, `serve` in worker mode) that does the MCP work. It keeps what a
 * new worker needs to reach the same point (the client's `initialize` and `initialized`), tracks
 * requests in flight, restarts the worker on request (restart tool, SIGHUP) or after a crash
 * (bounded, backed off), and answers the reboot tools itself. Design: docs/reboot.md.
 * It loads no SDK: every line is parsed only far enough to route it.
 */

type Json = Record<string, unknown>;

export interface SupervisorOptions {
  /** This binary's version, for the initialize answer the supervisor gives itself. */
  readonly version: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly input: Readable;
  readonly output: Writable;
  readonly log: (line: string) => void;
  /** Longer client lines are dropped unread and answered REQUEST_TOO_LARGE (platform/env maxRequestBytes). */
  readonly maxLineBytes: number;
  readonly maxCrashes?: number;
  readonly crashWindowMs?: number;
}

export type Phase = "starting" | "ready" | "restarting" | "failed" | "stopped";

interface Worker {
  readonly gen: number;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly startedAt: string;
  version: string | null;
  /** It has answered the replayed initialize (and was sent initialized if the client sent it). */
  warm: boolean;
  initializedSent: boolean;
  retiring: boolean;
  exited: boolean;
  /** Client requests it answered itself. */
  answered: number;
  /** Client requests still running when it was stopped or died. */
  interrupted: number;
  stderrTail: string;
}

interface InternalCall {
  readonly worker: number;
  readonly resolve: (msg: Json) => void;
  readonly reject: (e: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

interface InFlight {
  readonly worker: number;
  readonly method: string;
  readonly tool: string | null;
  readonly at: number;
}

export interface RestartRecord {
  readonly at: string;
  readonly reason: string;
  readonly graceful: boolean;
  readonly trigger: "tool" | "signal" | "crash";
  readonly duration_ms: number;
  readonly result: "success" | "failed";
  readonly message: string;
  readonly old_pid: number | null;
  readonly new_pid: number | null;
  readonly old_version: string | null;
  readonly new_version: string | null;
  readonly requests_finished: number;
  readonly requests_left_running: number;
  /** Of those left running, how many were still running when the old worker was stopped. */
  requests_interrupted: number;
}

const INTERNAL = "orchestrator-supervisor:";

/** How long a new worker has to answer the replayed initialize. */
const WARM_UP_MS = 30_000;

export class Supervisor {
  readonly opts: SupervisorOptions;
  phase: Phase = "starting";
  active: Worker | null = null;
  readonly history: RestartRecord[] = [];
  readonly startedAt = new Date().toISOString();
  #gen = 0;
  #initialize: Json | null = null;
  #initialized = false;
  readonly #inFlight = new Map<Id, InFlight>();
  #queue: string[] = [];
  readonly #internal = new Map<string, InternalCall>();
  #internalSeq = 0;
  /** Server→client requests: our id → the worker and its own id. */
  readonly #outbound = new Map<string, { worker: number; id: Id }>();
  readonly #workers = new Map<number, Worker>();
  #crashes: number[] = [];
  #crashSpawns = 0;
  #outputBlocked = false;
  #lastRestart: string | null = null;
  #failure: string | null = null;
  #restarting: Promise<RestartRecord> | null = null;
  #closing = false;
  /** Handed to every worker, so the connection's default agent id survives worker restarts. */
  readonly #connectionId = randomBytes(3).toString("hex");
  /**
   * The workspace orchestrator_initialize_session bound on this connection (read from its
   * answer), replayed into every new worker so calls without working_directory keep landing there.
   */
  #binding: string | null = null;
  /** The restart record of each retiring worker, to count what its stop interrupted. */
  readonly #retiredBy = new Map<number, RestartRecord>();

  constructor(opts: SupervisorOptions) {
    this.opts = opts;
  }

  /** Starts the first worker and relays until the client closes stdin. */
  async run(): Promise<void> {
    this.active = this.#spawn();
    this.phase = "ready";
    const done = new Promise<void>((resolve) => {
      readLines(this.opts.input, {
        maxLineBytes: this.opts.maxLineBytes,
        onLine: (line) => this.#fromClient(line),
        onOversized: (line) => this.#toClient(oversizedReply(line, this.opts.maxLineBytes)),
        onEnd: resolve,
      });
    });
    await done;
    // The client closed stdin: answer what it already sent (queued or in a worker), then stop.
    const deadline = Date.now() + 30_000;
    while (
      (this.#queue.length > 0 || this.#inFlight.size > 0 || this.#restarting !== null) &&
      (this.phase as Phase) !== "failed" &&
      Date.now() < deadline
    )
      await sleep(5);
    await this.stop();
  }

  /** Requests in flight (client requests a worker has not answered yet). */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Waits (up to `timeoutMs`) while a restart is in progress. */
  async whenSettled(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.phase === "restarting" || this.phase === "starting") && Date.now() < deadline)
      await sleep(10);
  }

  get queued(): number {
    return this.#queue.length;
  }

  get recentCrashes(): number {
    return this.#crashes.length;
  }

  get failure(): string | null {
    return this.#failure;
  }

  /** The workspace bound by orchestrator_initialize_session on this connection, if any. */
  get binding(): string | null {
    return this.#binding;
  }

  /** Stops the worker (closing its stdin lets it checkpoint the database) and the relay. */
  async stop(): Promise<void> {
    this.#closing = true;
    this.phase = "stopped";
    await Promise.all([...this.#workers.values()].map((w) => this.#retire(w, 3000)));
  }

  // ---- client side ----

  #fromClient(line: string): void {
    if (line.trim() === "") return;
    const c = classify(line);
    if (c.kind === "invalid") {
      // Answered here, as JSON-RPC 2.0 says; the worker never sees it.
      if (c.reply) this.#toClient(c.reply);
      else this.opts.log(`orchestrator supervisor: ignored a malformed message from the client: ${c.why}\n`);
      return;
    }
    const msg = c.msg;
    if (c.kind === "response") {
      this.#responseFromClient(msg, c.id);
      return;
    }
    const method = c.method;
    const id = c.kind === "request" ? c.id : undefined;
    if (typeof id === "string" && id.startsWith(INTERNAL)) {
      // The supervisor's own requests to a worker use these ids, and their answers never reach
      // the client: a client request under one would run and go unanswered.
      this.#toClient(
        errorResponse(
          id,
          -32600,
          `Invalid Request: ids starting with ${JSON.stringify(INTERNAL)} are reserved for the supervisor's own requests; it was not run. Use another id.`,
        ),
      );
      return;
    }
    if (method === RESTORE_SESSION_METHOD) {
      // The supervisor's own channel to its worker: a client may not set the binding unchecked.
      if (id !== undefined) this.#toClient(errorResponse(id, -32601, `Method not found: ${method}`));
      return;
    }
    if (method === "initialize" && id !== undefined && this.#initialize === null) {
      const bad = initializeParamsProblem(msg.params);
      if (bad) {
        this.#toClient(errorResponse(id, INVALID_PARAMS, `Invalid params for initialize: ${bad}`));
        return;
      }
      // Answered here, at once: the worker is still loading the SDK (docs/reboot.md, cold start).
      // The worker gets the same request replayed, as after any restart.
      this.#initialize = msg;
      this.#toClient({
        jsonrpc: "2.0",
        id,
        result: initializeResult((msg.params as Json | undefined)?.protocolVersion, this.opts.version),
      });
      if (this.active && !this.active.warm) void this.#warmFirst(this.active);
      return;
    }
    if (method === "notifications/initialized") {
      this.#initialized = true;
      const w = this.active;
      if (w?.warm && !w.initializedSent) {
        w.initializedSent = true;
        write(w.child.stdin, line);
      }
      return; // otherwise the warm-up sends it
    }
    if (method === "tools/call" && id !== undefined) {
      const name = (msg.params as Json | undefined)?.name;
      if (typeof name === "string" && SUPERVISOR_TOOL_NAMES.has(name)) {
        void supervisorToolCall(this, name, ((msg.params as Json).arguments ?? {}) as Json).then((result) =>
          this.#toClient({ jsonrpc: "2.0", id, result }),
        );
        return;
      }
    }
    if (this.phase === "failed") {
      if (id !== undefined)
        this.#refuse(id, method, null, "WORKER_FAILED", this.#failure ?? "the worker cannot start");
      return;
    }
    this.#toWorkerOrQueue(line, msg);
  }

  #responseFromClient(msg: Json, id: Id): void {
    const route = this.#outbound.get(String(id));
    if (!route) return;
    this.#outbound.delete(String(id));
    const w = this.#workers.get(route.worker);
    if (w && !w.exited) write(w.child.stdin, JSON.stringify({ ...msg, id: route.id }));
  }

  #toWorkerOrQueue(line: string, msg?: Json): void {
    if (this.phase !== "ready" || !this.active || (this.#initialize !== null && !this.active.warm)) {
      this.#queue.push(line);
      return;
    }
    this.#sendToActive(line, msg);
  }

  #sendToActive(line: string, msg?: Json): void {
    const w = this.active!;
    if (msg && typeof msg.method === "string" && msg.id !== undefined) {
      if (this.#inFlight.has(msg.id as Id)) {
        // An id names one request (JSON-RPC; MCP forbids reusing one in a session). A second
        // request under an id still in flight would run, and its answer be dropped as the first
        // one's duplicate: refused instead, unrun, so it never goes unanswered.
        this.#toClient(
          errorResponse(
            msg.id as Id,
            -32600,
            `Invalid Request: the id ${JSON.stringify(msg.id)} is already used by a request in flight; it was not run. Use a new id for each request.`,
          ),
        );
        return;
      }
      const tool = msg.method === "tools/call" ? String((msg.params as Json | undefined)?.name ?? "") : null;
      this.#inFlight.set(msg.id as Id, { worker: w.gen, method: msg.method, tool, at: Date.now() });
    }
    write(w.child.stdin, line);
  }

  #flushQueue(): void {
    const queued = this.#queue;
    this.#queue = [];
    for (const line of queued) this.#fromClient(line);
  }

  #toClient(msg: Json): void {
    this.#toOutput(JSON.stringify(msg));
  }

  /**
   * Writes to the client with backpressure: when the client reads slower than the workers answer,
   * the workers' output is paused until the client's pipe drains, so answers wait in the
   * workers' pipes (and the SDK's 'drain' waits) instead of piling up in this process's memory.
   */
  #toOutput(line: string): void {
    const out = this.opts.output;
    if (out.destroyed) return;
    if (out.write(`${line}\n`) || this.#outputBlocked) return;
    this.#outputBlocked = true;
    for (const w of this.#workers.values()) w.child.stdout?.pause();
    out.once("drain", () => {
      this.#outputBlocked = false;
      for (const w of this.#workers.values()) w.child.stdout?.resume();
    });
  }

  /**
   * Answers a request no worker will answer, with a catalogue code: an error result for a tool
   * call (what a model reads), a JSON-RPC error carrying the code and fix otherwise.
   */
  #refuse(id: Id, method: string, tool: string | null, code: ErrorCode, message: string): void {
    if (method === "tools/call") {
      this.#toClient({ jsonrpc: "2.0", id, result: errorResult(code, message, { tool }) });
    } else {
      this.#toClient(errorResponse(id, -32603, `${code}: ${message}`, code, { method }));
    }
  }

  // ---- worker side ----

  #spawn(trigger?: RestartRecord["trigger"]): Worker {
    const gen = ++this.#gen;
    if (trigger === "crash") this.#crashSpawns++;
    if (trigger) this.#lastRestart = new Date().toISOString();
    const child = spawn(this.opts.command, [...this.opts.args], {
      stdio: ["pipe", "pipe", "pipe"],
      env: {
        ...this.opts.env,
        ORCHESTRATOR_SUPERVISED: "1",
        ORCHESTRATOR_CONNECTION_ID: this.#connectionId,
        // What the worker's health check reports about this connection's restarts.
        ORCHESTRATOR_SUPERVISOR_INFO: JSON.stringify({
          supervisor_pid: process.pid,
          worker_generation: gen,
          restarts: gen - 1,
          crash_restarts: this.#crashSpawns,
          last_restart: this.#lastRestart,
        }),
      } as NodeJS.ProcessEnv,
    });
    const w: Worker = {
      gen,
      child,
      pid: child.pid ?? -1,
      startedAt: new Date().toISOString(),
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
      this.opts.log(d.toString());
      w.stderrTail = (w.stderrTail + d.toString()).slice(-2000);
    });
    readLines(child.stdout!, { onLine: (line) => this.#fromWorker(w, line) });
    if (this.#outputBlocked) child.stdout?.pause();
    child.on("exit", (code, signal) => this.#onExit(w, code, signal));
    child.on("error", (e) => {
      w.stderrTail += `\n${e.message}`;
    });
    return w;
  }

  #fromWorker(w: Worker, line: string): void {
    if (line.trim() === "") return;
    let msg: Json;
    try {
      msg = JSON.parse(line) as Json;
    } catch {
      this.opts.log(
        `orchestrator supervisor: worker ${w.pid} wrote a non-JSON line to stdout: ${line.slice(0, 200)}\n`,
      );
      return;
    }
    const id = msg.id as Id | undefined;
    const method = typeof msg.method === "string" ? msg.method : null;
    if (method === null && id !== undefined) {
      if (typeof id === "string" && id.startsWith(INTERNAL)) {
        const call = this.#internal.get(id);
        this.#internal.delete(id);
        if (call) {
          clearTimeout(call.timer);
          call.resolve(msg);
        }
        return;
      }
      const owner = this.#inFlight.get(id);
      if (!owner || owner.worker !== w.gen) return; // never answer a request twice
      this.#inFlight.delete(id);
      w.answered++;
      const result = msg.result as Json | undefined;
      if (owner.method === "initialize" && result)
        w.version = String((result.serverInfo as Json | undefined)?.version ?? "");
      if (owner.tool === "orchestrator_initialize_session" && result && !result.isError)
        this.#bound(w, (result.structuredContent as Json | undefined)?.workspace);
      this.#toOutput(line);
      return;
    }
    if (method !== null && id !== undefined) {
      // A request from the server to the client (roots, sampling...): give it an id no other worker uses.
      const ours = `w${w.gen}:${JSON.stringify(id)}`;
      this.#outbound.set(ours, { worker: w.gen, id });
      this.#toClient({ ...msg, id: ours });
      return;
    }
    if (w === this.active) this.#toOutput(line);
  }

  #onExit(w: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    w.exited = true;
    this.#workers.delete(w.gen);
    for (const [id, call] of this.#internal) {
      if (call.worker !== w.gen) continue;
      this.#internal.delete(id);
      clearTimeout(call.timer);
      call.reject(new Error(`worker ${w.pid} exited before answering`));
    }
    const orphans = [...this.#inFlight.entries()].filter(([, f]) => f.worker === w.gen);
    const why = signal ? `was killed (${signal})` : `exited with code ${code}`;
    w.interrupted += orphans.length;
    const record = this.#retiredBy.get(w.gen);
    this.#retiredBy.delete(w.gen);
    if (record) record.requests_interrupted = w.interrupted;
    for (const [id, f] of orphans) {
      this.#inFlight.delete(id);
      const what = f.tool ?? f.method;
      if (w.retiring)
        this.#refuse(
          id,
          f.method,
          f.tool,
          "RESTART_INTERRUPTED",
          `the retiring worker ${w.pid} ${why} before it finished this ${what} request (a restart's timeout ran out, or the server shut down); its outcome is unknown.`,
        );
      else
        this.#refuse(
          id,
          f.method,
          f.tool,
          "WORKER_CRASHED",
          `the worker ${w.pid} ${why} while it ran this ${what} request; its outcome is unknown.`,
        );
    }
    if (w.retiring || this.#closing || w !== this.active) return;
    this.opts.log(
      `orchestrator supervisor: worker ${w.pid} ${why}${w.stderrTail ? `; last output:\n${w.stderrTail}` : ""}\n`,
    );
    this.#afterCrash(why, w.stderrTail);
  }

  /** Records the workspace a worker bound, and hands it to the active worker if that is another. */
  #bound(from: Worker, workspace: unknown): void {
    if (typeof workspace !== "string" || workspace === "") return;
    this.#binding = workspace;
    const active = this.active;
    if (active && active !== from && active.warm) void this.#restoreBinding(active);
  }

  /** Tells a new worker which workspace this connection bound; a failure is logged, not fatal. */
  async #restoreBinding(w: Worker): Promise<void> {
    if (this.#binding === null) return;
    try {
      const reply = await this.internalRequest(
        w,
        RESTORE_SESSION_METHOD,
        { workspace: this.#binding },
        10_000,
      );
      if (reply.error) throw new Error(JSON.stringify(reply.error));
    } catch (e) {
      this.opts.log(
        `orchestrator supervisor: worker ${w.pid} did not take the bound workspace ${this.#binding}: ${(e as Error).message}\n`,
      );
    }
  }

  /** After an unplanned exit: restart with backoff, or give up after too many crashes in a short time. */
  #afterCrash(why: string, tail: string): void {
    const now = Date.now();
    const window = this.opts.crashWindowMs ?? 60_000;
    this.#crashes = [...this.#crashes.filter((t) => now - t < window), now];
    const max = this.opts.maxCrashes ?? 5;
    if (this.#crashes.length >= max) {
      this.phase = "failed";
      this.active = null;
      this.#failure = `the orchestrator worker crashed ${this.#crashes.length} times within ${Math.round(window / 1000)} s and was not restarted again; requests are not run until it is. Last exit: ${why}. Last output: ${tail.trim().slice(-400) || "(none)"}.`;
      const queued = this.#queue;
      this.#queue = [];
      for (const line of queued) this.#fromClient(line);
      return;
    }
    this.phase = "restarting";
    const delay = Math.min(5000, 200 * 2 ** (this.#crashes.length - 1));
    setTimeout(() => {
      if (this.#closing) return; // stopped meanwhile: no worker to start
      void this.#replace(null, {
        graceful: false,
        timeoutMs: 10_000,
        reason: "error_recovery",
        trigger: "crash",
      });
    }, delay);
  }

  /**
   * Sends a request to a worker on the supervisor's own behalf and waits for the answer. Pending
   * calls are settled by the worker's one exit handler, not a listener per call.
   */
  internalRequest(w: Worker, method: string, params: Json, timeoutMs: number): Promise<Json> {
    const id = `${INTERNAL}${++this.#internalSeq}`;
    return new Promise((resolve, reject) => {
      if (w.exited) {
        reject(new Error(`worker ${w.pid} exited before answering ${method}`));
        return;
      }
      const timer = setTimeout(() => {
        this.#internal.delete(id);
        reject(new Error(`${method} got no answer from worker ${w.pid} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#internal.set(id, { worker: w.gen, resolve, reject, timer });
      write(w.child.stdin, JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  }

  /** Internal requests waiting for an answer (a test sees none are left behind). */
  get internalPending(): number {
    return this.#internal.size;
  }

  /** Brings a new worker to the point the client is at: its initialize, then initialized. */
  async #warmUp(w: Worker, timeoutMs: number): Promise<void> {
    if (!this.#initialize) return;
    let reply = await this.internalRequest(
      w,
      "initialize",
      (this.#initialize.params ?? {}) as Json,
      timeoutMs,
    );
    if ((reply.error as Json | undefined)?.code === INVALID_PARAMS) {
      // The client's initialize has the required shape but something deeper the SDK refuses
      // (a capability of the wrong type): that is not the worker failing, so it must not count
      // as a crash (five would stop the server for good). Replayed with the checked fields only.
      const params = this.#initialize.params as Json;
      this.opts.log(
        `orchestrator supervisor: the worker refused the client's initialize (${JSON.stringify(reply.error)}); replayed with its protocol version and client name only\n`,
      );
      reply = await this.internalRequest(
        w,
        "initialize",
        {
          protocolVersion: params.protocolVersion,
          capabilities: {},
          clientInfo: {
            name: (params.clientInfo as Json).name,
            version: (params.clientInfo as Json).version,
          },
        },
        timeoutMs,
      );
    }
    if (reply.error) throw new Error(`the new worker refused initialize: ${JSON.stringify(reply.error)}`);
    const result = (reply.result ?? {}) as Json;
    w.version = String((result.serverInfo as Json | undefined)?.version ?? "");
    const promised = initializeResult(
      (this.#initialize.params as Json | undefined)?.protocolVersion,
      w.version,
    );
    if (
      JSON.stringify(result.capabilities) !== JSON.stringify(promised.capabilities) ||
      result.protocolVersion !== promised.protocolVersion
    ) {
      // The client was told what the supervisor answered; a worker that differs (an upgrade with
      // new capabilities) is still used, and the mismatch is logged for the client's log.
      this.opts.log(
        `orchestrator supervisor: worker ${w.pid} answered initialize with ${JSON.stringify({ protocolVersion: result.protocolVersion, capabilities: result.capabilities })}, the client was told ${JSON.stringify({ protocolVersion: promised.protocolVersion, capabilities: promised.capabilities })}\n`,
      );
    }
    w.warm = true;
    if (this.#initialized && !w.initializedSent) {
      w.initializedSent = true;
      write(w.child.stdin, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
    }
  }

  /** Brings the first worker up to the client's initialize; a failure counts as a crash. */
  async #warmFirst(w: Worker): Promise<void> {
    try {
      await this.#warmUp(w, WARM_UP_MS);
      if (this.active === w) this.#flushQueue();
    } catch (e) {
      if (w.exited || this.active !== w) return; // its exit handler restarts it
      this.opts.log(`orchestrator supervisor: worker ${w.pid} did not start: ${(e as Error).message}\n`);
      w.retiring = true;
      w.child.kill("SIGKILL");
      this.#afterCrash(`did not answer initialize (${(e as Error).message})`, w.stderrTail);
    }
  }

  /**
   * Restarts the worker: starts a new one from the binary on disk and warms it up while new
   * requests wait in the queue; then the old one is sent nothing more and told to stop (its stdin
   * is closed), and finishes what it has. Graceful: the switch waits for that (up to the timeout);
   * not graceful: the switch is at once and the old worker's answers are relayed as they come.
   * At the timeout the old worker is killed and what it still ran is answered RESTART_INTERRUPTED
   * (outcome unknown), never "did not complete". One restart at a time.
   */
  restart(opts: {
    graceful: boolean;
    timeoutMs: number;
    reason: string;
    trigger: "tool" | "signal";
  }): Promise<RestartRecord> {
    if (this.#restarting) return this.#restarting;
    this.#restarting = this.#replace(this.active, opts).finally(() => {
      this.#restarting = null;
    });
    return this.#restarting;
  }

  async #replace(
    old: Worker | null,
    opts: { graceful: boolean; timeoutMs: number; reason: string; trigger: RestartRecord["trigger"] },
  ): Promise<RestartRecord> {
    const t0 = Date.now();
    const at = new Date().toISOString();
    const before = this.phase;
    this.phase = "restarting";
    const fresh = this.#spawn(opts.trigger);
    try {
      // A cold start on a loaded machine can take seconds; the timeout is about the old worker's requests.
      await this.#warmUp(fresh, Math.max(opts.timeoutMs, WARM_UP_MS));
    } catch (e) {
      fresh.retiring = true;
      fresh.child.kill("SIGKILL");
      const message = `the new worker did not start: ${(e as Error).message}${fresh.stderrTail ? `; its output: ${fresh.stderrTail.trim().slice(-400)}` : ""}`;
      if (old && !old.exited) {
        this.phase = "ready";
        this.#flushQueue();
      } else if (opts.trigger === "crash" || before === "failed" || !this.active) {
        this.#afterCrash("the replacement worker did not start", fresh.stderrTail);
      } else {
        this.phase = "ready";
      }
      return this.#record({
        at,
        opts,
        t0,
        result: "failed",
        message,
        old,
        fresh: null,
        finished: 0,
        left: 0,
      });
    }
    let finished = 0;
    let left = 0;
    if (old && !old.exited) {
      const mine = (): number => [...this.#inFlight.values()].filter((f) => f.worker === old.gen).length;
      const pending = mine();
      const answeredBefore = old.answered;
      const deadline = t0 + opts.timeoutMs;
      void this.#retire(old, Math.max(0, deadline - Date.now()));
      if (opts.graceful) while (mine() > 0 && Date.now() < deadline && !old.exited) await sleep(5);
      finished = old.answered - answeredBefore;
      left = pending - finished;
    }
    // Whatever the old worker bound while it finished is in #binding by now.
    await this.#restoreBinding(fresh);
    this.active = fresh;
    this.phase = "ready";
    this.#failure = null;
    if (opts.trigger !== "crash") this.#crashes = [];
    this.#flushQueue();
    const rec = this.#record({
      at,
      opts,
      t0,
      result: "success",
      message: "restarted",
      old,
      fresh,
      finished,
      left,
    });
    if (old) {
      rec.requests_interrupted = old.interrupted;
      if (!old.exited) this.#retiredBy.set(old.gen, rec);
    }
    return rec;
  }

  #record(r: {
    at: string;
    opts: { graceful: boolean; reason: string; trigger: RestartRecord["trigger"] };
    t0: number;
    result: RestartRecord["result"];
    message: string;
    old: Worker | null;
    fresh: Worker | null;
    finished: number;
    left: number;
  }): RestartRecord {
    const rec: RestartRecord = {
      at: r.at,
      reason: r.opts.reason,
      graceful: r.opts.graceful,
      trigger: r.opts.trigger,
      duration_ms: Date.now() - r.t0,
      result: r.result,
      message: r.message,
      old_pid: r.old?.pid ?? null,
      new_pid: r.fresh?.pid ?? null,
      old_version: r.old?.version ?? null,
      new_version: r.fresh?.version ?? null,
      requests_finished: r.finished,
      requests_left_running: r.left,
      requests_interrupted: 0,
    };
    this.history.push(rec);
    if (this.history.length > 100) this.history.shift();
    return rec;
  }

  /**
   * Closes a worker's stdin: it takes nothing more, finishes its requests in flight, checkpoints
   * and exits. Killed if it is still running after `graceMs`.
   */
  async #retire(w: Worker, graceMs: number): Promise<void> {
    w.retiring = true;
    if (w.exited) return;
    const gone = new Promise<void>((resolve) => w.child.once("exit", () => resolve()));
    w.child.stdin?.end();
    const timer = setTimeout(() => w.child.kill("SIGKILL"), graceMs);
    await gone;
    clearTimeout(timer);
  }
}

function write(stream: Writable | null | undefined, line: string): void {
  if (stream && !stream.destroyed) stream.write(`${line}\n`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `serve` as the supervisor of a worker; SIGHUP restarts the worker gracefully. */
export async function runSupervisor(opts: SupervisorOptions): Promise<void> {
  const sup = new Supervisor(opts);
  process.on("SIGHUP", () => {
    void sup.restart({ graceful: true, timeoutMs: 30_000, reason: "SIGHUP", trigger: "signal" });
  });
  const stop = (): void => {
    void sup.stop().finally(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await sup.run();
}
