import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { z } from "zod";
import { atomicWriteFile } from "../platform/fs.ts";
import type { InstallEnv } from "./types.ts";

/** One backup: the bytes a config file had before we changed it (or that it did not exist). */
export const BackupRecordSchema = z.object({
  id: z.string(),
  client: z.string(),
  /** The file that was changed (its real path, after following symlinks). */
  path: z.string(),
  /** False when the file did not exist before; restoring then removes it. */
  existed: z.boolean(),
  /** The backup copy, relative to the backups folder; null when the file did not exist. */
  file: z.string().nullable(),
  sha256: z.string().nullable(),
  size: z.number(),
  mode: z.number().nullable(),
  reason: z.string(),
  created_at: z.string(),
  /**
   * Folders the change created for the file (deepest first), so removing a file we created also
   * removes them once empty. Absent in manifests written before it was recorded.
   */
  created_dirs: z.array(z.string()).optional(),
});
export type BackupRecord = z.infer<typeof BackupRecordSchema>;

const ManifestSchema = z.object({ version: z.literal(1), backups: z.array(BackupRecordSchema) });

/**
 * Where our own data lives for a user (not a project): the backups of client configs.
 * Linux `$XDG_DATA_HOME/orchestrator` (default ~/.local/share), macOS
 * `~/Library/Application Support/orchestrator`, Windows `%LOCALAPPDATA%\orchestrator`.
 * ORCHESTRATOR_HOME overrides it.
 */
export function userDataDir(env: InstallEnv): string {
  const override = env.vars.ORCHESTRATOR_HOME;
  if (override) return override;
  if (env.platform === "win32")
    return `${env.localAppData ?? `${env.homedir}\\AppData\\Local`}\\orchestrator`;
  if (env.platform === "darwin") return join(env.homedir, "Library", "Application Support", "orchestrator");
  return join(env.xdgDataHome ?? join(env.homedir, ".local", "share"), "orchestrator");
}

/** The backups folder and its manifest. */
export function backupsDir(env: InstallEnv): string {
  return join(userDataDir(env), "backups");
}

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** Every backup recorded, oldest first. A damaged manifest is an error, never "empty". */
export async function listBackups(env: InstallEnv): Promise<BackupRecord[]> {
  const path = join(backupsDir(env), "manifest.json");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  const parsed = ManifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(`the backup manifest ${path} is damaged: ${parsed.error.issues[0]?.message}`);
  return parsed.data.backups;
}

/**
 * Saves the current bytes of `path` (or the fact that it does not exist) before a change, with
 * its sha256 and mode, and appends the record to the manifest (written atomically).
 */
export async function saveBackup(
  env: InstallEnv,
  input: {
    client: string;
    path: string;
    bytes: Uint8Array | null;
    mode: number | null;
    reason: string;
    now: string;
    createdDirs?: readonly string[];
  },
): Promise<BackupRecord> {
  const dir = backupsDir(env);
  await mkdir(join(dir, "files"), { recursive: true, mode: 0o700 });
  const stamp = input.now.replaceAll(/[:.]/g, "-");
  const id = `${stamp}-${input.client}-${randomBytes(3).toString("hex")}`;
  let file: string | null = null;
  if (input.bytes) {
    file = join("files", `${id}-${basename(input.path)}`);
    await writeFile(join(dir, file), input.bytes, { mode: 0o600 });
    // The copy must be on disk, checked, before the original is touched.
    const back = await readFile(join(dir, file));
    if (sha256(back) !== sha256(input.bytes))
      throw new Error(`backup copy ${file} does not match the original`);
  }
  const record: BackupRecord = {
    id,
    client: input.client,
    path: input.path,
    existed: input.bytes !== null,
    file,
    sha256: input.bytes ? sha256(input.bytes) : null,
    size: input.bytes?.length ?? 0,
    mode: input.mode,
    reason: input.reason,
    created_at: input.now,
    ...(input.createdDirs && input.createdDirs.length > 0 ? { created_dirs: [...input.createdDirs] } : {}),
  };
  await withManifestLock(dir, async () => {
    const all = await listBackups(env);
    all.push(record);
    await atomicWriteFile(
      join(dir, "manifest.json"),
      `${JSON.stringify({ version: 1, backups: all }, null, 2)}\n`,
    );
  });
  return record;
}

/**
 * Two installs at once (two terminals, a script) must not drop each other's manifest records:
 * the read-append-write runs under a lock folder (mkdir is atomic everywhere) that names its
 * owner's pid. A lock whose owner is gone (killed mid-install) is taken over at once; one with
 * no owner file is taken over after LOCK_STALE_MS.
 */
/** The owner file is written microseconds after the folder: a lock without one this old is dead. */
const LOCK_STALE_MS = 2_000;
async function withManifestLock<T>(dir: string, body: () => Promise<T>): Promise<T> {
  const lock = join(dir, "manifest.lock");
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, "owner"), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (await lockIsStale(lock)) await rm(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) {
        throw new Error(
          `the backup manifest in ${dir} is locked by another install; try again, or remove ${lock} if no install is running`,
        );
      } else await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
    }
  }
  try {
    return await body();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function lockIsStale(lock: string): Promise<boolean> {
  const owner = Number(await readFile(join(lock, "owner"), "utf8").catch(() => ""));
  if (Number.isInteger(owner) && owner > 0) {
    try {
      process.kill(owner, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "ESRCH";
    }
  }
  const age = await stat(lock).then(
    (s) => Date.now() - s.mtimeMs,
    () => 0,
  );
  return age > LOCK_STALE_MS;
}

/** The saved bytes of a backup, checked against its sha256; null when the file did not exist. */
export async function readBackup(env: InstallEnv, record: BackupRecord): Promise<Uint8Array | null> {
  if (!record.existed || !record.file) return null;
  const bytes = await readFile(join(backupsDir(env), record.file));
  if (sha256(bytes) !== record.sha256) {
    throw new Error(`backup ${record.id} is damaged: its checksum no longer matches (${record.file})`);
  }
  return bytes;
}

/** Checks every backup copy against its checksum. */
export async function verifyBackups(
  env: InstallEnv,
): Promise<{ record: BackupRecord; ok: boolean; problem?: string }[]> {
  const out = [];
  for (const record of await listBackups(env)) {
    try {
      if (record.existed && record.file) {
        await stat(join(backupsDir(env), record.file));
        await readBackup(env, record);
      }
      out.push({ record, ok: true });
    } catch (e) {
      out.push({ record, ok: false, problem: (e as Error).message });
    }
  }
  return out;
}
