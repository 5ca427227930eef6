import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { replaceFileSync, writeErrorOf } from "../platform/fs.ts";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "./layout.ts";

/**
 * Copies up to this size are written on the main thread (local-copies.ts runs them in short
 * slices); larger ones take the asynchronous temp file + rename on the thread pool, where their
 * bytes do not hold up answers and a kill mid-write never leaves a short file under the name.
 */
export const SYNC_COPY_MAX_BYTES = 64 * 1024;

/**
 * Writes an artifact's local copy at `abs` (a path that passed the data-folder wall just before),
 * owner-only, synchronously: a temp file beside it, renamed over the name, so a reader sees the
 * old copy or the new one and a kill leaves no short file under the name (never fsynced: the
 * store holds the text). Synchronous calls on the main thread, in local-copies.ts's short
 * slices, rather than the thread pool's hand-off per call (each an eventfd write and a futex
 * wake between threads). Creating the copy under its own name in a folder this call created would
 * save the rename, but a kill during its write() would leave it short: measured, the rename is
 * 0.5 syscalls per call, not worth that (docs/performance.md, fourth round).
 * Failures are the named errors of atomicWriteFile (DISK_FULL, FILE_NOT_WRITABLE).
 */
export function writeCopySync(abs: string, bytes: Uint8Array): void {
  try {
    ensureFolder(dirname(abs));
    replaceFileSync(abs, bytes, PRIVATE_FILE_MODE);
  } catch (e) {
    throw writeErrorOf(e, abs);
  }
}

/**
 * Makes sure of the task folder `dir` with one mkdir; its plan folder is created only when that
 * mkdir says it is missing, so a plan's later copies cost one mkdir each.
 */
function ensureFolder(dir: string): void {
  try {
    mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    if (code !== "ENOENT") throw e;
  }
  mkdirSync(dirname(dir), { recursive: true, mode: PRIVATE_DIR_MODE });
  try {
    mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
}
