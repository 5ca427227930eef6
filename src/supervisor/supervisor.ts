import type { Readable, Writable } from "node:stream";
import { initializeResult } from "../protocol/handshake.ts";
import {
  classify,
  errorResponse,
  type Id,
  INVALID_PARAMS,
  initializeParamsProblem,
  oversizedReply,
} from "../protocol/jsonrpc.ts";
import { readLines } from "../protocol/line-reader.ts";
import { isRebootTool } from "../protocol/reboot-tool-names.ts";
import type { RestartRecord, SupervisorPhase } from "../protocol/reboot-tools.ts";
import type { ToolListSnapshot } from "../protocol/tool-snapshot.ts";
import { RESTORE_SESSION_METHOD } from "../protocol/worker-env.ts";
import { CallTable } from "./calls.ts";
import { ClientOutput } from "./client-output.ts";
import type { RebootHost } from "./reboot-answers.ts";
import { exitRefusal, refusal } from "./refusals.ts";
import type { RestartHistory, RestartRequest } from "./restart-history.ts";
import { type RestartHost, Restarts } from "./restarts.ts";
import { type SpawnWorker, type SupervisorClock, sleep } from "./seams.ts";
import { INTERNAL, type Worker, WorkerPool } from "./worker-pool.ts";

/**
 * The supervisor owns the client's stdio for the whole connection and relays JSON-RPC lines to a
 * worker process (the same binary, `serve` in worker mode) that does the MCP work. It keeps what a
 * new worker needs to reach the same point (the client's `initialize` and `initialized`), tracks
 * requests in flight, restarts the worker on request (restart tool, SIGHUP) or after a crash
 * (bounded, backed off), and answers the reboot tools itself. Design: docs/reboot.md.
 * It loads no SDK: every line is parsed only far enough to route it.
 *
 * This file is the relay; its neighbours own the rest: `calls.ts` (requests in flight),
 * `worker-pool.ts` (spawn, handshake, exit), `restarts.ts` (restart and crash policy),
 * `reboot-answers.ts` (the reboot tools), `client-output.ts` (backpressure).
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
  /** Starts a worker process (seams.ts `spawnChild`; a fake in tests). */
  readonly spawn: SpawnWorker;
  readonly clock: SupervisorClock;
  /** This process's pid, told to the workers and in restart_status. */
  readonly pid: number;
  /**
   * This binary's worker tools/list for the profile served (built in, `protocol/tool-snapshot.ts`):
   * the first tools/list is answered from it while the first worker is still loading.
   */
  readonly toolList?: ToolListSnapshot | undefined;
}

export class Supervisor implements RestartHost, RebootHost {
  readonly opts: SupervisorOptions;
  phase: SupervisorPhase = "starting";
  active: Worker | null = null;
  readonly workers: WorkerPool;
  readonly startedAt: string;
  readonly #calls = new CallTable();
  readonly #restarts: Restarts;
  readonly #out: ClientOutput;
  #queue: string[] = [];
  #closing = false;

