import type { Readable, Writable } from "node:stream";
import { initializeResult } from "../protocol/handshake.ts";
import { classify, errorResponse, type Id, oversizedReply } from "../protocol/jsonrpc.ts";
import { readLines } from "../protocol/line-reader.ts";
import { isRebootTool, type RestartRecord, type SupervisorPhase } from "../protocol/reboot-tools.ts";
import { RESTORE_SESSION_METHOD } from "../protocol/worker-channel.ts";
import { CallTable } from "./calls.ts";
import { ClientOutput } from "./client-output.ts";
import { CrashPolicy } from "./crash-policy.ts";
import { answerRebootTool } from "./reboot-answers.ts";
import { exitRefusal, refusal } from "./refusals.ts";
import { RestartHistory, type RestartRequest } from "./restart-history.ts";
import { type SpawnWorker, type SupervisorClock, sleep } from "./seams.ts";
import { type Worker, WorkerPool, writeLine } from "./worker-pool.ts";

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
  /** Starts a worker process (seams.ts `spawnChild`; a fake in tests). */
  readonly spawn: SpawnWorker;
  readonly clock: SupervisorClock;
  /** This process's pid, told to the workers and in restart_status. */
  readonly pid: number;
}

/** How long a new worker has to answer the replayed initialize. */
const WARM_UP_MS = 30_000;

export class Supervisor {
  readonly opts: SupervisorOptions;
  phase: SupervisorPhase = "starting";
  active: Worker | null = null;
  readonly workers: WorkerPool;
  readonly history = new RestartHistory();
  readonly startedAt: string;
  readonly #calls = new CallTable();
  readonly #crashes: CrashPolicy;
  readonly #out: ClientOutput;
  #queue: string[] = [];
  #failure: string | null = null;
  #restarting: Promise<RestartRecord> | null = null;
  #closing = false;
  /** The restart record of each retiring worker, to count what its stop interrupted. */
  readonly #retiredBy = new Map<number, RestartRecord>();

  constructor(opts: SupervisorOptions) {
    this.opts = opts;
    this.startedAt = new Date(opts.clock.now()).toISOString();
    this.#crashes = new CrashPolicy({ maxCrashes: opts.maxCrashes, windowMs: opts.crashWindowMs });
    this.workers = new WorkerPool({
      ...opts,
      onMessage: (w, msg, line) => this.#fromWorker(w, msg, line),
      onExit: (w, code, signal) => this.#onExit(w, code, signal),
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
      (this.#queue.length > 0 || this.#calls.size > 0 || this.#restarting !== null) &&
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
    return this.#crashes.recent;
  }

  get failure(): string | null {
    return this.#failure;
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
      if (route && w && !w.exited) writeLine(w.child.stdin, JSON.stringify({ ...c.msg, id: route.id }));
      return;
    }
    const { msg, method } = c;
    const id = c.kind === "request" ? c.id : undefined;
    const params = msg.params as Json | undefined;
    if (method === RESTORE_SESSION_METHOD) {
      // The supervisor's own channel to its worker: a client may not set the binding unchecked.
      if (id !== undefined) this.#out.send(errorResponse(id, -32601, `Method not found: ${method}`));
      return;
    }
    const replay = this.workers.replay;
    if (method === "initialize" && id !== undefined && replay.initialize === null) {
      // Answered here, at once: the worker is still loading the SDK (docs/reboot.md, cold start).
      // The worker gets the same request replayed, as after any restart.
      replay.initialize = msg;
      this.#out.send({
        jsonrpc: "2.0",
        id,
        result: initializeResult(params?.protocolVersion, this.opts.version),
      });
      if (this.active && !this.active.warm) void this.#warmFirst(this.active);
      return;
    }
    if (method === "notifications/initialized") {
      replay.initialized = true;
      if (this.active?.warm) this.workers.sendInitialized(this.active, line);
      return; // otherwise the warm-up sends it
    }
    const tool = params?.name;
    if (method === "tools/call" && id !== undefined && isRebootTool(tool)) {
      void answerRebootTool(this, tool, params?.arguments).then((result) =>
        this.#out.send({ jsonrpc: "2.0", id, result }),
      );
      return;
    }
    if (this.phase === "failed") {
      if (id !== undefined)
        this.#out.send(
          refusal(id, method, null, "WORKER_FAILED", this.#failure ?? "the worker cannot start"),
        );
      return;
    }
    const w = this.active;
    if (this.phase !== "ready" || !w || (replay.initialize !== null && !w.warm)) {
      this.#queue.push(line);
      return;
    }
    if (id !== undefined) {
      const called = method === "tools/call" ? String(tool ?? "") : null;
      this.#calls.track(id, { worker: w.gen, method, tool: called, at: this.opts.clock.now() });
    }
    writeLine(w.child.stdin, line);
  }

