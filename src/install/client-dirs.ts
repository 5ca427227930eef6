import { posix, win32 } from "node:path";
import type { InstallEnv } from "./types.ts";

/**
 * Where each client keeps its files on the target platform (InstallEnv's, not the one we run on):
 * the per-OS folders the client table (clients.ts) builds its paths from.
 */

/** Path functions for the target platform: Windows paths on win32, POSIX elsewhere. */
export function paths(env: InstallEnv) {
  const p = env.platform === "win32" ? win32 : posix;
  const home = env.homedir;
  const appData = env.appData ?? p.join(home, "AppData", "Roaming");
  const localAppData = env.localAppData ?? p.join(home, "AppData", "Local");
  // XDG_CONFIG_HOME applies on Linux; the clients below that use ~/.config on macOS ignore it.
  const xdgConfig = (env.platform === "linux" && env.xdgConfigHome) || p.join(home, ".config");
  return { join: p.join, home, appData, localAppData, xdgConfig };
}

/** VS Code's user folder (Cline and Roo Code keep their settings under it). */
export function vscodeUserDir(env: InstallEnv): string {
  const { join, home, appData, xdgConfig } = paths(env);
  if (env.platform === "darwin") return join(home, "Library", "Application Support", "Code", "User");
  if (env.platform === "win32") return join(appData, "Code", "User");
  return join(xdgConfig, "Code", "User");
}

export function claudeDesktopDir(env: InstallEnv): string {
  const { join, home, appData, xdgConfig } = paths(env);
  if (env.platform === "darwin") return join(home, "Library", "Application Support", "Claude");
  if (env.platform === "win32") return join(appData, "Claude");
  return join(xdgConfig, "Claude"); // no official Linux build; community builds use this
}

/**
 * Claude Desktop's config files, in the order we prefer them. The Microsoft Store (MSIX) build
 * reads a virtualised copy under LocalAppData\Packages; editing %APPDATA% would not reach it.
 */
export function claudeDesktopCandidates(env: InstallEnv): string[] {
  const { join, localAppData } = paths(env);
  const file = "claude_desktop_config.json";
  const classic = join(claudeDesktopDir(env), file);
  if (env.platform !== "win32") return [classic];
  return [
    classic,
    join(localAppData, "Packages", "Claude_pzs8sxrjxfjjc", "LocalCache", "Roaming", "Claude", file),
  ];
}

export function zedDir(env: InstallEnv): string {
  const { join, home, appData, xdgConfig } = paths(env);
  if (env.platform === "win32") return join(appData, "Zed");
  if (env.platform === "darwin") return join(home, ".config", "zed");
  return join(env.vars.FLATPAK_XDG_CONFIG_HOME || xdgConfig, "zed");
}

export function gooseDir(env: InstallEnv): string {
  const { join, appData, xdgConfig } = paths(env);
  if (env.vars.GOOSE_CONFIG_DIR) return env.vars.GOOSE_CONFIG_DIR;
  if (env.platform === "win32") return join(appData, "Block", "goose", "config");
  return join(xdgConfig, "goose");
}

export function opencodeDir(env: InstallEnv): string {
  const { join, home, xdgConfig } = paths(env);
  return env.platform === "linux" ? join(xdgConfig, "opencode") : join(home, ".config", "opencode");
}

export function codexDir(env: InstallEnv): string {
  return env.vars.CODEX_HOME || paths(env).join(env.homedir, ".codex");
}

export function claudeCodeFile(env: InstallEnv): string {
  const { join, home } = paths(env);
  return env.vars.CLAUDE_CONFIG_DIR
    ? join(env.vars.CLAUDE_CONFIG_DIR, ".claude.json")
    : join(home, ".claude.json");
}

export const in_ =
  (...parts: string[]) =>
  (env: InstallEnv): string =>
    paths(env).join(env.homedir, ...parts);
