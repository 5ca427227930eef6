import type { ChangeFeed } from "../store/port.ts";

/** Changes closer together than this are told as one (the contract's "a few times a second"). */
export const COALESCE_MS = 250;

/** Every source of the process counts on one counter, so a version never repeats within it. */
let processVersion = 0;

/**
 * The subscribers of one dashboard source over one change feed: the feed starts with the first
 * subscriber and stops when the last one leaves (or on close), however many there are. Signals
 * in a burst are coalesced: the first is told at once, the rest at most every COALESCE_MS.
 */
/** Time and timers of the watcher (tests pass a fake clock). */
export interface WatchTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

const REAL_TIMERS: WatchTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
};

export function createWatcher(
  openFeed: () => ChangeFeed,
  opts: { readonly coalesceMs?: number; readonly timers?: WatchTimers } = {},
) {
  const coalesceMs = opts.coalesceMs ?? COALESCE_MS;
  const timers = opts.timers ?? REAL_TIMERS;
  const subscribers = new Set<(version: number) => void>();
  let feed: ChangeFeed | undefined;
  let listening: Promise<void> = Promise.resolve();
  let timer: unknown;
  let lastTold = Number.NEGATIVE_INFINITY;
  let closed = false;

  const tell = (): void => {
    timer = undefined;
    lastTold = timers.now();
    const version = ++processVersion;
    for (const s of [...subscribers]) {
      try {
        s(version);
      } catch {
        // One subscriber's failure (a closed stream) must not keep the others from hearing.
      }
    }
  };
  const signal = (): void => {
    if (timer !== undefined || subscribers.size === 0) return;
    const wait = lastTold + coalesceMs - timers.now();
    if (wait <= 0) tell();
    else timer = timers.setTimeout(tell, wait);
  };
  const stopFeed = async (): Promise<void> => {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
    const f = feed;
    feed = undefined;
    await f?.stop();
  };
  return {
    subscribe(onChange: (version: number) => void): () => void {
      if (closed) return () => {};
      const entry = (v: number) => onChange(v);
      subscribers.add(entry);
      if (!feed) {
        feed = openFeed();
        listening = feed.start(signal).catch(() => {});
      }
      return () => {
        if (!subscribers.delete(entry) || subscribers.size > 0) return;
        void stopFeed();
      };
    },
    /** Resolves once the running feed listens: a commit after that is told (tests wait on it). */
    listening(): Promise<void> {
      return listening;
    },
    /** Subscribers now, and whether the feed runs (for tests and the server's metrics). */
    state(): { readonly subscribers: number; readonly running: boolean } {
      return { subscribers: subscribers.size, running: feed !== undefined };
    },
    async close(): Promise<void> {
      closed = true;
      subscribers.clear();
      await stopFeed();
    },
  };
}
