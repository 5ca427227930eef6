import { existsSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { OrchestratorError } from "../core/errors.ts";
import { safeReal } from "../platform/fs.ts";
import { systemFolderOf } from "./system-folders.ts";

/** Which rule picked the workspace (first match wins, in this order). */
export type WorkspaceSource = "argument" | "session" | "server" | "client_roots" | "project_marker";

export interface ResolvedWorkspace {
  readonly path: string;
  readonly source: WorkspaceSource;
}

/** What a call can offer, highest priority first; `roots` is asked lazily since it costs a round trip. */
export interface WorkspaceCandidates {
  readonly argument?: string | undefined;
  readonly session?: string | undefined;
  readonly server?: string | undefined;
  readonly roots?: (() => Promise<string | undefined>) | undefined;
  readonly cwd: string;
  readonly homedir: string;
  /** Finds the project above cwd; defaults to findProjectRoot (callers may cache it). */
  readonly projectRoot?: () => string | undefined;
}

/** Folders or files that mark a project root, looked for above the process's directory. */
export const PROJECT_MARKERS = [
  ".task_orchestrator",
  ".git",
  "package.json",
  "pyproject.toml",
  "Cargo.toml",
  "go.mod",
  "deno.json",
  "pom.xml",
  "build.gradle",
  "composer.json",
  "Gemfile",
] as const;

/**
 * Resolves the workspace for one call (docs/guides/concepts.md): argument → session → server flag/env →
 * client roots → project markers above cwd. Explicit choices must exist and may not be the
 * filesystem root or the home folder; when nothing fits, the error asks for working_directory.
 */
export async function resolveWorkspace(c: WorkspaceCandidates): Promise<ResolvedWorkspace> {
  if (c.argument)
    return {
      path: checkDirectory(c.argument, "working_directory", { ...c, absoluteOnly: true }),
      source: "argument",
    };
  if (c.session) return { path: c.session, source: "session" };
  if (c.server)
    return { path: checkDirectory(c.server, "--workspace / ORCHESTRATOR_WORKSPACE", c), source: "server" };
  if (c.roots) {
    const root = await c.roots().catch(() => undefined);
    if (root) {
      try {
        return { path: checkDirectory(root, "the client's root", c), source: "client_roots" };
      } catch {
        // a root that is not a usable folder falls through to the next rule
      }
    }
  }
  const found = c.projectRoot ? c.projectRoot() : findProjectRoot(c.cwd, c.homedir);
  if (found) return { path: found, source: "project_marker" };
  throw new OrchestratorError(
    "WORKSPACE_UNRESOLVED",
    `No workspace: the server runs in ${c.cwd}, which is not inside a project, and the call named none. Pass working_directory (the absolute path of the project folder) to orchestrator_initialize_session once, or to this call.`,
    { data: { cwd: c.cwd } },
  );
}

/**
 * Checks that `input` is an existing, allowed directory and returns its real absolute path.
 * `absoluteOnly` refuses relative paths (a tool argument: the server's directory is not the
 * client's, so "." would name some other folder); CLI flags resolve them against cwd.
 */
export function checkDirectory(
  input: string,
  what: string,
  c: { cwd: string; homedir: string; absoluteOnly?: boolean },
): string {
  const raw = input.startsWith("file://") ? fileUrlPath(input, what) : input;
  if (!isAbsolute(raw) && c.absoluteOnly) {
    throw new OrchestratorError(
      "INVALID_INPUT",
      `${what} ${JSON.stringify(input)} is a relative path; pass the absolute path of the project folder (e.g. /home/me/project).`,
      { data: { path: input } },
    );
  }
  const abs = isAbsolute(raw) ? raw : resolve(c.cwd, raw);
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    throw new OrchestratorError(
      "WORKSPACE_NOT_FOUND",
      `${what} ${input} does not exist; pass the absolute path of an existing project folder.`,
      {
        data: { path: input },
      },
    );
  }
  if (!statSync(real).isDirectory()) {
    throw new OrchestratorError(
      "WORKSPACE_NOT_FOUND",
      `${what} ${input} is a file, not a folder; pass the project's folder.`,
      {
        data: { path: input },
      },
    );
  }
  if (isForbidden(real, c.homedir)) {
    throw new OrchestratorError(
      "WORKSPACE_FORBIDDEN",
      `${what} ${input} is ${real === safeReal(c.homedir) ? "your home folder" : "the filesystem root"}; the orchestrator keeps its data inside a project, so pass the project's own folder.`,
      { data: { path: real } },
    );
  }
  const system = systemFolderOf(real);
  if (system !== undefined) {
    throw new OrchestratorError(
      "WORKSPACE_FORBIDDEN",
      `${what} ${input} is ${real === system ? "" : `inside ${system}, `}an operating-system folder, not a project; pass the project's own folder.`,
      { data: { path: real, system_folder: system } },
    );
  }
  return real;
}

/** The path of a file:// URI, or INVALID_INPUT saying what is wrong with it. */
function fileUrlPath(input: string, what: string): string {
  try {
    return fileURLToPath(input);
  } catch (e) {
    throw new OrchestratorError(
      "INVALID_INPUT",
      `${what} ${JSON.stringify(input)} is not a valid file:// URI (${(e as Error).message}); pass the folder's absolute path, or a URI like file:///home/me/project with %-escapes only as %XX.`,
      { data: { path: input } },
    );
  }
}

function isForbidden(real: string, home: string): boolean {
  return dirname(real) === real || real === safeReal(home);
}

/**
 * The project folder containing `start`: the nearest folder that already has orchestrator data,
 * else the git root, else the nearest folder with a project marker. Never the home folder or `/`.
 */
export function findProjectRoot(start: string, home: string): string | undefined {
  const homeReal = safeReal(home);
  let nearestMarker: string | undefined;
  let gitRoot: string | undefined;
  let dir = safeReal(start);
  for (;;) {
    if (dir === homeReal || dirname(dir) === dir) break;
    // A system folder is never a project, whatever it holds: anyone can create
    // /tmp/.task_orchestrator or /var/tmp/.git, and every project below would then share it.
    if (systemFolderOf(dir) === undefined) {
      const data = join(dir, ".task_orchestrator");
      // Above the project's own root, only a data folder of this user's counts (another user's,
      // in a shared folder, would receive this user's plans).
      if (existsSync(data) && (!(gitRoot ?? nearestMarker) || ownedByMe(data))) return dir;
      if (!gitRoot && existsSync(join(dir, ".git"))) gitRoot = dir;
      if (!nearestMarker && PROJECT_MARKERS.some((m) => existsSync(join(dir, m)))) nearestMarker = dir;
    }
    dir = dirname(dir);
  }
  return gitRoot ?? nearestMarker;
}

/** True when `path` belongs to the user running this process (always on Windows). */
function ownedByMe(path: string): boolean {
  if (typeof process.getuid !== "function") return true;
  try {
    return statSync(path).uid === process.getuid();
  } catch {
    return false;
  }
}
