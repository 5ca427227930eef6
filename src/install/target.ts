import { constants, type Stats } from "node:fs";
import { access, lstat, readlink, realpath, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";

/**
 * Where a config write really lands, and whether we may write there. A client's config path can
 * pass through symlinks anywhere (the file, its folder, a parent): the file written is the end of
 * the chain, and a link must stay a link, so the target is written, never the link replaced.
 */

/** Symlink hops followed before giving up, as the kernel does (ELOOP). */
const MAX_HOPS = 40;

/**
 * The path a write to `path` would really change: every symlink resolved, in the folders and in
 * the file, including a dangling link (its target, which the write creates). Missing parts are
 * kept as named under the deepest folder that exists.
 */
export async function realTarget(path: string, hops = 0): Promise<string> {
  if (hops > MAX_HOPS) throw new Error(`${path}: too many levels of symbolic links`);
  let isLink: boolean;
  try {
    isLink = (await lstat(path)).isSymbolicLink();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    const parent = dirname(path);
    if (parent === path) return path;
    return join(await realTarget(parent, hops), basename(path));
  }
  if (isLink) return realTarget(resolve(dirname(path), await readlink(path)), hops + 1);
  return realpath(path);
}

/** True when `path` lies strictly inside `root` (both compared by their real paths). */
export async function isInside(path: string, root: string): Promise<boolean> {
  const realRoot = await realpath(root).catch(() => root);
  const rel = relative(realRoot, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/** True when `path`, as written (no symlinks followed), lies inside `root`. */
export function isLexicallyInside(path: string, root: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/**
 * Why this process could not replace `path` (an atomic write needs to create a file in its folder,
 * or the folders missing above it), or null. Checked before anything is backed up or written, so
 * a permission problem is reported as itself, not as a failed write and a failed restore.
 */
async function writeBlocker(path: string): Promise<string | null> {
  let dir = dirname(path);
  for (;;) {
    try {
      if (!(await stat(dir)).isDirectory()) return `${dir} is not a folder`;
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT")
        return `cannot read ${dir}: ${(e as Error).message}`;
      const up = dirname(dir);
      if (up === dir) return null;
      dir = up;
    }
  }
  try {
    await access(dir, constants.W_OK | constants.X_OK);
    return null;
  } catch {
    return `permission denied on the folder ${dir}`;
  }
}

/**
 * Why the file must not be replaced, or null: a read-only file says "do not write me" (--force
 * overrides, keeping its mode); a file owned by someone else would become ours through the
 * rename, which only root can avoid; a folder we cannot write fails before anything changes.
 */
export async function refuseToWrite(
  path: string,
  info: Stats | null,
  force: boolean,
): Promise<string | null> {
  if (info && (info.mode & 0o200) === 0 && !force) {
    return `${path} is read-only (mode ${(info.mode & 0o777).toString(8).padStart(4, "0")}); it was left alone. Pass --force to edit it anyway (it stays read-only), or make it writable first ('chmod u+w ${path}').`;
  }
  const euid = process.geteuid?.();
  if (info && euid !== undefined && euid !== 0 && info.uid !== euid) {
    return `${path} belongs to another user (uid ${info.uid}); replacing it would make it yours (uid ${euid}), so it was left alone. Run this as that user, or take the file over first ('sudo chown ${euid} ${path}').`;
  }
  const blocker = await writeBlocker(path);
  return blocker
    ? `cannot write ${path}: ${blocker}; nothing was changed. Make the folder writable for you (or run as its owner) and run again.`
    : null;
}

/** Root keeps a file's owner across the rename; anyone else can only write files they own. */
export function keptOwner(info: Stats | null): { uid: number; gid: number } | undefined {
  return info && process.geteuid?.() === 0 ? { uid: info.uid, gid: info.gid } : undefined;
}