  #flushQueue(): void {
    const queued = this.#queue;
    this.#queue = [];
    for (const line of queued) this.#fromClient(line);
  }

  // ---- worker → client ----

  #fromWorker(w: Worker, msg: Json, line: string): void {
    const id = msg.id as Id | undefined;
    const isRequest = typeof msg.method === "string";
    if (!isRequest && id !== undefined) {
      const call = this.#calls.settle(id, w.gen);
      if (!call) return;
      w.answered++;
      const result = msg.result as Json | undefined;
      if (call.method === "initialize" && result)
        w.version = String((result.serverInfo as Json | undefined)?.version ?? "");
      if (call.tool === "orchestrator_initialize_session" && result && !result.isError)
        this.#bound(w, (result.structuredContent as Json | undefined)?.workspace);
      this.#out.line(line);
      return;
    }
    if (isRequest && id !== undefined) {
      // A request from the server to the client (roots, sampling...): give it an id no other worker uses.
      this.#out.send({ ...msg, id: this.#calls.outbound(w.gen, id) });
      return;
    }
    if (w === this.active) this.#out.line(line);
  }

  #onExit(w: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    const orphans = this.#calls.orphansOf(w.gen);
    const why = signal ? `was killed (${signal})` : `exited with code ${code}`;
    w.interrupted += orphans.length;
    const record = this.#retiredBy.get(w.gen);
    this.#retiredBy.delete(w.gen);
    if (record) record.requests_interrupted = w.interrupted;
    for (const [id, call] of orphans) this.#out.send(exitRefusal(id, call, w, why));
    if (w.retiring || this.#closing || w !== this.active) return;
    this.opts.log(
      `orchestrator supervisor: worker ${w.pid} ${why}${w.stderrTail ? `; last output:\n${w.stderrTail}` : ""}\n`,
    );
    this.#afterCrash(why, w.stderrTail);
  }

  /** Records the workspace a worker bound, and hands it to the active worker if that is another. */
  #bound(from: Worker, workspace: unknown): void {
    if (typeof workspace !== "string" || workspace === "") return;
    this.workers.replay.binding = workspace;
    const active = this.active;
    if (active && active !== from && active.warm) void this.workers.restoreBinding(active);
  }

  // ---- restarts and crashes ----

  /** After an unplanned exit: restart with backoff, or give up after too many crashes in a short time. */
  #afterCrash(why: string, tail: string): void {
    const next = this.#crashes.crashed(this.opts.clock.now());
    if (next.giveUp) {
      this.phase = "failed";
      this.active = null;
      this.#failure = this.#crashes.failure(why, tail);
      this.#flushQueue(); // each queued request is refused WORKER_FAILED
      return;
    }
    this.phase = "restarting";
    this.opts.clock.setTimeout(() => {
      if (this.#closing) return; // stopped meanwhile: no worker to start
      void this.#replace(null, {
        graceful: false,
        timeoutMs: 10_000,
        reason: "error_recovery",
        trigger: "crash",
      });
    }, next.delayMs);
  }

  /** Brings the first worker up to the client's initialize; a failure counts as a crash. */
  async #warmFirst(w: Worker): Promise<void> {
    try {
      await this.workers.warmUp(w, WARM_UP_MS);
      if (this.active === w) this.#flushQueue();
    } catch (e) {
      if (w.exited || this.active !== w) return; // its exit handler restarts it
      this.opts.log(`orchestrator supervisor: worker ${w.pid} did not start: ${(e as Error).message}\n`);
      this.workers.discard(w);
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
  restart(request: RestartRequest & { readonly trigger: "tool" | "signal" }): Promise<RestartRecord> {
    if (this.#restarting) return this.#restarting;
    this.#restarting = this.#replace(this.active, request).finally(() => {
      this.#restarting = null;
    });
    return this.#restarting;
  }

  async #replace(old: Worker | null, request: RestartRequest): Promise<RestartRecord> {
    const { clock } = this.opts;
    const t0 = clock.now();
    const at = new Date(t0).toISOString();
    const before = this.phase;
    this.phase = "restarting";
    const fresh = this.workers.start(request.trigger);
    const outcome = { at, request, old } as const;
    try {
      // A cold start on a loaded machine can take seconds; the timeout is about the old worker's requests.
      await this.workers.warmUp(fresh, Math.max(request.timeoutMs, WARM_UP_MS));
    } catch (e) {
      this.workers.discard(fresh);
      const message = `the new worker did not start: ${(e as Error).message}${fresh.stderrTail ? `; its output: ${fresh.stderrTail.trim().slice(-400)}` : ""}`;
      if (old && !old.exited) {
        this.phase = "ready";
        this.#flushQueue();
      } else if (request.trigger === "crash" || before === "failed" || !this.active) {
        this.#afterCrash("the replacement worker did not start", fresh.stderrTail);
      } else {
        this.phase = "ready";
      }
      const durationMs = clock.now() - t0;
      return this.history.add({
        ...outcome,
        durationMs,
        result: "failed",
        message,
        fresh: null,
        finished: 0,
        left: 0,
      });
    }
    let finished = 0;
    let left = 0;
    if (old && !old.exited) {
      const pending = this.#calls.runningOn(old.gen);
      const answeredBefore = old.answered;
      const deadline = t0 + request.timeoutMs;
      void this.workers.retire(old, Math.max(0, deadline - clock.now()));
      if (request.graceful)
        while (this.#calls.runningOn(old.gen) > 0 && clock.now() < deadline && !old.exited)
          await sleep(clock, 5);
      finished = old.answered - answeredBefore;
      left = pending - finished;
    }
    // Whatever the old worker bound while it finished is in the replay by now.
    await this.workers.restoreBinding(fresh);
    this.active = fresh;
    this.phase = "ready";
    this.#failure = null;
    if (request.trigger !== "crash") this.#crashes.reset();
    this.#flushQueue();
    const durationMs = clock.now() - t0;
    const rec = this.history.add({
      ...outcome,
      durationMs,
      result: "success",
      message: "restarted",
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
}
