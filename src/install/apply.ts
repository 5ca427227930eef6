import { existsSync } from "node:fs";
import { lstat, mkdir, readFile, realpath, rm, rmdir, stat } from "node:fs/promises";
import { dirname, isAbsolute, relative } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { atomicWriteFile } from "../platform/fs.ts";
import { type BackupRecord, listBackups, readBackup, saveBackup } from "./backups.ts";
import { unifiedDiff } from "./diff.ts";
import { readEntry, removeEntry, upsertEntry } from "./edit/index.ts";
import { ConfigParseError, type EntryEdit, type InstallEnv } from "./types.ts";

/** What happened to one config file. */
export type ApplyStatus = "applied" | "unchanged" | "dry_run" | "refused" | "rolled_back";

export interface ApplyResult {
  readonly status: ApplyStatus;
  /** The file edited (its real path when the configured path is a symlink). */
  readonly path: string;
  readonly diff: string;
  readonly backup: BackupRecord | null;
  /** Why it was refused or rolled back, in words a person can act on. */
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

export interface ApplyRequest {
  readonly client: string;
  readonly path: string;
  readonly edit: EntryEdit;
  /** The shaped entry to write, or null to remove ours. */
  readonly value: unknown | null;
  readonly dryRun: boolean;
  readonly reason: string;
  readonly now: string;
  /**
   * Where a symlinked config may lead: the user's home (user scope) or the project (project
   * scope). A link out of it is refused rather than followed.
   */
  readonly root: string;
  /** Refuse when an entry with our name exists that `accept` does not recognise (unless forced). */
  readonly accept?: (existing: unknown) => boolean;
  /**
   * What a file we create starts with: the keys its client requires (Continue's `name`, `version`,
   * `schema`). Uninstall removes a file we created once only this is left in it.
   */
  readonly newFileText?: string;
}

/**
 * The write pipeline (README, "Register it with your client"): read → parse with a format-preserving parser → refuse on a
 * parse error → compute the new text and a diff → stop if unchanged → timestamped backup with
 * sha256 → temp file in the same folder, fsync, rename (mode kept: restoring writes through the
 * same path, so it keeps it too) → re-read and re-parse → on
 * any failure, restore the backup. Symlinked files are edited at their target.
 */
export async function applyEntry(env: InstallEnv, req: ApplyRequest): Promise<ApplyResult> {
  const path = await resolveTarget(req.path);
  if (path !== req.path && !(await isInside(path, req.root))) {
    return refused(
      req.path,
      `${req.path} is a symlink to ${path}, outside ${req.root}; it was left alone. Edit the target yourself, or replace the link with a file.`,
    );
  }
  let original: Buffer | null = null;
  let mode: number | null = null;
  try {
    original = await readFile(path);
    mode = (await stat(path)).mode & 0o7777;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
      return refused(path, `cannot read ${path}: ${(e as Error).message}`);
    }
  }
  if (original && !isUtf8(original)) {
    return refused(
      path,
      `${path} is not UTF-8 text; it was left untouched. Check the file, or restore it from a backup.`,
    );
  }
  const text = original ? original.toString("utf8") : "";
  const base = text.trim() === "" && req.value !== null ? (req.newFileText ?? text) : text;

  let outcome: ReturnType<typeof upsertEntry>;
  try {
    if (req.value !== null && req.accept) {
      const existing = readEntry(text, req.edit);
      if (existing !== undefined && !req.accept(existing)) {
        return refused(
          path,
          `${path} already has an entry named "${req.edit.name}" that does not run this orchestrator (${JSON.stringify(existing).slice(0, 160)}). Pass --force to replace it; a backup is kept.`,
        );
      }
    }
    outcome = req.value === null ? removeEntry(text, req.edit) : upsertEntry(base, req.edit, req.value);
  } catch (e) {
    if (e instanceof ConfigParseError) {
      return {
        ...refused(
          path,
          `line ${e.line}, column ${e.column}: ${e.message}. The file was not changed; fix it (or restore a backup) and run again.`,
        ),
        line: e.line,
        column: e.column,
      };
    }
    throw e;
  }
  if (outcome.status === "unchanged") {
    return {
      status: "unchanged",
      path,
      diff: "",
      backup: null,
      message: req.value === null ? "our entry is not there" : "already installed, nothing to change",
    };
  }
  const next = outcome.text;
  const diff = unifiedDiff(text, next, path);
  if (req.dryRun)
    return { status: "dry_run", path, diff, backup: null, message: "dry run: nothing was written" };

