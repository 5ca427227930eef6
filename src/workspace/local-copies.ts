import { dirname, sep } from "node:path";
import { type QuietWait, whenQuiet } from "../platform/activity.ts";

/**
 * Artifacts' local copies written after the answer (complete_subtask): the text is committed in
 * the store first, so the copy is a convenience that need not hold up the client (creating the
 * task's folders and the file was 2–3 ms of a 4 ms completion on a slow disk). One queue per
 * process, since every call builds its own DataFiles, written in the order queued. Small copies
 * (workspace/copy-writer.ts) are written with synchronous calls on the main thread, in slices
 * with the event loop's turn between them: an asynchronous call costs a thread-pool hand-off
 * (eventfd, futex) per call, and the pool's threads took the CPU that the client and supervisor
 * needed on a 2-core machine (bench/tput.ts at 8 in flight).
 *
 * Copies also wait for a quiet moment (no request for `QUIET_MS`, platform/activity.ts): written
 * between a client's calls, their file-system work met the next call's commit and slowed it
 * (complete_subtask p50 in a loop of calls 0.9 → 1.6 ms, docs/performance.md). An agent's calls
 * are seconds apart, so its copies land milliseconds after each answer; a burst of calls is
 * answered first and its copies follow it. Bounded: past `MAX_WAITING` copies or
 * `MAX_WAITING_BYTES` they are written at once, and anything that reads or removes copies (or an
 * exit) writes the waiting ones first.
 */

/**
 * How long a server's exit waits for queued copies. Short: they are conveniences (the texts are
 * stored), a restart waits for this, and a copy left unwritten is restored by validate_structure.
 * Below the supervisor's 3 s before it kills a retiring worker.
 */
export const EXIT_GRACE_MS = 2_000;

/** How long without a request before waiting copies are written. */
const QUIET_MS = 20;
/** Copies written at once when this many wait (memory: each holds its bytes until written). */
const MAX_WAITING = 1_000;
const MAX_WAITING_BYTES = 32 * 1024 * 1024;
/**
 * A slice of synchronous copies ends after this long or this many copies; then the event loop
 * reads and answers whatever requests arrived before the next slice, so an answer waits behind
 * at most one slice (a copy's mkdir, open and write cost 0.2–0.5 ms of CPU on the 2-core VM).
 */
const SLICE_MS = 2;
const SLICE_COPIES = 64;

interface Copy {
  readonly abs: string;
  /** Its folder with a trailing separator, for copiesSettled's `under`. */
  readonly folder: string;
  /** Synchronous (a small copy, run in a slice) or a promise (a large one, on the thread pool). */
  readonly write: () => void | Promise<void>;
  readonly bytes: number;
  readonly delayMs: number | undefined;
  readonly describe: (reason: string) => string;
  /** Its place in the one queue: copies are written in the order they were queued. */
  readonly seq: number;
}

/** Copies waiting for a quiet moment (or the bounds), and the wait. */
let waiting: Copy[] = [];
let waitingBytes = 0;
let quiet: QuietWait | undefined;
/** Copies let through, written in order by `drain` from `next` on. */
let released: Copy[] = [];
let next = 0;
let draining = false;
let lastSeq = 0;
/** Every copy up to this one is written or has failed. */
let doneSeq = 0;
const settleWaits = new Set<{ readonly seq: number; readonly resolve: () => void }>();

/** Lets every waiting copy be written (after the current call's answer has gone out). */
function openGate(): void {
  quiet?.cancel();
  quiet = undefined;
  if (waiting.length === 0) return;
  released.push(...waiting);
  waiting = [];
  waitingBytes = 0;
  if (draining) return;
  draining = true;
  // setImmediate: after the microtasks that send this call's answer, so none of the copies' work
  // (resolving folders, the first syscalls) runs before the answer is written.
  setImmediate(() => void drain());
}

/**
 * Writes the released copies in order: synchronous ones in slices bounded by SLICE_MS and
 * SLICE_COPIES, yielding to the event loop between slices; a large copy's promise is awaited.
 * One copy at a time: on the main thread there is nothing to gain from overlapping them, and
 * the thread pool then only sees the rare large copy instead of several calls per copy.
 */
