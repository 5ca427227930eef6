import { mkdir, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { atomicWriteFile } from "../platform/fs.ts";
import { type BackupRecord, readBackup } from "./backups.ts";
import type { InstallEnv } from "./types.ts";

/**
 * Giving a config file back as it was: its bytes, and also its mode (a 0600 file holding a
 * secret must not come back 0644) and, where we may set it, its owner.
 */

/**
 * Restores a file to the bytes of a backup (or removes it when it did not exist then), with the
 * mode it had and, when running as root, its owner (anyone else can only create files they own).
 */
export async function restoreBackup(env: InstallEnv, record: BackupRecord): Promise<void> {
  const bytes = await readBackup(env, record);
  if (bytes === null) {
    await rm(record.path, { force: true });
    return;
  }
  await mkdir(dirname(record.path), { recursive: true });
  const owner =
    process.geteuid?.() === 0 && record.uid != null && record.gid != null
      ? { uid: record.uid, gid: record.gid }
      : undefined;
  await atomicWriteFile(record.path, bytes, { mode: record.mode ?? undefined, owner });
}

/** After a failed write: the original bytes back (or no file, when there was none). True when it worked. */
export async function putBack(
  path: string,
  original: Uint8Array | null,
  opts: { mode: number | null; owner: { uid: number; gid: number } | undefined },
): Promise<boolean> {
  try {
    if (original === null) await rm(path, { force: true });
    else await atomicWriteFile(path, original, { mode: opts.mode ?? undefined, owner: opts.owner });
    return true;
  } catch {
    return false;
  }
}
