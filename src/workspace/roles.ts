import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { DATA_DIR } from "../core/artifact.ts";
import { mergeRoles } from "../core/roles/merge.ts";
import type { Role, RoleFileEntry } from "../core/roles/role.ts";
import { type DataDirLook, entryKind } from "./data-dir-look.ts";
import { checkRoleFile, type RoleFileError } from "./role-file-check.ts";

export type { RoleFileError } from "./role-file-check.ts";

/** The roles in effect for a workspace, the role files found (in load order) and their problems. */
export interface RolesSnapshot {
  readonly roles: ReadonlyMap<string, Role>;
  readonly files: readonly string[];
  readonly errors: readonly RoleFileError[];
}

/** Loads a workspace's roles, re-reading the role files only when their names, sizes or mtimes change. */
export interface RoleLoader {
  /**
   * `dataDir`: the call's look at the data folder, which can tell that there is still no roles
   * folder without trying to open it (data-dir-look.ts).
   */
  load(workspace: string, dataDir?: DataDirLook): RolesSnapshot;
}

/** The roles folder relative to the workspace, with forward slashes for messages. */
const ROLES_DIR = `${DATA_DIR}/roles`;

const ROLE_FILE_PATTERN = /\.ya?ml$/i;

/** Creates a loader with its own per-workspace cache. */
export function createRoleLoader(): RoleLoader {
  const cache = new Map<string, { signature: string; snapshot: RolesSnapshot }>();
  return {
    load(workspace: string, dataDir?: DataDirLook): RolesSnapshot {
      const root = resolve(workspace);
      const scan = scanRolesDir(root, dataDir);
      const hit = cache.get(root);
      if (hit !== undefined && hit.signature === scan.signature) return hit.snapshot;
      const snapshot = buildSnapshot(root, scan);
      cache.set(root, { signature: scan.signature, snapshot });
      return snapshot;
    },
  };
}

interface DirScan {
  readonly signature: string;
  readonly names: readonly string[];
  readonly dirError: RoleFileError | null;
}

const NO_ROLES_DIR: DirScan = { signature: "", names: [], dirError: null };

/** Lists the role files (sorted by name) and builds the cache signature from their names, sizes and mtimes. */
function scanRolesDir(root: string, dataDir: DataDirLook | undefined): DirScan {
  const dir = join(root, DATA_DIR, "roles");
  if (dataDir?.kind === "absent" || dataDir?.known("roles") === "absent") return NO_ROLES_DIR;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? "unknown error";
    if (code === "ENOENT" || code === "ENOTDIR") {
      // Its lstat says whether nothing is there (known absent from then on) or a dangling link,
      // whose target may appear without the data folder changing.
      if (dataDir && code === "ENOENT") entryKind(dataDir, "roles");
      return NO_ROLES_DIR;
    }
    return {
      signature: `!${code}`,
      names: [],
      dirError: {
        file: ROLES_DIR,
        line: null,
        column: null,
        message: `${ROLES_DIR}: cannot read the roles folder (${code}); expected a readable folder of *.yaml files. Only the built-in roles are used.`,
      },
    };
  }
  const names: string[] = [];
  const parts: string[] = [];
  for (const name of entries.filter((n) => ROLE_FILE_PATTERN.test(n)).sort()) {
    try {
      const st = statSync(join(dir, name));
      if (!st.isFile()) continue;
      names.push(name);
      parts.push(`${name}\t${st.size}\t${st.mtimeMs}`);
    } catch {
      // Vanished between readdir and stat, or a dangling link (e.g. an editor lock file): not a role file.
    }
  }
  return { signature: parts.join("\n"), names, dirError: null };
}

/** Reads, checks and merges every listed role file; a file with any error contributes no roles. */
function buildSnapshot(root: string, scan: DirScan): RolesSnapshot {
  const files: string[] = [];
  const errors: RoleFileError[] = scan.dirError === null ? [] : [scan.dirError];
  const valid: Record<string, RoleFileEntry>[] = [];
  for (const name of scan.names) {
    const file = `${ROLES_DIR}/${name}`;
    files.push(file);
    let text: string;
    try {
      text = readFileSync(join(root, DATA_DIR, "roles", name), "utf8");
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? "unknown error";
      errors.push({
        file,
        line: null,
        column: null,
        message: `${file}: cannot read the file (${code}); expected a readable YAML file. Its roles are not loaded.`,
      });
      continue;
    }
    const checked = checkRoleFile(file, text);
    if (checked.errors.length > 0) errors.push(...checked.errors);
    else valid.push(checked.entries);
  }
  return {
    roles: mergeRoles(valid),
    files: Object.freeze(files),
    errors: Object.freeze(errors),
  };
}
