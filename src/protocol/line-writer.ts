import type { Writable } from "node:stream";

const NEWLINE = Buffer.from("\n");

/**
 * Writes newline-delimited lines to a stream, joining the lines written in one turn of the event
 * loop into one `write`. With requests in flight, several answers (or relayed lines) are often
 * ready in the same turn, and each `write` costs a system call (Bun: an epoll re-arm too, for a
 * child's stdin), which on a VM costs more than the JSON around it (issue 16). Lines keep their
 * order; backpressure is per joined write, as the stream's own would be per line.
 */
export class LineWriter {
  readonly #out: Writable;
  readonly #onFull: ((full: boolean) => void) | undefined;
  /** The lines queued, each followed by its newline; `#bytes` when one of them is bytes. */
  #pending: (string | Uint8Array)[] = [];
  #bytes = false;
  #scheduled = false;
  #ended = false;
  /** The stream's buffer is over its high-water mark: waiting for 'drain'. */
  #full = false;
  /** Resolves the promise `flushed()` gave for the lines not written yet. */
  #settle: (() => void) | null = null;
  #batch: Promise<void> | null = null;
  /** Settlers of batches written while the stream was full: they wait for its 'drain'. */
  #waiting: (() => void)[] = [];

  /** `onFull(true)` when a write leaves the stream over its high-water mark, `onFull(false)` at 'drain'. */
  constructor(out: Writable, onFull?: (full: boolean) => void) {
    this.#out = out;
    this.#onFull = onFull;
  }

  /**
   * Queues one line, text without its newline or bytes with or without it; it is written at the
   * end of this turn.
   */
  line(line: string | Uint8Array): void {
    if (this.#ended) return;
    if (typeof line === "string") this.#pending.push(`${line}\n`);
    else {
      this.#pending.push(line);
      if (line[line.length - 1] !== 10) this.#pending.push(NEWLINE);
      this.#bytes = true;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(this.#flush);
  }

  /**
   * Settles once the lines queued so far are written and the stream is under its high-water mark
   * (at once, or at its 'drain'), as one awaited `write` would: a sender that awaits it slows
   * down with its reader.
   */
  flushed(): Promise<void> {
    if (!this.#scheduled) return this.#full ? new Promise((r) => this.#waiting.push(r)) : Promise.resolve();
    this.#batch ??= new Promise<void>((resolve) => {
      this.#settle = resolve;
    });
    return this.#batch;
  }

  /** Writes what is queued now, then ends the stream (a worker's stdin: it exits when done). */
  end(): void {
    if (this.#ended) return;
    this.#flush();
    this.#ended = true;
    this.#out.end();
  }

  readonly #flush = (): void => {
    if (!this.#scheduled) return;
    this.#scheduled = false;
    const pending = this.#pending;
    const data = this.#bytes ? joinBytes(pending) : pending.join("");
    const settle = this.#settle;
    this.#pending = [];
    this.#bytes = false;
    this.#settle = null;
    this.#batch = null;
    const out = this.#out;
    // A stream already gone (the worker exited): its exit handler answers what was sent to it.
    if (out.destroyed || out.writableEnded || out.write(data)) {
      settle?.();
      return;
    }
    if (settle) this.#waiting.push(settle);
    if (this.#full) return;
    this.#full = true;
    this.#onFull?.(true);
    out.once("drain", this.#drained);
  };

  readonly #drained = (): void => {
    this.#full = false;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const settle of waiting) settle();
    this.#onFull?.(false);
  };
}

/**
 * The lines as one piece of memory. Lines relayed in order from one chunk read are adjacent views
 * of it (readLineBytes): those are taken as one view, not copied.
 */
function joinBytes(parts: readonly (string | Uint8Array)[]): Uint8Array {
  const views: Uint8Array[] = [];
  for (const p of parts) {
    const view = typeof p === "string" ? Buffer.from(p, "utf8") : p;
    const last = views.at(-1);
    if (last && last.buffer === view.buffer && last.byteOffset + last.length === view.byteOffset)
      views[views.length - 1] = new Uint8Array(last.buffer, last.byteOffset, last.length + view.length);
    else views.push(view);
  }
  return views.length === 1 ? (views[0] as Uint8Array) : Buffer.concat(views);
}
