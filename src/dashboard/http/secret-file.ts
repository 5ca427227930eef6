import { randomBytes } from "node:crypto";
import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { isAbsolute, join } from "node:path";
import type { Env } from "../../platform/env.ts";

/** 32 random bytes, base64url: 43 characters. */
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/**
 * This user's state folder for orchestrator: $XDG_STATE_HOME/orchestrator (an absolute one, as the
 * XDG spec says), else ~/.local/state/orchestrator; macOS ~/Library/Application Support/orchestrator;
 * Windows %LOCALAPPDATA%\orchestrator.
 */
export function stateDir(env: Env): string {
  if (env.platform === "darwin") return join(env.homedir, "Library", "Application Support", "orchestrator");
  if (env.platform === "win32") {
    return join(env.vars.LOCALAPPDATA || join(env.homedir, "AppData", "Local"), "orchestrator");
  }
  const xdg = env.vars.XDG_STATE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(env.homedir, ".local", "state"), "orchestrator");
}

export interface UiSecret {
  readonly secret: string;
  readonly file: string;
  /** Why a new secret was made (first run, --new-secret, a file others could read), or null when reused. */
  readonly renewed: string | null;
}

/**
 * The `ui` secret, kept across restarts so an open tab's cookie and its reconnecting event stream
 * keep working when `ui` is started again. The file must be a regular file of this user that no
 * one else can read; anything else (a symlink, a looser mode, another owner, garbage) is replaced
 * by a new secret, since the old one may have been read. `rotate` (--new-secret) always replaces.
 */
export function loadUiSecret(env: Env, rotate: boolean): UiSecret {
  const dir = stateDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, "ui-secret");
  const problem = rotate ? "--new-secret" : check(file, env.platform);
  if (problem === null) {
    const text = readFileSync(file, "utf8").trim();
    if (SECRET.test(text)) return { secret: text, file, renewed: null };
  }
  const secret = randomBytes(32).toString("base64url");
  // Written beside it with 0600 from the start and renamed over it: never readable by others,
  // never half written.
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, "wx", 0o600);
  try {
    writeSync(fd, `${secret}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    unlinkSync(file);
  } catch {
    // Not there.
  }
  renameSync(tmp, file);
  return { secret, file, renewed: problem ?? "the stored secret was not one" };
}

/** Why `file` cannot be trusted as it is, or null. */
function check(file: string, platform: NodeJS.Platform): string | null {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(file);
  } catch {
    return "first run";
  }
  if (!st.isFile()) return `${file} is not a regular file`;
  // Windows has no mode bits to read; the folder is the user's own profile folder.
  if (platform === "win32") return null;
  if ((st.mode & 0o077) !== 0)
    return `${file} could be read by other users (mode ${(st.mode & 0o777).toString(8)})`;
  if (typeof process.getuid === "function" && st.uid !== process.getuid())
    return `${file} belongs to another user`;
  return null;
}
