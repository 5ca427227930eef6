import type { Writable } from "node:stream";
import { LineWriter } from "../protocol/line-writer.ts";

/**
 * Writes lines to the client with backpressure: when the client reads slower than the workers
 * answer, `onBlocked(true)` pauses the workers' output until the client's pipe drains, so answers
 * wait in the workers' pipes (and the SDK's 'drain' waits) instead of piling up in this process.
 * The lines of one turn (a worker's read chunk holds several answers) go out in one write.
 */
export class ClientOutput {
  readonly #out: LineWriter;

  constructor(out: Writable, onBlocked: (blocked: boolean) => void) {
    this.#out = new LineWriter(out, onBlocked);
  }

  send(msg: Record<string, unknown>): void {
    this.line(JSON.stringify(msg));
  }

  /** One line: text without its newline, or bytes relayed as a worker wrote them. */
  line(line: string | Uint8Array): void {
    this.#out.line(line);
  }
}
