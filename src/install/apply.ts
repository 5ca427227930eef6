import { existsSync, type Stats } from "node:fs";
import { mkdir, readFile, rm, rmdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { atomicWriteFile, sha256 } from "../platform/fs.ts";
import type { InstallFault } from "../platform/test-hooks.ts";
import { type BackupRecord, backupsDir, listBackups, saveBackup } from "./backups.ts";
import { unifiedDiff } from "./diff.ts";
import { finishDocument, holdsNoData } from "./edit/document.ts";
import { readEntry, removeEntry, upsertEntry } from "./edit/index.ts";
import { putBack } from "./restore.ts";
import { isInside, isLexicallyInside, keptOwner, realTarget, refuseToWrite } from "./target.ts";
import { ConfigParseError, type EntryEdit, type InstallEnv } from "./types.ts";

export { restoreBackup } from "./restore.ts";

/** What happened to one config file. */
export type ApplyStatus = "applied" | "unchanged" | "dry_run" | "refused" | "rolled_back";

export interface ApplyResult {
  readonly status: ApplyStatus;
  /** The file edited (its real path when the configured path goes through symlinks). */
  readonly path: string;
  readonly diff: string;
  readonly backup: BackupRecord | null;
  /** Why it was refused or rolled back, in words a person can act on. */
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  /** Something the user should know that did not stop the change (a damaged manifest moved aside). */
  readonly warning?: string;
}

export interface ApplyRequest {
  readonly client: string;
  readonly path: string;
  readonly edit: EntryEdit;
  /** The shaped entry to write, or null to remove ours. */
  readonly value: unknown | null;
  /**
   * The entry to write computed from the one in the file (undefined when there is none), read
   * from the same bytes the edit applies to: what a re-install keeps (its env, its --db).
   * Replaces `value` when given.
   */
  readonly valueFrom?: (existing: unknown) => unknown;
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
  /** --force: also edit a read-only file (its mode is kept). */
  readonly force?: boolean;
  /**
   * What a file we create starts with: the keys its client requires (Continue's `name`, `version`,
   * `schema`). Uninstall removes a file we created once only this is left in it.
   */
  readonly newFileText?: string;
}

/**
 * The write pipeline (README, "Register it with your client"): follow symlinks (file and folders)
 * to the real file, refusing one that leads out of `root` → read → parse with a format-preserving
 * parser → refuse on a parse error or a foreign entry → compute the new text, check it parses as
 * its format, and a diff → stop if unchanged → refuse a read-only file (unless forced), one owned
 * by another user, or a folder we cannot write → timestamped backup with sha256, mode and owner →
 * temp file in the same folder, fsync, rename (mode kept, owner kept when root) → re-read and
 * re-parse → on any failure, put the original bytes back.
 */
export async function applyEntry(env: InstallEnv, req: ApplyRequest): Promise<ApplyResult> {
  let path: string;
  try {
    path = await realTarget(req.path);
  } catch (e) {
    return refused(req.path, `cannot follow ${req.path}: ${(e as Error).message}; it was left alone.`);
  }
  if (path !== req.path && isLexicallyInside(req.path, req.root) && !(await isInside(path, req.root))) {
    return refused(
      req.path,
      `${req.path} leads through a symlink to ${path}, outside ${req.root}; it was left alone. Edit the target yourself, or replace the link with a real file or folder.`,
    );
  }
  let original: Buffer | null = null;
  let info: Stats | null = null;
  try {
    original = await readFile(path);
    info = await stat(path);
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
  const removing = req.value === null;
  // A file with no data (empty, or only comments) is one the client reads as absent: it starts
  // like a new file, with the keys the client requires (Continue's name, version, schema),
  // after the comments it holds.
  const base =
    !removing && req.newFileText && holdsNoData(text, req.edit.format)
      ? text.trim() === ""
        ? req.newFileText
        : `${text.endsWith("\n") ? text : `${text}\n`}${req.newFileText}`
      : text;

  let outcome: ReturnType<typeof upsertEntry>;
  let value: unknown = req.value;
  try {
    if (req.accept) {
      const existing = readEntry(text, req.edit);
      if (existing !== undefined && !req.accept(existing)) {
        return refused(
          path,
          `${path} has an entry named "${req.edit.name}" that does not run this orchestrator (${JSON.stringify(existing).slice(0, 160)}): it is not ours. Pass --force to ${removing ? "remove" : "replace"} it; a backup is kept.`,
        );
      }
    }
    if (req.valueFrom && !removing) value = req.valueFrom(readEntry(text, req.edit));
    outcome = removing ? removeEntry(text, req.edit) : upsertEntry(base, req.edit, value);
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
      message: removing ? "our entry is not there" : "already installed, nothing to change",
    };
  }
  // Uninstall after install gives back what was there before, exactly: no file when install
  // created it, the same bytes when they match (even an empty or comments-only file). Any other
  // result must parse as its format with a map at the root (finishDocument).
  const before = removing ? await lastInstallBackup(env, path) : undefined;
  const emptied = outcome.text.trim() === "" || outcome.text === req.newFileText;
  const removeFile = emptied && before?.existed === false;
  const asBefore = before?.existed === true && before.sha256 === sha256(outcome.text);
  let next: string;
  try {
    next = removeFile ? "" : asBefore ? outcome.text : finishDocument(outcome.text, req.edit.format);
  } catch (e) {
    return refused(path, `${(e as Error).message}; nothing was written. Please report this as a bug.`);
  }
  const diff = unifiedDiff(text, next, path);
  if (req.dryRun)
    return { status: "dry_run", path, diff, backup: null, message: "dry run: nothing was written" };

  const blocked = await refuseToWrite(path, info, req.force === true);
  if (blocked) return refused(path, blocked);

  const mode = info ? info.mode & 0o7777 : null;
  const owner = keptOwner(info);
  let saved: Awaited<ReturnType<typeof saveBackup>>;
  try {
    saved = await saveBackup(env, {
      client: req.client,
      path,
      bytes: original,
      mode,
      uid: info?.uid ?? null,
      gid: info?.gid ?? null,
      reason: req.reason,
      now: req.now,
      createdDirs: original === null ? missingDirs(dirname(path)) : [],
    });
  } catch (e) {
    // No backup, no change: the config is not touched.
    return refused(
      path,
      `cannot save a backup in ${backupsDir(env)} (${(e as Error).message}); ${path} was not changed. Make that folder writable for you, or point ORCHESTRATOR_HOME at one that is.`,
    );
  }
  const backup = saved.record;
  const warning = saved.warning ? { warning: saved.warning } : {};
  // Until the rename (or removal) succeeds the file is untouched: a failure then is reported as
  // itself, with nothing to restore (a restore would only fail again for the same reason).
  let changed = false;
  try {
    injectFault(env, "after-backup");
    if (removeFile) {
      // Uninstall of the entry that created this file: back to "no file", as it was, and no
      // folder we made for it (`.codex/`) left behind empty.
      await rm(path, { force: true });
      changed = true;
      await removeEmptyDirs(before?.created_dirs ?? []);
      return {
        status: "applied",
        path,
        diff,
        backup,
        message: "entry removed (the file was ours: removed)",
        ...warning,
      };
    }
    await mkdir(dirname(path), { recursive: true });
    await atomicWriteFile(path, next, { owner });
    changed = true;
    injectFault(env, "after-write");
    const reread = await readFile(path, "utf8");
    if (reread !== next) throw new Error("the file read back differs from what was written");
    const entry = readEntry(reread, req.edit);
    const expected = removing ? undefined : value;
    if (!isDeepStrictEqual(normalize(entry), normalize(expected))) {
      throw new Error("after writing, our entry does not read back as written");
    }
  } catch (e) {
    const why = `writing ${path} failed (${(e as Error).message})`;
    if (!changed) {
      return {
        status: "rolled_back",
        path,
        diff,
        backup,
        message: `${why}; the file was not changed.`,
        ...warning,
      };
    }
    const restored = await putBack(path, original, { mode, owner });
    return {
      status: "rolled_back",
      path,
      diff,
      backup,
      message: `${why}; ${restored ? "the original bytes were restored" : `restoring failed too: restore it from backup ${backup.id} with 'orchestrator rollback'`}.`,
      ...warning,
    };
  }
  return {
    status: "applied",
    path,
    diff,
    backup,
    message: removing ? "entry removed" : "entry written",
    ...warning,
  };
}

/** The newest install backup of `path`: what the file was before we first wrote it. */
async function lastInstallBackup(env: InstallEnv, path: string): Promise<BackupRecord | undefined> {
  // A damaged manifest cannot say: then the file is kept (as `{}` if emptied), safe either way.
  const all = await listBackups(env).catch(() => []);
  return all.filter((b) => b.path === path && b.reason === "install").at(-1);
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

/** The test-only fault `env.installFault` asks for (platform/test-hooks.ts), to prove the rollback. */
function injectFault(env: InstallEnv, at: InstallFault): void {
  if (env.installFault === at) throw new Error(`injected fault ${at}`);
}
