import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { replaceFileSync, writeErrorOf, writeNewFileSync } from "../platform/fs.ts";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "./layout.ts";

/**
 * Copies up to this size are written on the main thread (local-copies.ts runs them in short
 * slices); larger ones take the asynchronous temp file + rename on the thread pool, where their
 * bytes do not hold up answers and a kill mid-write never leaves a short file under the name.
 */
export const SYNC_COPY_MAX_BYTES = 64 * 1024;

/**
 * Writes an artifact's local copy at `abs` (a path that passed the data-folder wall just before),
 * owner-only, synchronously. The common case is the first copy into a task's folder: that folder
 * is created here, so no file can be in it yet and the copy is created under its own name with
 * O_EXCL (mkdir, open, write, close), without the temp file's fchmod and rename or a thread-pool
 * hand-off per call (each an eventfd write and a futex wake between threads). What that gives up:
 * a reader that opens the new name during the one write() may see it empty or short, and a kill
 * in that moment leaves it so (validate_structure reports the copy as changed and repair writes
 * it again; a power cut could always tear a copy, which is never fsynced). There is no old copy to
 * mix with. A folder that existed (an earlier copy, another process) may hold the file, so there
 * the copy replaces it by temp file + rename as before: readers see the old copy or the new one.
 * Failures are the named errors of atomicWriteFile (DISK_FULL, FILE_NOT_WRITABLE).
 */
export function writeCopySync(abs: string, bytes: Uint8Array): void {
  try {
    if (createdFolder(dirname(abs))) {
      try {
        writeNewFileSync(abs, bytes, PRIVATE_FILE_MODE);
        return;
      } catch (e) {
        // Someone else's file appeared in our new folder: replace it as in any existing folder.
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
    }
    replaceFileSync(abs, bytes, PRIVATE_FILE_MODE);
  } catch (e) {
    throw writeErrorOf(e, abs);
  }
}

/**
 * Creates the task folder `dir`: true when this call created it (so it is empty), false when it
 * existed. Its plan folder is created only when the first mkdir says it is missing, so a plan's
 * later copies cost one mkdir each.
 */
function createdFolder(dir: string): boolean {
  try {
    mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code !== "ENOENT") throw e;
  }
  mkdirSync(dirname(dir), { recursive: true, mode: PRIVATE_DIR_MODE });
  try {
    mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}
