import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from "node:fs";
import { basename, isAbsolute, join, resolve, sep } from "node:path";
import { parseGitRemotes, remotesInOrder } from "../core/git-config.ts";
import { folderProjectId, normaliseRemoteUrl, type ProjectIdentity } from "../core/project-id.ts";
import type { SettingsLoader } from "./settings.ts";

/*
 * The workspace's project id (core/project-id.ts has the rule). The git part reads the
 * repository's own files, which a cloned repository controls: only regular files, bounded
 * sizes, opened without blocking (a FIFO named `config` cannot hang us), a `gitdir:`/`commondir`
 * followed only into a git folder, no `include`, no git process.
 */

/** Largest .git/config read; a real one is a few KiB. */
const MAX_CONFIG_BYTES = 256 * 1024;
/** Largest `.git` file or `commondir` read (one path). */
const MAX_POINTER_BYTES = 4096;

/** Resolves each workspace's identity, again only when its settings file or git config changes. */
export interface ProjectResolver {
  /**
   * Throws SETTINGS_INVALID when the settings file is broken or its `project:` is invalid.
   * `settings`: the call's snapshot of the settings file (SettingsLoader.snapshot), instead of the resolver's loader.
   */
  resolve(workspace: string, settings?: SettingsLoader): ProjectIdentity;
}

export function createProjectResolver(settings: SettingsLoader | undefined): ProjectResolver {
  const cache = new Map<string, { signature: string; identity: ProjectIdentity }>();
  return {
    resolve(workspace: string, pinned?: SettingsLoader): ProjectIdentity {
      const fromSettings = (pinned ?? settings)?.project(workspace);
      if (fromSettings !== undefined) return { id: fromSettings, source: "settings" };
      const config = gitConfigPath(workspace);
      const signature = config ? fileSignature(config) : "none";
      const hit = cache.get(workspace);
      if (hit && hit.signature === signature) return hit.identity;
      const remote = config ? remoteId(config) : undefined;
      const identity: ProjectIdentity = remote
        ? { id: remote, source: "git-remote" }
        : { id: folderProjectId(basename(workspace)), source: "folder" };
      cache.set(workspace, { signature, identity });
      return identity;
    },
  };
}

/** The identity of one workspace, read now (the CLI's commands and doctor). */
export function readProjectIdentity(
  workspace: string,
  settings: SettingsLoader | undefined,
): ProjectIdentity {
  return createProjectResolver(settings).resolve(workspace);
}

/**
 * The config file of the workspace's own repository (never a parent's: two projects in one
 * monorepo must not share an id). `.git` is a folder, or a file `gitdir: <path>` (worktrees,
 * submodules) whose target must be a git folder; a worktree's `commondir` names the main one.
 */
export function gitConfigPath(workspace: string): string | undefined {
  const dotGit = join(workspace, ".git");
  const st = lstatOrUndefined(dotGit);
  if (!st) return undefined;
  if (st.isDirectory()) return join(dotGit, "config");
  if (!st.isFile()) return undefined;
  const pointer = readBounded(dotGit, MAX_POINTER_BYTES);
  const m = pointer === undefined ? null : /^gitdir:[ \t]*(.+?)[ \t]*\r?\n?$/.exec(pointer);
  const gitdir = m?.[1] ? gitFolder(workspace, m[1]) : undefined;
  if (!gitdir) return undefined;
  const common = readBounded(join(gitdir, "commondir"), MAX_POINTER_BYTES)?.trim();
  const main = common ? gitFolder(gitdir, common) : gitdir;
  return main ? join(main, "config") : undefined;
}

/** `target` resolved from `base`, when it is a folder inside a `.git` folder (or one itself). */
function gitFolder(base: string, target: string): string | undefined {
  if (target.includes("\0")) return undefined;
  const p = isAbsolute(target) ? resolve(target) : resolve(base, target);
  const inGit = p.endsWith(`${sep}.git`) || p.includes(`${sep}.git${sep}`) || p.endsWith(".git");
  if (!inGit) return undefined;
  return lstatOrUndefined(p)?.isDirectory() ? p : undefined;
}

function remoteId(config: string): string | undefined {
  const text = readBounded(config, MAX_CONFIG_BYTES);
  if (text === undefined || text.includes("\0")) return undefined;
  for (const r of remotesInOrder(parseGitRemotes(text))) {
    const id = normaliseRemoteUrl(r.url);
    if (id) return id;
  }
  return undefined;
}

function fileSignature(file: string): string {
  const st = lstatOrUndefined(file);
  return st ? `${st.ino}:${st.size}:${st.mtimeMs}` : "none";
}

function lstatOrUndefined(p: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/** A regular file's text when it is at most `max` bytes; undefined for anything else. */
function readBounded(file: string, max: number): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0));
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > max) return undefined;
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < buf.length) {
      const r = readSync(fd, buf, n, buf.length - n, n);
      if (r === 0) break;
      n += r;
    }
    return buf.subarray(0, n).toString("utf8");
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
