import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  openSync,
  realpathSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { mkdir, open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { OrchestratorError } from "../core/errors.ts";
import { writeBlocker } from "./permissions.ts";

/** The real path of `p` (symlinks resolved), or `p` itself when it does not exist or cannot be read. */
export function safeReal(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** sha256 of `data` as lower-case hex. */
export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Writes `data` to `path` atomically (see writeAtomically). A full disk or quota becomes DISK_FULL
 * and a missing permission or read-only filesystem FILE_NOT_WRITABLE, each naming the file: errors
 * the user can act on, where a raw ENOSPC read like a bug.
 */
export async function atomicWriteFile(
  path: string,
  data: string | Uint8Array,
  opts: WriteOptions = {},
): Promise<void> {
  try {
    await writeAtomically(path, data, opts);
  } catch (e) {
    throw writeErrorOf(e, path);
  }
}

/** The named error for a failed file write, or `e` itself when it is not one a user can fix. */
export function writeErrorOf(e: unknown, path: string): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOSPC" || code === "EDQUOT") {
    return new OrchestratorError(
      "DISK_FULL",
      `Cannot write ${path}: the disk (or your quota) is full (${code}). Free space there (df -h ${dirname(path)}), then try again.`,
      { cause: e, data: { path } },
    );
  }
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
    const blocker = writeBlocker(nearestExisting(path));
    const why = blocker
      ? `${blocker.path} is not writable (${blocker.reason}); fix: ${blocker.fix}`
      : (e as Error).message;
    return new OrchestratorError("FILE_NOT_WRITABLE", `Cannot write ${path}: ${why}.`, {
      cause: e,
      data: { path },
    });
  }
  return e;
}

export interface WriteOptions {
  readonly mode?: number | undefined;
  /** The mode of a file this write creates; an existing target keeps its own (unlike `mode`). */
  readonly createMode?: number | undefined;
  readonly dirMode?: number | undefined;
  readonly owner?: { uid: number; gid: number } | undefined;
  /**
   * false: skip both fsyncs, for a copy of data kept durably elsewhere (an artifact's local copy;
   * the store holds its text). Readers still never see a mix; a crash may lose or tear the copy.
   */
  readonly durable?: boolean | undefined;
}

/** `path`, or its nearest ancestor that exists: where a write that failed was refused. */
function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/**
 * Writes `data` to `path` so that readers see the old file or the new one, never a mix: a temp
 * file in the same folder, fsync, rename over the target, fsync the folder. Keeps the target's
 * mode when it exists (or takes `opts.mode`; a new file gets `opts.createMode`); creates missing parent folders with `opts.dirMode`
 * (default 0777 less the umask). Asynchronous, so a
 * server keeps answering other requests while the disk works (creating a file costs ~0.7 ms on
 * the machines measured). `opts.owner` gives the new file that uid/gid before it replaces the old
 * one (a rename otherwise hands it to whoever runs us; only root may give files away).
 */
async function writeAtomically(path: string, data: string | Uint8Array, opts: WriteOptions): Promise<void> {
  const dir = dirname(path);
  const tmp = tempNameOf(path);
  // The mode to keep exactly: the one asked for, else the target's own, else the one to create with.
  const exact =
    opts.mode ??
    (await stat(path).then(
      (s) => s.mode & 0o7777,
      () => opts.createMode ?? null,
    ));
  const mode = exact ?? 0o644;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(tmp, "w", mode);
  } catch (e) {
    // Creating folders only when the open says they are missing keeps the common case to one call.
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    await mkdir(dir, { recursive: true, ...(opts.dirMode === undefined ? {} : { mode: opts.dirMode }) });
    handle = await open(tmp, "w", mode);
  }
  try {
    // open()'s mode passes through the umask; a kept mode must come out exactly.
    if (exact !== null && !openKeepsMode(exact)) await handle.chmod(exact);
    if (opts.owner && process.platform !== "win32") await handle.chown(opts.owner.uid, opts.owner.gid);
    await handle.writeFile(data);
    if (opts.durable !== false) await handle.sync();
  } catch (e) {
    await handle.close().catch(() => {});
    await unlinkQuietly(tmp);
    throw e;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlinkQuietly(tmp);
    throw e;
  }
  if (opts.durable !== false) await fsyncDir(dir);
}

/**
 * Creates `path` with `mode` and writes `data`, failing with EEXIST when it exists: for a file in
 * a folder that the caller has just created, where no reader can know the name yet and there is
 * no old content to keep (three calls, against a temp file's five: no fchmod, no rename). Unlike
 * writeAtomically a reader racing the write may see the file empty or short, and a kill
 * mid-write leaves it so; only for copies of data kept elsewhere. Synchronous: a small file's
 * calls cost less on the calling thread than a thread-pool hand-off each. A failed write removes
 * the file it created.
 */
export function writeNewFileSync(path: string, data: Uint8Array, mode: number): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    if (!openKeepsMode(mode)) fchmodSync(fd, mode);
    writeAllSync(fd, data);
  } catch (e) {
    closeSync(fd);
    unlinkSyncQuietly(path);
    throw e;
  }
  closeSync(fd);
}

/**
 * writeAtomically's temp file + rename, synchronous and never fsynced: for a small copy of data
 * kept durably elsewhere (an artifact's local copy) into a folder that exists. Readers see the
 * old file or the new one; a crash may lose or tear the copy. The file gets exactly `mode`.
 */
export function replaceFileSync(path: string, data: Uint8Array, mode: number): void {
  const tmp = tempNameOf(path);
  writeNewFileSync(tmp, data, mode);
  try {
    renameSync(tmp, path);
  } catch (e) {
    unlinkSyncQuietly(tmp);
    throw e;
  }
}

function writeAllSync(fd: number, data: Uint8Array): void {
  for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at);
}

function unlinkSyncQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone, or never there: nothing to clean.
  }
}

/** The temp file next to `path` that an atomic write renames over it (validate_structure knows the pattern). */
function tempNameOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/** The process's umask, read once (reading it sets it twice); the orchestrator never changes it. */
let umask: number | undefined;

/**
 * True when a file opened with `mode` gets exactly `mode`: the umask cuts none of its bits and it
 * has no setuid/setgid/sticky bit (which creation may drop). Then the fchmod after the open, a
 * call per write, can go; 0600 under any usual umask (022, 002, 077).
 */
function openKeepsMode(mode: number): boolean {
  if (process.platform === "win32") return true;
  umask ??= process.umask();
  return (mode & ~0o777) === 0 && (mode & umask) === 0;
}

/** fsyncs a directory so a rename in it survives a crash (a no-op where the OS refuses). */
export async function fsyncDir(dir: string): Promise<void> {
  try {
    const h = await open(dir, "r");
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Windows cannot open directories; rename durability there is the filesystem's.
  }
}

/** Deletes a file, ignoring a missing one. */
export async function unlinkQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => {});
}

/** Random lower-case hex, for ids. */
export function randomHex(n: number): string {
  return randomBytes(Math.ceil(n / 2))
    .toString("hex")
    .slice(0, n);
}
