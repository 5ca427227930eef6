import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname } from "node:path";

/** A file or folder this process needs to write but cannot, with what to run about it. */
export interface WriteBlocker {
  readonly path: string;
  readonly kind: "file" | "folder";
  /** Permission bits, e.g. "0444". */
  readonly mode: string;
  readonly ownerUid: number | undefined;
  /** Why, in words: "mode 0444 (owner uid 65534, you are 1000)" or "read-only filesystem". */
  readonly reason: string;
  /** One command that lifts it. */
  readonly fix: string;
}

/**
 * The files SQLite writes for a database in WAL mode (the file, its -wal and -shm, and the folder
 * when it has to create one of them) that this process cannot write. Asked with access(2), which
 * sees what the kernel will allow (ACLs and read-only mounts included), not just mode bits; for
 * root it reports only read-only mounts, which is also what root meets.
 */
export function databaseWriteBlockers(dbPath: string): WriteBlocker[] {
  const folder = dirname(dbPath);
  const files = [dbPath, `${dbPath}-wal`, `${dbPath}-shm`];
  const out: WriteBlocker[] = [];
  // A shared database may sit in a folder only its files are writable in; that works as long as
  // SQLite need not create any of them.
  if (existsSync(folder) && files.some((p) => !existsSync(p))) {
    const b = writeBlocker(folder);
    if (b) out.push(b);
  }
  for (const p of files) {
    const b = existsSync(p) ? writeBlocker(p) : undefined;
    if (b) out.push(b);
  }
  return out;
}

/** Why `path` cannot be written by this process, or undefined when it can. */
export function writeBlocker(path: string): WriteBlocker | undefined {
  let code: string | undefined;
  try {
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (e) {
    code = (e as NodeJS.ErrnoException).code;
  }
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(path);
  } catch {
    return undefined; // gone meanwhile: nothing blocks
  }
  const kind = info.isDirectory() ? "folder" : "file";
  const mode = `0${(info.mode & 0o777).toString(8)}`;
  const me = process.getuid?.();
  const quoted = shellQuote(path);
  if (code === "EROFS") {
    return {
      path,
      kind,
      mode,
      ownerUid: info.uid,
      reason: "it is on a read-only filesystem",
      fix: `remount the filesystem read-write, or keep the data elsewhere with serve --db PATH`,
    };
  }
  const foreign = me !== undefined && info.uid !== me;
  return {
    path,
    kind,
    mode,
    ownerUid: info.uid,
    reason: foreign
      ? `mode ${mode}, owned by uid ${info.uid} while you are uid ${me}`
      : `mode ${mode}: no write permission for you, its owner`,
    fix: foreign ? `sudo chown ${me} ${quoted}` : `chmod u+w ${quoted}`,
  };
}

/** Files and folders of ours that other local users may read (group or other bits set). */
export function looseModes(
  paths: readonly { path: string; want: number }[],
): { path: string; mode: string; want: string }[] {
  const out: { path: string; mode: string; want: string }[] = [];
  for (const { path, want } of paths) {
    if (process.platform === "win32" || !existsSync(path)) continue;
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) out.push({ path, mode: `0${mode.toString(8)}`, want: `0${want.toString(8)}` });
  }
  return out;
}

/** `path` quoted for a POSIX shell when it needs it. */
export function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}