  const backup = await saveBackup(env, {
    client: req.client,
    path,
    bytes: original,
    mode,
    reason: req.reason,
    now: req.now,
    createdDirs: original === null ? missingDirs(dirname(path)) : [],
  });
  try {
    injectFault(env, "after-backup");
    await mkdir(dirname(path), { recursive: true });
    const creation = next === "" || next === req.newFileText ? await creationOf(env, path) : undefined;
    if (creation) {
      // Uninstall of the entry that created this file: back to "no file", as it was, and no
      // folder we made for it (`.codex/`) left behind empty.
      await rm(path, { force: true });
      await removeEmptyDirs(creation.created_dirs ?? []);
      return { status: "applied", path, diff, backup, message: "entry removed (the file was ours: removed)" };
    }
    await atomicWriteFile(path, next);
    injectFault(env, "after-write");
    const reread = await readFile(path, "utf8");
    if (reread !== next) throw new Error("the file read back differs from what was written");
    const entry = readEntry(reread, req.edit);
    const expected = req.value === null ? undefined : req.value;
    if (!isDeepStrictEqual(normalize(entry), normalize(expected))) {
      throw new Error("after writing, our entry does not read back as written");
    }
  } catch (e) {
    const restored = await restore(path, original);
    return {
      status: "rolled_back",
      path,
      diff,
      backup,
      message: `writing ${path} failed (${(e as Error).message}); ${restored ? "the original bytes were restored" : `restoring failed too: restore it from backup ${backup.id} with 'orchestrator rollback'`}.`,
    };
  }
  return {
    status: "applied",
    path,
    diff,
    backup,
    message: req.value === null ? "entry removed" : "entry written",
  };
}

/** The newest install backup of `path`, when it says the file did not exist before it. */
async function creationOf(env: InstallEnv, path: string): Promise<BackupRecord | undefined> {
  const installs = (await listBackups(env)).filter((b) => b.path === path && b.reason === "install");
  const last = installs.at(-1);
  return last?.existed === false ? last : undefined;
}

/** The folders `mkdir -p dir` would create, deepest first. */
function missingDirs(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    out.push(d);
    if (dirname(d) === d) break;
  }
  return out;
}

/** Removes folders we created, deepest first, stopping at the first that holds anything. */
async function removeEmptyDirs(dirs: readonly string[]): Promise<void> {
  for (const d of dirs) {
    try {
      await rmdir(d);
    } catch {
      return; // not empty (something else lives there now), or already gone
    }
  }
}

/** Restores a file to the bytes of a backup (or removes it when it did not exist then). */
export async function restoreBackup(env: InstallEnv, record: BackupRecord): Promise<void> {
  const bytes = await readBackup(env, record);
  if (bytes === null) {
    await rm(record.path, { force: true });
    return;
  }
  await mkdir(dirname(record.path), { recursive: true });
  await atomicWriteFile(record.path, bytes);
}

async function restore(path: string, original: Buffer | null): Promise<boolean> {
  try {
    if (original === null) await rm(path, { force: true });
    else await atomicWriteFile(path, original);
    return true;
  } catch {
    return false;
  }
}

/** Follows a symlink chain to the real file, so the link itself is never replaced by a regular file. */
async function resolveTarget(path: string): Promise<string> {
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) return await realpath(path);
  } catch {
    // missing: it will be created
  }
  return path;
}

async function isInside(path: string, root: string): Promise<boolean> {
  const realRoot = await realpath(root).catch(() => root);
  const rel = relative(realRoot, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

function refused(path: string, message: string): ApplyResult {
  return { status: "refused", path, diff: "", backup: null, message };
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** JSON round trip: what a parser gives back (drops undefined, normalises key types). */
function normalize(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

/**
 * Test hook: ORCHESTRATOR_INSTALL_FAULT=after-backup|after-write makes the pipeline fail at that
 * point, to prove the rollback (a read-only folder cannot do it when tests run as root).
 */
function injectFault(env: InstallEnv, at: "after-backup" | "after-write"): void {
  if (env.vars.ORCHESTRATOR_INSTALL_FAULT === at) throw new Error(`injected fault ${at}`);
}
