import type { RestartRecord, SupervisorPhase } from "../protocol/reboot-tools.ts";
import { CrashPolicy } from "./crash-policy.ts";
import { RestartHistory, type RestartRequest } from "./restart-history.ts";
import { type SupervisorClock, sleep } from "./seams.ts";
import type { Worker, WorkerPool } from "./worker-pool.ts";

/** What a restart changes and reads of the relay (the supervisor is one). */
export interface RestartHost {
  phase: SupervisorPhase;
  active: Worker | null;
  readonly closing: boolean;
  /** Sends the requests that waited on: to the active worker, or refused when failed. */
  flushQueue(): void;
  /** Client requests worker `gen` still runs. */
  runningOn(gen: number): number;
}

/** How long a new worker has to answer the replayed initialize. */
const WARM_UP_MS = 30_000;

/**
 * Replacing the worker: on request (restart tool, SIGHUP) and after a crash, under the crash
 * policy; the first worker's warm-up, whose failure counts as a crash; the restart history.
 */
export class Restarts {
  readonly history = new RestartHistory();
  readonly #host: RestartHost;
  readonly #workers: WorkerPool;
  readonly #clock: SupervisorClock;
  readonly #log: (line: string) => void;
  readonly #crashes: CrashPolicy;
  /** The restart record of each retiring worker, to count what its stop interrupted. */
  readonly #retiredBy = new Map<number, RestartRecord>();
  #running: Promise<RestartRecord> | null = null;
  #failure: string | null = null;

  constructor(opts: {
    readonly host: RestartHost;
    readonly workers: WorkerPool;
    readonly clock: SupervisorClock;
    readonly log: (line: string) => void;
    readonly maxCrashes?: number | undefined;
    readonly crashWindowMs?: number | undefined;
  }) {
    this.#host = opts.host;
    this.#workers = opts.workers;
    this.#clock = opts.clock;
    this.#log = opts.log;
    this.#crashes = new CrashPolicy({ maxCrashes: opts.maxCrashes, windowMs: opts.crashWindowMs });
  }

  get inProgress(): boolean {
    return this.#running !== null;
  }

  get recentCrashes(): number {
    return this.#crashes.recent;
  }

  /** Why no worker serves (WORKER_FAILED), or null. */
  get failure(): string | null {
    return this.#failure;
  }

  /** A retiring worker exited: its restart record learns how many requests the stop interrupted. */
  retired(w: Worker): void {
    const record = this.#retiredBy.get(w.gen);
    this.#retiredBy.delete(w.gen);
    if (record) record.requests_interrupted = w.interrupted;
  }

  /** After an unplanned exit: restart with backoff, or give up after too many crashes in a short time. */
  crashed(why: string, tail: string): void {
    const host = this.#host;
    const next = this.#crashes.crashed(this.#clock.now());
    if (next.giveUp) {
      host.phase = "failed";
      host.active = null;
      this.#failure = this.#crashes.failure(why, tail);
      host.flushQueue(); // each queued request is refused WORKER_FAILED
      return;
    }
    host.phase = "restarting";
    this.#clock.setTimeout(() => {
      if (host.closing) return; // stopped meanwhile: no worker to start
      void this.#replace(null, {
        graceful: false,
        timeoutMs: 10_000,
        reason: "error_recovery",
        trigger: "crash",
      });
    }, next.delayMs);
  }

  /** Brings the first worker up to the client's initialize; a failure counts as a crash. */
  async warmFirst(w: Worker): Promise<void> {
    try {
      await this.#workers.warmUp(w, WARM_UP_MS);
      if (this.#host.active === w) this.#host.flushQueue();
    } catch (e) {
      if (w.exited || this.#host.active !== w) return; // its exit handler restarts it
      this.#log(`orchestrator supervisor: worker ${w.pid} did not start: ${(e as Error).message}\n`);
      this.#workers.discard(w);
      this.crashed(`did not answer initialize (${(e as Error).message})`, w.stderrTail);
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
    if (this.#running) return this.#running;
    this.#running = this.#replace(this.#host.active, request).finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #replace(old: Worker | null, request: RestartRequest): Promise<RestartRecord> {
    const host = this.#host;
    const clock = this.#clock;
    const t0 = clock.now();
    const before = host.phase;
    host.phase = "restarting";
    const fresh = this.#workers.start(request.trigger);
    const outcome = { at: new Date(t0).toISOString(), request, old } as const;
    try {
      // A cold start on a loaded machine can take seconds; the timeout is about the old worker's requests.
      await this.#workers.warmUp(fresh, Math.max(request.timeoutMs, WARM_UP_MS));
    } catch (e) {
      this.#workers.discard(fresh);
      const message = `the new worker did not start: ${(e as Error).message}${fresh.stderrTail ? `; its output: ${fresh.stderrTail.trim().slice(-400)}` : ""}`;
      if (old && !old.exited) {
        host.phase = "ready";
        host.flushQueue();
      } else if (request.trigger === "crash" || before === "failed" || !host.active) {
        this.crashed("the replacement worker did not start", fresh.stderrTail);
      } else {
        host.phase = "ready";
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
      const pending = host.runningOn(old.gen);
      const answeredBefore = old.answered;
      const deadline = t0 + request.timeoutMs;
      void this.#workers.retire(old, Math.max(0, deadline - clock.now()));
      if (request.graceful)
        while (host.runningOn(old.gen) > 0 && clock.now() < deadline && !old.exited) await sleep(clock, 5);
      finished = old.answered - answeredBefore;
      left = pending - finished;
    }
    // Whatever the old worker bound while it finished is in the replay by now.
    await this.#workers.restoreBinding(fresh);
    host.active = fresh;
    host.phase = "ready";
    this.#failure = null;
    if (request.trigger !== "crash") this.#crashes.reset();
    host.flushQueue();
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
