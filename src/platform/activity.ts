/**
 * What "busy" means for work that can wait for a quiet moment (releasing code pages, writing
 * artifacts' local copies): input arriving on a pipe, counted by `readLines` for every chunk
 * read (a request to the worker, a message to relay). A process without such input (in-process
 * servers, the HTTP front) is simply never busy, and its waits end on time.
 */

/** A wait for `ms` without input; every `noteActivity()` starts it over. */
export interface QuietWait {
  /** Stops waiting without running the callback. */
  cancel(): void;
}

const waits = new Set<ReturnType<typeof setTimeout>>();

/**
 * Runs `fn` once `ms` pass without input. `repeat`: after each run the wait starts again at the
 * next input, so every quiet spell after work gets its run. Unref'd: it never keeps a process alive.
 */
export function whenQuiet(ms: number, fn: () => void, opts: { readonly repeat?: boolean } = {}): QuietWait {
  const timer: ReturnType<typeof setTimeout> = setTimeout(() => {
    // refresh() re-arms a timer that already fired: a one-off wait leaves the set at once.
    if (!opts.repeat) waits.delete(timer);
    fn();
  }, ms);
  timer.unref();
  waits.add(timer);
  return {
    cancel() {
      waits.delete(timer);
      clearTimeout(timer);
    },
  };
}

/** Input arrived: every wait starts over. */
export function noteActivity(): void {
  for (const timer of waits) timer.refresh();
}
