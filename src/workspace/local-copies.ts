import { dirname, sep } from "node:path";

/**
 * Artifacts' local copies written after the answer (complete_subtask): the text is committed in
 * the store first, so the copy is a convenience that need not hold up the client (creating the
 * task's folders and the file was 2–3 ms of a 4 ms completion on a slow disk). One queue per
 * process, since every call builds its own DataFiles; copies into one task's folder run in the
 * order they were queued, different folders in parallel.
 */

/**
 * How long a server's exit waits for queued copies. Short: they are conveniences (the texts are
 * stored), a restart waits for this, and a copy left unwritten is restored by validate_structure.
 * Below the supervisor's 3 s before it kills a retiring worker.
 */
export const EXIT_GRACE_MS = 2_000;

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
  opts: { readonly delayMs?: number; readonly describe: (reason: string) => string },
): void {
  const folder = dirname(abs);
  // setImmediate: after the microtasks that send this call's answer, so none of the copy's work
  // (resolving the folder, the first syscalls) runs before the answer is written.
  const after = tails.get(folder) ?? new Promise<void>((resolve) => setImmediate(resolve));
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
