import type { Writable } from "node:stream";

/**
 * Writes lines to the client with backpressure: when the client reads slower than the workers
 * answer, `onBlocked(true)` pauses the workers' output until the client's pipe drains, so answers
 * wait in the workers' pipes (and the SDK's 'drain' waits) instead of piling up in this process.
 */
export class ClientOutput {
  readonly #out: Writable;
  readonly #onBlocked: (blocked: boolean) => void;
  #blocked = false;

  constructor(out: Writable, onBlocked: (blocked: boolean) => void) {
    this.#out = out;
    this.#onBlocked = onBlocked;
  }

  send(msg: Record<string, unknown>): void {
    this.line(JSON.stringify(msg));
  }

  line(line: string): void {
    const out = this.#out;
    if (out.destroyed) return;
    if (out.write(`${line}\n`) || this.#blocked) return;
    this.#blocked = true;
    this.#onBlocked(true);
    out.once("drain", () => {
      this.#blocked = false;
      this.#onBlocked(false);
    });
  }
}