  constructor(opts: SupervisorOptions) {
    this.opts = opts;
    this.startedAt = new Date(opts.clock.now()).toISOString();
    this.workers = new WorkerPool({
      ...opts,
      onMessage: (w, msg, line) => this.#fromWorker(w, msg, line),
      onResult: (w, id, line) => this.#answered(w, id, line),
      onExit: (w, code, signal) => this.#onExit(w, code, signal),
    });
    this.#restarts = new Restarts({
      host: this,
      workers: this.workers,
      clock: opts.clock,
      log: opts.log,
      maxCrashes: opts.maxCrashes,
      crashWindowMs: opts.crashWindowMs,
    });
    this.#out = new ClientOutput(opts.output, (blocked) => this.workers.pause(blocked));
  }

  /** Starts the first worker and relays until the client closes stdin. */
  async run(): Promise<void> {
    this.active = this.workers.start();
    this.phase = "ready";
    await new Promise<void>((resolve) => {
      readLines(this.opts.input, {
        maxLineBytes: this.opts.maxLineBytes,
        onLine: (line) => this.#fromClient(line),
        onOversized: (line) => this.#out.send(oversizedReply(line, this.opts.maxLineBytes)),
        onEnd: resolve,
      });
    });
    // The client closed stdin: answer what it already sent (queued or in a worker), then stop.
    const { clock } = this.opts;
    const deadline = clock.now() + 30_000;
    while (
      (this.#queue.length > 0 || this.#calls.size > 0 || this.#restarts.inProgress) &&
      (this.phase as SupervisorPhase) !== "failed" &&
      clock.now() < deadline
    )
      await sleep(clock, 5);
    await this.stop();
  }

  /** Requests in flight (client requests a worker has not answered yet). */
  get inFlight(): number {
    return this.#calls.size;
  }

  get queued(): number {
    return this.#queue.length;
  }

  get recentCrashes(): number {
    return this.#restarts.recentCrashes;
  }

  get failure(): string | null {
    return this.#restarts.failure;
  }

  /** The workspace bound by orchestrator_initialize_session on this connection, if any. */
  get binding(): string | null {
    return this.workers.replay.binding;
  }

  /** Waits (up to `timeoutMs`) while a restart is in progress. */
  async whenSettled(timeoutMs: number): Promise<void> {
    const { clock } = this.opts;
    const deadline = clock.now() + timeoutMs;
    while ((this.phase === "restarting" || this.phase === "starting") && clock.now() < deadline)
      await sleep(clock, 10);
  }

  /** Stops the worker (closing its stdin lets it checkpoint the database) and the relay. */
  async stop(): Promise<void> {
    this.#closing = true;
    this.phase = "stopped";
    await Promise.all(this.workers.all.map((w) => this.workers.retire(w, 3000)));
  }

  // ---- client → worker ----

  #fromClient(line: string): void {
    if (line.trim() === "") return;
    const c = classify(line);
    if (c.kind === "invalid") {
      // Answered here, as JSON-RPC 2.0 says; the worker never sees it.
      if (c.reply) this.#out.send(c.reply);
      else this.opts.log(`orchestrator supervisor: ignored a malformed message from the client: ${c.why}\n`);
      return;
    }
    if (c.kind === "response") {
      const route = this.#calls.inbound(c.id);
      const w = route ? this.workers.byGen(route.worker) : undefined;
      if (route && w && !w.exited) w.input?.line(JSON.stringify({ ...c.msg, id: route.id }));
      return;
    }
    const { msg, method } = c;
    const id = c.kind === "request" ? c.id : undefined;
    const params = msg.params as Json | undefined;
    if (typeof id === "string" && id.startsWith(INTERNAL)) {
      // The supervisor's own requests to a worker use these ids, and their answers never reach
      // the client: a client request under one would run and go unanswered.
      this.#out.send(
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
      if (id !== undefined) this.#out.send(errorResponse(id, -32601, `Method not found: ${method}`));
      return;
    }
    const replay = this.workers.replay;
    if (method === "initialize" && id !== undefined && replay.initialize === null) {
      const bad = initializeParamsProblem(params);
      if (bad) {
        this.#out.send(errorResponse(id, INVALID_PARAMS, `Invalid params for initialize: ${bad}`));
        return;
      }
      // Answered here, at once: the worker is still loading the SDK (docs/reboot.md, cold start).
      // The worker gets the same request replayed, as after any restart.
      replay.initialize = msg;
      this.#out.send({
        jsonrpc: "2.0",
        id,
        result: initializeResult(params?.protocolVersion, this.opts.version),
      });
      if (this.active && !this.active.warm) void this.#restarts.warmFirst(this.active);
      return;
    }
    if (method === "notifications/initialized") {
      replay.initialized = true;
      if (this.active?.warm) this.workers.sendInitialized(this.active, line);
      return; // otherwise the warm-up sends it
    }
    const tool = params?.name;
    if (method === "tools/call" && id !== undefined && isRebootTool(tool)) {
      // Loaded on first use: its zod contract is not needed to answer initialize.
      void import("./reboot-answers.ts")
        .then(({ answerRebootTool }) => answerRebootTool(this, tool, params?.arguments))
        .then((result) => this.#out.send({ jsonrpc: "2.0", id, result }));
      return;
    }
    if (this.phase === "failed") {
      if (id !== undefined)
        this.#out.send(
          refusal(id, method, null, "WORKER_FAILED", this.#restarts.failure ?? "the worker cannot start"),
        );
      return;
    }
    const w = this.active;
    if (method === "tools/list" && id !== undefined && this.opts.toolList && this.#listsBuiltIn(w, params)) {
      // The worker would answer the very same list (built from the same source into this binary),
      // but only after loading the SDK and building its catalog: the client is ready sooner. A
      // worker from another binary tells the client its list changed (LISTED_TOOLS_VAR).
      this.#out.send({ jsonrpc: "2.0", id, result: { tools: this.opts.toolList.tools } });
      return;
    }
    if (this.phase !== "ready" || !w || (replay.initialize !== null && !w.warm)) {
      this.#queue.push(line);
      return;
    }
    if (id !== undefined) {
      if (this.#calls.has(id)) {
        // An id names one request (JSON-RPC; MCP forbids reusing one in a session). A second
        // request under an id still in flight would run, and its answer be dropped as the first
        // one's duplicate: refused instead, unrun, so it never goes unanswered.
        this.#out.send(
          errorResponse(
            id,
            -32600,
            `Invalid Request: the id ${JSON.stringify(id)} is already used by a request in flight; it was not run. Use a new id for each request.`,
          ),
        );
        return;
      }
      const called = method === "tools/call" ? String(tool ?? "") : null;
      this.#calls.track(id, { worker: w.gen, method, tool: called, at: this.opts.clock.now() });
    }
    w.input?.line(line);
  }

  /**
   * Whether a tools/list is answered from the built-in list: only while the first worker, started
   * from this binary's own command, is still loading after initialize, and only for a plain
   * request (no cursor or other parameter the worker would have to judge). Anything else is relayed.
   */
  #listsBuiltIn(w: Worker | null, params: Json | undefined): boolean {
    if (this.phase !== "ready" || !w || w.gen !== 1 || w.warm || this.workers.replay.initialize === null)
      return false;
    if (params === undefined) return true;
    const meta = params._meta;
    return (
      Object.keys(params).every((k) => k === "_meta") &&
      (meta === undefined || (typeof meta === "object" && meta !== null && !Array.isArray(meta)))
    );
  }

  /** Sends the requests that waited on, in order: to the active worker, or refused when failed. */
  flushQueue(): void {
    const queued = this.#queue;
    this.#queue = [];
    for (const line of queued) this.#fromClient(line);
  }

  // ---- worker → client ----

  #fromWorker(w: Worker, msg: Json, line: string): void {
    const id = msg.id as Id | undefined;
    const isRequest = typeof msg.method === "string";
    if (!isRequest && id !== undefined) {
      this.#answered(w, id, line, msg);
      return;
    }
    if (isRequest && id !== undefined) {
      // A request from the server to the client (roots, sampling...): give it an id no other worker uses.
      this.#out.send({ ...msg, id: this.#calls.outbound(w.gen, id) });
      return;
    }
    if (w === this.active) this.#out.line(line);
  }

  /** An answer to a client request; `msg` is parsed here only for the two calls whose result matters. */
  #answered(w: Worker, id: Id, line: string | Uint8Array, msg?: Json): void {
    const call = this.#calls.settle(id, w.gen);
    if (!call) return;
    w.answered++;
    if (call.method === "initialize" || call.tool === "orchestrator_initialize_session") {
      const text = typeof line === "string" ? line : new TextDecoder().decode(line);
      const parsed = msg ?? (JSON.parse(text) as Json);
      const result = parsed.result as Json | undefined;
      if (call.method === "initialize" && result)
        w.version = String((result.serverInfo as Json | undefined)?.version ?? "");
      if (call.tool === "orchestrator_initialize_session" && result && !result.isError)
        this.#bound(w, (result.structuredContent as Json | undefined)?.workspace);
    }
    this.#out.line(line);
  }

  #onExit(w: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    const orphans = this.#calls.orphansOf(w.gen);
    const why = signal ? `was killed (${signal})` : `exited with code ${code}`;
    w.interrupted += orphans.length;
    this.#restarts.retired(w);
    for (const [id, call] of orphans) this.#out.send(exitRefusal(id, call, w, why));
    if (w.retiring || this.#closing || w !== this.active) return;
    this.opts.log(
      `orchestrator supervisor: worker ${w.pid} ${why}${w.stderrTail ? `; last output:\n${w.stderrTail}` : ""}\n`,
    );
    this.#restarts.crashed(why, w.stderrTail);
  }

  /** Records the workspace a worker bound, and hands it to the active worker if that is another. */
  #bound(from: Worker, workspace: unknown): void {
    if (typeof workspace !== "string" || workspace === "") return;
    this.workers.replay.binding = workspace;
    const active = this.active;
    if (active && active !== from && active.warm) void this.workers.restoreBinding(active);
  }

  // ---- restarts (restarts.ts) ----

  get closing(): boolean {
    return this.#closing;
  }

  get history(): RestartHistory {
    return this.#restarts.history;
  }

  /** Client requests worker `gen` still runs. */
  runningOn(gen: number): number {
    return this.#calls.runningOn(gen);
  }

  /** Replaces the worker (restarts.ts); one restart at a time. */
  restart(request: RestartRequest & { readonly trigger: "tool" | "signal" }): Promise<RestartRecord> {
    return this.#restarts.restart(request);
  }
}
