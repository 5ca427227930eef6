/**
 * When a worker that crashed is started again: after a backoff that doubles with each crash in
 * the window (200 ms, 400 ms, ... up to 5 s), and not at all once `maxCrashes` fall within
 * `windowMs` (the supervisor then answers WORKER_FAILED until a restart succeeds).
 */
export class CrashPolicy {
  readonly #max: number;
  readonly #windowMs: number;
  #crashes: number[] = [];

  constructor(opts: { readonly maxCrashes?: number | undefined; readonly windowMs?: number | undefined }) {
    this.#max = opts.maxCrashes ?? 5;
    this.#windowMs = opts.windowMs ?? 60_000;
  }

  /** Crashes within the window, as of the last one recorded. */
  get recent(): number {
    return this.#crashes.length;
  }

  /** Records a crash at `now`: how long to wait before the next worker, or give up. */
  crashed(now: number): { readonly giveUp: false; readonly delayMs: number } | { readonly giveUp: true } {
    this.#crashes = [...this.#crashes.filter((t) => now - t < this.#windowMs), now];
    if (this.#crashes.length >= this.#max) return { giveUp: true };
    return { giveUp: false, delayMs: Math.min(5000, 200 * 2 ** (this.#crashes.length - 1)) };
  }

  /** The WORKER_FAILED message once it gave up. */
  failure(why: string, tail: string): string {
    return `the orchestrator worker crashed ${this.#crashes.length} times within ${Math.round(this.#windowMs / 1000)} s and was not restarted again; requests are not run until it is. Last exit: ${why}. Last output: ${tail.trim().slice(-400) || "(none)"}.`;
  }

  /** A restart that was asked for (not a crash recovery) starts the count afresh. */
  reset(): void {
    this.#crashes = [];
  }
}
