import type { Readable } from "node:stream";
import { noteActivity } from "../platform/activity.ts";

/** What is kept of a line too long to read: its size and its two ends (where a request's id sits). */
export interface OversizedLine {
  readonly bytes: number;
  readonly head: string;
  readonly tail: string;
}

/** How many bytes of each end of an oversized line are kept to recover its id. */
const END_BYTES = 1024;
const NEWLINE = Buffer.from("\n");

interface LineHandlers<L> {
  readonly maxLineBytes?: number;
  readonly onLine: (line: L) => void;
  readonly onOversized?: (line: OversizedLine) => void;
  readonly onEnd?: () => void;
}

/**
 * Splits a byte stream into newline-delimited lines. A line longer than `maxLineBytes` is not
 * buffered: its bytes are dropped as they arrive until its newline (only its two ends are kept),
 * and `onOversized` is told, so one huge line costs no more memory than the limit and the lines
 * after it are read as usual. Works on Buffers, so a character split across chunks stays whole
 * and the limit counts bytes.
 */
export function readLines(stream: Readable, handlers: LineHandlers<string>): void {
  const { onLine } = handlers;
  readLineBytes(stream, { ...handlers, onLine: (bytes) => onLine(lineText(bytes)) });
}

/** A line from `readLineBytes` as text, without its "\n" or "\r\n". */
export function lineText(bytes: Buffer): string {
  let end = bytes.length;
  if (bytes[end - 1] === 10) end--;
  if (bytes[end - 1] === 13) end--;
  return bytes.toString("utf8", 0, end);
}

/**
 * `readLines` without the decoding: each line's bytes with its "\n" (but the last line of a
 * stream that ends without one), for a relay that passes most lines on as they came (supervisor:
 * a worker's answers) and decodes only the rest. A line that came in one chunk is a view of it,
 * so the lines of a chunk relayed in order are still one piece of memory.
 */
export function readLineBytes(stream: Readable, handlers: LineHandlers<Buffer>): void {
  const max = handlers.maxLineBytes ?? Number.POSITIVE_INFINITY;
  let parts: Buffer[] = [];
  let size = 0;
  let discarding = false;
  let dropped = 0;
  let head = "";
  let tail: Buffer = Buffer.alloc(0);

  /** `whole`: the line with its newline when it is all in the chunk at hand. */
  const finish = (whole: Buffer | null): void => {
    if (discarding) {
      handlers.onOversized?.({ bytes: dropped, head, tail: tail.toString("utf8") });
      discarding = false;
      dropped = 0;
      head = "";
      tail = Buffer.alloc(0);
    } else if (size > 0) {
      if (whole && parts.length === 1) handlers.onLine(whole);
      else if (whole) handlers.onLine(Buffer.concat([...parts, NEWLINE], size + 1));
      else handlers.onLine(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size));
    }
    parts = [];
    size = 0;
  };

  stream.on("data", (chunk: Buffer | string) => {
    noteActivity();
    const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    let start = 0;
    while (start < buf.length) {
      const nl = buf.indexOf(10, start);
      const piece = buf.subarray(start, nl === -1 ? buf.length : nl);
      if (discarding) {
        dropped += piece.length;
        tail = lastBytes(tail, piece);
      } else if (size + piece.length > max) {
        discarding = true;
        parts.push(piece);
        head = firstBytes(parts);
        tail = lastBytes(Buffer.alloc(0), piece);
        dropped = size + piece.length;
        parts = [];
        size = 0;
      } else {
        parts.push(piece);
        size += piece.length;
      }
      if (nl === -1) break;
      finish(buf.subarray(start, nl + 1));
      start = nl + 1;
    }
  });
  stream.on("end", () => {
    finish(null);
    handlers.onEnd?.();
  });
}

function firstBytes(parts: readonly Buffer[]): string {
  const kept: Buffer[] = [];
  let n = 0;
  for (const p of parts) {
    if (n >= END_BYTES) break;
    kept.push(p.subarray(0, END_BYTES - n));
    n += kept.at(-1)?.length ?? 0;
  }
  return Buffer.concat(kept).toString("utf8");
}

function lastBytes(kept: Buffer, piece: Buffer): Buffer {
  if (piece.length >= END_BYTES) return Buffer.from(piece.subarray(piece.length - END_BYTES));
  const joined = Buffer.concat([kept, piece]);
  return joined.length > END_BYTES ? joined.subarray(joined.length - END_BYTES) : joined;
}
