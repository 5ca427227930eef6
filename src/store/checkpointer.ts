import { detectRuntime, type Runtime } from "../platform/env.ts";

/**
 * SQLite's WAL checkpoints on a thread of their own, so no call waits for one.
 *
 * Why: a checkpoint copies the WAL's pages into the database file and syncs both files. SQLite
 * runs it inside the COMMIT that takes the WAL past 1,000 pages, on the connection's thread, which
 * in this server is the thread that answers: with 8 calls in flight every ~100 state changes one
 * group of calls waited 15–30 ms behind it (complete_subtask p99 24 ms against a p50 of 5 ms;
 * without checkpoints 9 ms, docs/performance.md "Issue 16's twelfth round"). Raising the threshold
 * made each one longer, not rarer in total. Here a second connection on a worker thread runs
 * PASSIVE checkpoints, which never block the writer, while the main thread goes on writing to the
 * WAL's end; the main connection keeps SQLite's own checkpoint only as a bound
 * (`SAFETY_NET_FRAMES`), for a writer the thread cannot keep up with or a thread that failed.
 *
 * Bun only (the thread opens the file with bun:sqlite): elsewhere `undefined`, and SQLite's own
 * checkpoints run as before. The thread starts at the first checkpoint due, so a session with a
 * few writes never pays for it (a thread holds 6–9 MiB that Bun does not give back when it ends).
 * The thread's code is a string run from a blob URL: a separate module would need its own entry
 * point in the compiled binary, and the code is a dozen lines that touch nothing but SQLite.
 */
export interface Checkpointer {
  /** Called after each successful COMMIT on the store's connection. */
  readonly afterCommit: () => void;
  /** Settles when no checkpoint is running. */
  readonly idle: () => Promise<void>;
  /**
   * Checkpoints the thread ran (busy ones included: another connection held the file, and the
   * next round tries again), and the error that stopped it, if one did.
   */
  readonly stats: () => { readonly runs: number; readonly failed: string | undefined };
  /** Closes the thread's connection and ends the thread (before the main connection closes). */
  readonly close: () => Promise<void>;
}

/** A checkpoint is asked for after this many commits (a state change alone is one; a group of calls one). */
export const CHECKPOINT_EVERY_COMMITS = 32;
/**
 * The main connection's own checkpoint threshold while the thread runs them (SQLite's default is
 * 1,000 pages): reached only when writes outrun the thread for ~40 MB of WAL, or the thread has
 * failed. A PASSIVE checkpoint cannot restart the WAL while the writer keeps appending, so under a
 * write stream without pauses this is also where the WAL starts over.
 */
export const SAFETY_NET_FRAMES = 10_000;
/** How long `close` waits for the thread to close its connection before ending it anyway. */
const CLOSE_WAIT_MS = 2_000;

/** The thread: opens the database on its first message (never creating it), checkpoints on each. */
const THREAD_CODE = `
const { Database } = require("bun:sqlite");
let db;
self.onmessage = ({ data }) => {
  if (data.close) {
    try { db?.close(); } catch {}
    postMessage({ closed: true });
    return;
  }
  try {
    if (!db) {
      db = new Database(data.path, { readwrite: true, create: false });
      db.exec("pragma busy_timeout = 0");
    }
    db.query("pragma wal_checkpoint(PASSIVE)").get();
    postMessage({ done: true });
  } catch (e) {
    // Busy (another process holds the file exclusively for a moment): this round is skipped, the next one tries again.
    if (e && (e.code === "SQLITE_BUSY" || e.code === "SQLITE_LOCKED")) postMessage({ done: true });
    else postMessage({ error: String((e && e.message) || e) });
  }
};
`;

/** A round done (or skipped as busy), the connection closed, or the error that stops the thread. */
type Reply = { readonly done: true } | { readonly closed: true } | { readonly error: string };

/**
 * A checkpointer for the SQLite file at `path`, or undefined where the runtime has no thread for
 * it. `onFailed` runs once if the thread fails (the caller gives SQLite its own checkpoints back).
 */
export function threadCheckpointer(
  path: string,
  onFailed: (message: string) => void,
  runtime: Runtime = detectRuntime(),
): Checkpointer | undefined {
  if (runtime !== "bun" || typeof Worker === "undefined") return undefined;
  let thread: Worker | undefined;
  let commits = 0;
  let runs = 0;
  let failed: string | undefined;
  let closed = false;
  /** Settles the checkpoint running now (and `idle` waiters); undefined when none runs. */
  let running: { readonly done: Promise<void>; readonly settle: () => void } | undefined;
  let onClosed: (() => void) | undefined;

  const finish = (): void => {
    const run = running;
    running = undefined;
    run?.settle();
  };

  const fail = (message: string): void => {
    if (failed !== undefined) return;
    failed = message;
    thread?.terminate();
    thread = undefined;
    finish();
    onFailed(message);
  };

  const start = (): Worker => {
    const url = URL.createObjectURL(new Blob([THREAD_CODE], { type: "application/javascript" }));
    // The URL stays valid for the thread's life: the thread loads it after this returns.
    const w = new Worker(url, { smol: true } as WorkerOptions);
    // The thread never keeps the process alive: an exit closes the main connection, which
    // checkpoints what is left.
    w.unref();
    w.onmessage = (e: MessageEvent<Reply>) => {
      const reply = e.data;
      if ("closed" in reply) {
        onClosed?.();
        return;
      }
      if ("error" in reply) {
        fail(reply.error);
        return;
      }
      runs++;
      finish();
    };
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      fail(e.message || "the checkpoint thread stopped");
    };
    return w;
  };

  return {
    afterCommit() {
      if (++commits < CHECKPOINT_EVERY_COMMITS || running || failed !== undefined || closed) return;
      commits = 0;
      try {
        thread ??= start();
      } catch (e) {
        fail(e instanceof Error ? e.message : String(e));
        return;
      }
      let settle = (): void => {};
      const done = new Promise<void>((r) => {
        settle = r;
      });
      running = { done, settle };
      thread.postMessage({ path });
    },
    idle: () => running?.done ?? Promise.resolve(),
    stats: () => ({ runs, failed }),
    async close() {
      if (closed) return;
      closed = true;
      const w = thread;
      thread = undefined;
      if (!w) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_WAIT_MS);
        onClosed = () => {
          clearTimeout(timer);
          resolve();
        };
        // Behind a checkpoint still running: messages are handled in order.
        w.postMessage({ close: true });
      });
      w.terminate();
      finish();
    },
  };
}
