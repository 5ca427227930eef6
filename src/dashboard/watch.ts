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
export function createWatcher(openFeed: () => ChangeFeed, coalesceMs = COALESCE_MS) {
  const subscribers = new Set<(version: number) => void>();
  let feed: ChangeFeed | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastTold = Number.NEGATIVE_INFINITY;
  let closed = false;

  const tell = (): void => {
    timer = undefined;
    lastTold = Date.now();
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
    if (timer || subscribers.size === 0) return;
    const wait = lastTold + coalesceMs - Date.now();
    if (wait <= 0) tell();
    else timer = setTimeout(tell, wait);
  };
  const stopFeed = async (): Promise<void> => {
    if (timer) clearTimeout(timer);
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
        feed.start(signal);
      }
      return () => {
        if (!subscribers.delete(entry) || subscribers.size > 0) return;
        void stopFeed();
      };
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
