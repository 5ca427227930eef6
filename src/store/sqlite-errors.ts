import { OrchestratorError } from "../core/errors.ts";
import { databaseWriteBlockers } from "../platform/permissions.ts";

/**
 * SQLite's result codes as both bindings word them (sqlite3_errstr), so the check works for
 * bun:sqlite and node:sqlite alike.
 */
const FULL = /database or disk is full|SQLITE_FULL/i;
const READ_ONLY = /readonly database|SQLITE_READONLY/i;
const CANT_OPEN = /unable to open database file|SQLITE_CANTOPEN/i;
const NO_TRANSACTION = /no transaction is active/i;

/**
 * The named error for a SQLite failure on the database at `path` that a user can act on: a full
 * disk (DISK_FULL) or files this process cannot write (STORE_READ_ONLY, naming the file, its mode
 * and owner, and the command that fixes it). Undefined for every other failure, which callers
 * report as they did.
 */
export function storeErrorOf(e: unknown, path: string): OrchestratorError | undefined {
  if (e instanceof OrchestratorError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (FULL.test(message)) {
    return new OrchestratorError(
      "DISK_FULL",
      `The disk holding ${path} is full (${message}); nothing of this call was stored. Free space there (df -h on that folder), then call again.`,
      { cause: e, data: { path } },
    );
  }
  if (READ_ONLY.test(message)) return readOnlyError(path, message, e);
  if (CANT_OPEN.test(message) && databaseWriteBlockers(path).length > 0)
    return readOnlyError(path, message, e);
  return undefined;
}

/** STORE_READ_ONLY for `path`, naming the first file or folder that blocks writing, when one does. */
export function readOnlyError(path: string, message: string, cause?: unknown): OrchestratorError {
  const blockers = databaseWriteBlockers(path);
  const first = blockers[0];
  const detail = first
    ? `${first.path} is not writable (${first.reason}). Fix: ${blockers.map((b) => b.fix).join("; ")}`
    : `${message}. Check that you can write ${path}, its -wal and -shm files and their folder`;
  return new OrchestratorError("STORE_READ_ONLY", `The database ${path} cannot be written: ${detail}.`, {
    cause,
    data: {
      path,
      files: blockers.map((b) => ({ path: b.path, kind: b.kind, mode: b.mode, owner_uid: b.ownerUid })),
    },
  });
}

/** True for the error SQLite gives when a rollback or commit finds that SQLite already rolled back. */
export function isNoTransactionError(e: unknown): boolean {
  return NO_TRANSACTION.test(e instanceof Error ? e.message : String(e));
}
