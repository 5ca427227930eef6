import { dirname, sep } from "node:path";
import { type QuietWait, whenQuiet } from "../platform/activity.ts";

/**
 * Artifacts' local copies written after the answer (complete_subtask): the text is committed in
 * the store first, so the copy is a convenience that need not hold up the client (creating the
 * task's folders and the file was 2–3 ms of a 4 ms completion on a slow disk). One queue per
 * process, since every call builds its own DataFiles; copies into one task's folder run in the
 * order they were queued, different folders in parallel.
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

/** The copies waiting for a quiet moment: they start when `open` is called. */
let gate:
  | { readonly opened: Promise<void>; readonly open: () => void; readonly quiet: QuietWait }
  | undefined;
let waiting = 0;
let waitingBytes = 0;

/** Lets every waiting copy start (after the current call's answer has gone out). */
function openGate(): void {
  const g = gate;
  if (!g) return;
  gate = undefined;
  waiting = 0;
  waitingBytes = 0;
  g.quiet.cancel();
  // setImmediate: after the microtasks that send this call's answer, so none of the copies' work
  // (resolving folders, the first syscalls) runs before the answer is written.
  setImmediate(g.open);
}

/** Resolves when the copy of `bytes` bytes may start: at the next quiet moment or past the bounds. */
function quietMoment(bytes: number): Promise<void> {
  if (!gate) {
    let open = (): void => {};
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    gate = { opened, open, quiet: whenQuiet(QUIET_MS, openGate) };
  }
  const { opened } = gate;
  waiting++;
  waitingBytes += bytes;
  if (waiting >= MAX_WAITING || waitingBytes >= MAX_WAITING_BYTES) openGate();
  return opened;
}

/** The last copy queued into each folder (absolute path); gone once it is written or failed. */
const tails = new Map<string, Promise<void>>();

/** Copies that could not be written and have not been written since: absolute path → why. */
const failures = new Map<string, string>();
/** A failure per path is kept until repaired; past this many the oldest is dropped (a full disk fails every copy). */
const MAX_FAILURES = 100;

/**
 * Queues `write` (the copy at `abs`) behind the copies already queued into its folder. A failure
 * is logged on stderr (the client's log) and kept for health_check until that file is written.
 */
export function queueCopy(
  abs: string,
  write: () => Promise<void>,
  opts: { readonly bytes: number; readonly delayMs?: number; readonly describe: (reason: string) => string },
): void {
  const folder = dirname(abs);
  const quiet = quietMoment(opts.bytes);
  const after = tails.get(folder) ?? quiet;
  const next = after.then(async () => {
    // Test hook: a copy still pending when the process is killed (ORCHESTRATOR_TEST_COPY_DELAY_MS).
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    try {
      await write();
      failures.delete(abs);
    } catch (e) {
      const message = opts.describe(e instanceof Error ? e.message : String(e));
      process.stderr.write(`orchestrator: ${message}\n`);
      failures.delete(abs);
      failures.set(abs, message);
      if (failures.size > MAX_FAILURES) failures.delete(failures.keys().next().value as string);
    }
  });
  tails.set(folder, next);
  void next.then(() => {
    if (tails.get(folder) === next) tails.delete(folder);
  });
}

/**
 * Waits until the copies queued so far under the folder `under` (ending in a separator; every
 * copy without it) are written or have failed, for at most `timeoutMs`; false when some were
 * still pending then.
 */
export async function copiesSettled(under: string | undefined, timeoutMs: number): Promise<boolean> {
  openGate();
  const waiting = [...tails]
    .filter(([folder]) => under === undefined || `${folder}${sep}`.startsWith(under))
    .map(([, p]) => p);
  if (waiting.length === 0) return true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const done = await Promise.race([Promise.all(waiting).then(() => true), late]);
  clearTimeout(timer);
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