async function drain(): Promise<void> {
  while (next < released.length) {
    const start = performance.now();
    for (let n = 0; n < SLICE_COPIES && next < released.length; n++) {
      if (n > 0 && performance.now() - start >= SLICE_MS) break;
      const copy = released[next++] as Copy;
      // Test hook: a copy still pending when the process is killed (ORCHESTRATOR_TEST_COPY_DELAY_MS).
      if (copy.delayMs) await new Promise((r) => setTimeout(r, copy.delayMs));
      const pending = run(copy);
      if (pending) await pending;
      settle(copy.seq);
    }
    if (next > 1024) {
      released = released.slice(next);
      next = 0;
    }
    if (next < released.length) await new Promise((r) => setImmediate(r));
  }
  released = [];
  next = 0;
  draining = false;
}

/** Runs one copy, recording its outcome; a promise when the copy is asynchronous. */
function run(copy: Copy): Promise<void> | undefined {
  let result: void | Promise<void>;
  try {
    result = copy.write();
  } catch (e) {
    failed(copy, e);
    return undefined;
  }
  if (!result) {
    failures.delete(copy.abs);
    return undefined;
  }
  return result.then(
    () => void failures.delete(copy.abs),
    (e: unknown) => failed(copy, e),
  );
}

/** Copies that could not be written and have not been written since: absolute path → why. */
const failures = new Map<string, string>();
/** A failure per path is kept until repaired; past this many the oldest is dropped (a full disk fails every copy). */
const MAX_FAILURES = 100;

/** A failure is logged on stderr (the client's log) and kept for health_check until that file is written. */
function failed(copy: Copy, e: unknown): void {
  const message = copy.describe(e instanceof Error ? e.message : String(e));
  process.stderr.write(`orchestrator: ${message}\n`);
  failures.delete(copy.abs);
  failures.set(copy.abs, message);
  if (failures.size > MAX_FAILURES) failures.delete(failures.keys().next().value as string);
}

function settle(seq: number): void {
  doneSeq = seq;
  for (const w of settleWaits) {
    if (w.seq <= doneSeq) {
      settleWaits.delete(w);
      w.resolve();
    }
  }
}

/**
 * Queues `write` (the copy at `abs`) behind every copy queued before it; it starts at the next
 * quiet moment, or at once past the bounds on waiting copies. `write` may be synchronous (then it
 * runs in a slice on the main thread) or return a promise.
 */
export function queueCopy(
  abs: string,
  write: () => void | Promise<void>,
  opts: { readonly bytes: number; readonly delayMs?: number; readonly describe: (reason: string) => string },
): void {
  waiting.push({
    abs,
    folder: `${dirname(abs)}${sep}`,
    write,
    bytes: opts.bytes,
    delayMs: opts.delayMs,
    describe: opts.describe,
    seq: ++lastSeq,
  });
  waitingBytes += opts.bytes;
  quiet ??= whenQuiet(QUIET_MS, openGate);
  if (waiting.length >= MAX_WAITING || waitingBytes >= MAX_WAITING_BYTES) openGate();
}

/**
 * Waits until the copies queued so far under the folder `under` (ending in a separator; every
 * copy without it) are written or have failed, for at most `timeoutMs`; false when some were
 * still pending then.
 */
export async function copiesSettled(under: string | undefined, timeoutMs: number): Promise<boolean> {
  openGate();
  // The last one still pending under `under` (the one being written included): the queue's order
  // means every earlier one is done by the time it is.
  let seq = 0;
  for (let i = released.length - 1; i >= Math.max(0, next - 1) && seq === 0; i--) {
    const copy = released[i] as Copy;
    if (copy.seq > doneSeq && (under === undefined || copy.folder.startsWith(under))) seq = copy.seq;
  }
  if (seq === 0) return true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wait: { readonly seq: number; readonly resolve: () => void } | undefined;
  const done = await new Promise<boolean>((resolve) => {
    wait = { seq, resolve: () => resolve(true) };
    settleWaits.add(wait);
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  clearTimeout(timer);
  if (wait) settleWaits.delete(wait);
  return done;
}

/** The failed copies under `root` not written since, each in words with its fix. */
export function copyFailures(root: string): string[] {
  return [...failures].filter(([abs]) => abs.startsWith(root)).map(([, message]) => message);
}

/** Forgets the failures of files written since (a repair) or removed with their task. */
export function forgetCopyFailures(match: (abs: string) => boolean): void {
  for (const abs of failures.keys()) if (match(abs)) failures.delete(abs);
}
