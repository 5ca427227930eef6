import { existsSync, lstatSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { DATA_DIR } from "../core/artifact.ts";
import { OrchestratorError } from "../core/errors.ts";
import { ROLES_SEED_YAML } from "../core/roles/builtin.ts";
import { writeErrorOf } from "../platform/fs.ts";
import { type DataDirLook, type EntryKind, entryKind, kindOf } from "./data-dir-look.ts";

/** `<workspace>/.task_orchestrator`. */
export function dataDir(workspace: string): string {
  return join(workspace, DATA_DIR);
}

/**
 * The database for a workspace: `--db` when given, else `<workspace>/.task_orchestrator/orchestrator.db`
 * through the data-folder wall, so a repository cannot plant `.task_orchestrator` or
 * `orchestrator.db` as a symlink and have the server migrate and write a database elsewhere
 * (PATH_OUTSIDE_DATA_DIR). `--db` is the user's own choice and is taken as given. `look`: the
 * call's look at the data folder, whose `lstat`s the wall does not take again.
 */
export function databasePath(
  workspace: string,
  sharedDb: string | undefined,
  look?: DataDirLook | undefined,
): string {
  if (sharedDb !== undefined) return sharedDb;
  return look ? dataPathSeen(look, "orchestrator.db") : dataPath(workspace, "orchestrator.db");
}

/**
 * Creates `.task_orchestrator/` and `artifacts/` with mode 0700: plans and agents' output are not
 * for other local users. Folders that exist keep their mode (doctor warns when it is looser).
 * Throws WORKSPACE_NOT_WRITABLE (or DISK_FULL) when it cannot.
 */
export function ensureDataDir(workspace: string): void {
  // mkdir follows a symlinked `.task_orchestrator`: refuse one that leads out first.
  dataPath(workspace, "artifacts");
  try {
    mkdirSync(join(dataDir(workspace), "artifacts"), { recursive: true, mode: DATA_DIR_MODE });
  } catch (cause) {
    const full = (cause as NodeJS.ErrnoException).code === "ENOSPC";
    throw new OrchestratorError(
      full ? "DISK_FULL" : "WORKSPACE_NOT_WRITABLE",
      `Cannot create ${dataDir(workspace)}: ${(cause as Error).message}. ${full ? "Free space on that disk." : "Check the folder's permissions."}`,
      { cause, data: { workspace } },
    );
  }
}

/** The mode of the folders the orchestrator creates: owner only. */
export const DATA_DIR_MODE = 0o700;

/** Creates `roles/` with a commented example file when it does not exist yet. Returns true if it did. */
export function seedRolesDir(workspace: string): boolean {
  const dir = join(dataDir(workspace), "roles");
  if (existsSync(dir)) return false;
  // Not there, or a link that points nowhere (mkdir would fail with EEXIST, or create its
  // target): refused through the wall like every other write under the data folder.
  const file = dataPath(workspace, "roles", "custom_roles.yaml");
  try {
    mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
    writeFileSync(file, ROLES_SEED_YAML, { flag: "wx" });
  } catch (e) {
    throw writeErrorOf(e, file);
  }
  return true;
}

/** Modes of what the orchestrator writes under the data folder: agents' output is the owner's alone. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/**
 * The one way to build a path under `<workspace>/.task_orchestrator/` (artifact files, plan and
 * task folders, deletes, documents, repairs). Joins `segments`, then refuses with
 * PATH_OUTSIDE_DATA_DIR anything that does not stay strictly inside the data folder: lexically
 * (`..`, absolute segments) and on disk (the real path of the longest existing prefix, so a
 * symlinked or dangling-symlink subfolder cannot lead out either). The ids that name these
 * segments are validated already; this wall holds whatever an id or a row says.
 */
export function dataPath(workspace: string, ...segments: string[]): string {
  return pathOrThrow(workspace, segments, checkDataPath(workspace, ...segments));
}

/**
 * dataPath through a look at the data folder (data-dir-look.ts): the folder's `lstat` is the
 * look's, and an entry right inside it that the folder proves unchanged is not looked at again.
 * The same wall: what the look does not prove is looked at now, and any doubt goes to the full checks.
 */
export function dataPathSeen(look: DataDirLook, ...segments: string[]): string {
  return pathOrThrow(look.workspace, segments, checkPath(look.workspace, segments, look));
}

function pathOrThrow(workspace: string, segments: string[], r: Checked): string {
  if ("path" in r) return r.path;
  throw new OrchestratorError(
    "PATH_OUTSIDE_DATA_DIR",
    `Refused ${JSON.stringify(segments.join("/"))}: ${r.problem}. Nothing was read, written or deleted there. ${r.problem.includes("symlink") ? "Replace the symlink with a real folder or file." : "Run orchestrator_maintenance_coordinator with action validate_structure to find the row at fault."}`,
    { data: { workspace, segments, problem: r.problem } },
  );
}

/**
 * dataPath for a stored workspace-relative path (`.task_orchestrator/...`, as artifact rows hold);
 * with a `look` at the workspace's data folder, through it as dataPathSeen.
 */
export function storedDataPath(workspace: string, stored: string, look?: DataDirLook): string {
  const r = checkStoredDataPath(workspace, stored, look?.workspace === workspace ? look : undefined);
  if ("path" in r) return r.path;
  throw new OrchestratorError(
    "PATH_OUTSIDE_DATA_DIR",
    `Refused the stored path ${JSON.stringify(stored)}: ${r.problem}. Nothing was read, written or deleted there. Run orchestrator_maintenance_coordinator with action validate_structure to find the row at fault.`,
    { data: { workspace, path: stored, problem: r.problem } },
  );
}

type Checked = { path: string } | { problem: string };

/** The checks of storedDataPath without throwing. */
export function checkStoredDataPath(workspace: string, stored: string, look?: DataDirLook): Checked {
  const [first, ...rest] = stored.split("/");
  if (first !== DATA_DIR || rest.length === 0) return { problem: `it is not under ${DATA_DIR}/` };
  return checkPath(workspace, rest, look);
}

/** The checks of dataPath without throwing: the path, or why it is refused (for validate_structure). */
export function checkDataPath(workspace: string, ...segments: string[]): Checked {
  return checkPath(workspace, segments, undefined);
}

function checkPath(workspace: string, segments: readonly string[], look: DataDirLook | undefined): Checked {
  if (segments.some((s) => s.includes("\\") || s.includes("\0"))) {
    return { problem: "it holds a backslash or a NUL" };
  }
  const root = resolve(dataDir(workspace));
  const target = resolve(root, ...segments);
  if (!strictlyInside(root, target)) return { problem: `it resolves to ${target}, outside ${root}` };
  if (noLinkOnTheWay(root, relative(root, target).split(sep), look)) return { path: target };
  const realRoot = realOfExistingPrefix(root);
  const realTarget = realOfExistingPrefix(target);
  if (realRoot === null || realTarget === null) {
    return { problem: "a folder on the way is a symlink that points nowhere" };
  }
  // The data folder itself must be a real folder of the workspace: a `.task_orchestrator` that a
  // repository ships as a symlink (to `..`, to another project, to the home folder) would carry
  // every write and delete there.
  const realWorkspace = realOfExistingPrefix(resolve(workspace));
  if (realWorkspace !== null && realRoot !== join(realWorkspace, DATA_DIR)) {
    return {
      problem: `${DATA_DIR} is a symlink to ${realRoot}; the data folder must be a real folder inside the workspace`,
    };
  }
  if (!strictlyInside(realRoot, realTarget)) {
    return { problem: `through a symlink it resolves to ${realTarget}, outside ${realRoot}` };
  }
  return { path: target };
}

/**
 * True when nothing from the data folder down to `root/parts` is a symlink: each entry that
 * exists is a real folder (the last one may be a file) and the first one missing ends the walk
 * (nothing below it exists). Then the path is on disk where it is lexically, inside the data
 * folder, and the data folder is a real folder of the workspace: what the realpath checks below
 * establish, with one lstat per existing entry (2 for the database, 3–5 for an artifact) instead
 * of a realpath (open O_PATH + readlink) of the data folder, the target's existing prefix and the
 * workspace, plus an open and a stat per missing entry. Nothing is cached between checks, so a
 * folder swapped for a symlink mid-session is seen by the next one. False (a symlink, a file on
 * the way, an error other than ENOENT) leaves the decision to the full checks, which allow a
 * symlink that stays inside and say why one is refused. With a `look` (the call's, at the data
 * folder), the folder's `lstat` is the look's and the first entry's may be known unchanged
 * since it was last taken (data-dir-look.ts): the same facts, fewer syscalls.
 */
function noLinkOnTheWay(root: string, parts: readonly string[], look: DataDirLook | undefined): boolean {
  let cur = root;
  for (let i = -1; i < parts.length; i++) {
    if (i >= 0) cur = join(cur, parts[i] as string);
    let kind: EntryKind;
    if (look && i === -1) kind = look.kind;
    else if (look && i === 0) kind = entryKind(look, parts[0] as string);
    else {
      try {
        kind = kindOf(lstatSync(cur, { throwIfNoEntry: false }));
      } catch {
        kind = "error";
      }
    }
    if (kind === "absent") return true;
    if (kind === "link" || kind === "error") return false;
    if (kind !== "dir" && i < parts.length - 1) return false;
  }
  return true;
}

function strictlyInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * The real path of `p`: the longest prefix that exists, symlinks resolved, plus the rest. Null
 * when a component is a dangling symlink (writing through it would create its target elsewhere).
 */
function realOfExistingPrefix(p: string): string | null {
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return join(realpathSync(cur), ...rest.reverse());
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") return join(cur, ...rest.reverse());
      try {
        if (lstatSync(cur).isSymbolicLink()) return null;
      } catch {
        // Truly missing: look at the parent.
      }
      const parent = dirname(cur);
      if (parent === cur) return join(cur, ...rest.reverse());
      rest.push(basename(cur));
      cur = parent;
    }
  }
}
