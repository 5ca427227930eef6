import { lstatSync, type Stats, statSync } from "node:fs";
import { join } from "node:path";
import { DATA_DIR } from "../core/artifact.ts";

/** What a path was when looked at: a symlink counts as `link`, whatever it points to. */
export type EntryKind = "absent" | "dir" | "link" | "other" | "error";

/**
 * One `lstat` of `<workspace>/.task_orchestrator`, and what it proves about the entries right
 * inside it. An entry (`orchestrator.db`, `settings.yaml`, `roles`, `artifacts`) can only appear,
 * go or change kind (become a symlink) by an unlink, create or rename in the data folder, which
 * moves the folder's mtime and ctime. So while the folder is the same one (inode) with the same
 * times as when an entry was last looked at, the entry is still what it was, and one `lstat` of the folder
 * answers for the `lstat`s (or failed opens) of all of them: the database's wall, the absence of
 * settings.yaml and of the roles folder. A file edited in place is not seen this way (its folder
 * does not change), so this records only kinds, never contents.
 */
export interface DataDirLook {
  readonly workspace: string;
  /** The data folder itself. */
  readonly kind: EntryKind;
  /**
   * An entry's kind as last recorded, while the folder provably has not changed since; undefined
   * when it must be looked at.
   */
  known(name: string): EntryKind | undefined;
  /** Records an entry's kind, found by an `lstat` made after this look. */
  record(name: string, kind: EntryKind): void;
}

/**
 * How long ago the data folder must have last changed before its ctime is trusted. Timestamps
 * come from a coarse clock (a kernel tick; whole seconds on some file systems): a change made in
 * the same tick as the last one can leave the ctime as it was (git's "racily clean" files). A
 * folder changed this long before the look can only get a later ctime from any further change.
 */
export const SETTLED_MS = 2_000;

/** The entries recorded per data folder, with the folder's identity they hold for. */
export interface DataDirMemo {
  readonly folders: Map<string, { readonly key: string; readonly entries: Map<string, EntryKind> }>;
}

export function createDataDirMemo(): DataDirMemo {
  return { folders: new Map() };
}

/** Beyond this many workspaces the memo starts over (a server serving many folders over HTTP). */
const MAX_FOLDERS = 256;

/** Looks at the workspace's data folder now: one `lstat`. `now`: ms since the epoch (Date.now). */
export function lookAtDataDir(memo: DataDirMemo, workspace: string, now: number): DataDirLook {
  const dir = join(workspace, DATA_DIR);
  let st: Stats | undefined;
  let kind: EntryKind;
  try {
    st = lstatSync(dir, { throwIfNoEntry: false });
    kind = kindOf(st);
  } catch {
    kind = "error";
  }
  // Only a real folder that settled before this look vouches for its entries. The mtime too:
  // it is what every system moves when an entry is made, removed or renamed in a folder.
  const settled = st !== undefined && Math.max(st.ctimeMs, st.mtimeMs) <= now - SETTLED_MS;
  const key = st && kind === "dir" && settled ? `${st.ino}:${st.ctimeMs}:${st.mtimeMs}` : undefined;
  return {
    workspace,
    kind,
    known(name) {
      if (key === undefined) return undefined;
      const folder = memo.folders.get(dir);
      return folder?.key === key ? folder.entries.get(name) : undefined;
    },
    record(name, entry) {
      if (key === undefined || entry === "error") return;
      let folder = memo.folders.get(dir);
      if (folder?.key !== key) {
        if (!folder && memo.folders.size >= MAX_FOLDERS) memo.folders.clear();
        folder = { key, entries: new Map() };
        memo.folders.set(dir, folder);
      }
      folder.entries.set(name, entry);
    },
  };
}

/** The kind of an `lstat` result (undefined: nothing there). */
export function kindOf(st: Stats | undefined): EntryKind {
  if (st === undefined) return "absent";
  if (st.isSymbolicLink()) return "link";
  return st.isDirectory() ? "dir" : "other";
}

/** `lstat` of an entry of the data folder through the look: recorded, or looked at and recorded. */
export function entryKind(look: DataDirLook, name: string): EntryKind {
  const known = look.known(name);
  if (known !== undefined) return known;
  let kind: EntryKind;
  try {
    kind = kindOf(lstatSync(join(look.workspace, DATA_DIR, name), { throwIfNoEntry: false }));
  } catch {
    kind = "error";
  }
  look.record(name, kind);
  return kind;
}

/**
 * True when the look's workspace is a folder (a stat follows a link, as the workspace's own
 * check does). Anything found inside it proves it; nothing there (a fresh workspace, or one
 * removed since) needs a stat of its own.
 */
export function isWorkspaceFolder(look: DataDirLook): boolean {
  if (look.kind === "dir" || look.kind === "link" || look.kind === "other") return true;
  try {
    return statSync(look.workspace, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}
