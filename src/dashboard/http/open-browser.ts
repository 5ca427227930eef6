import { spawn } from "node:child_process";
import type { Env } from "../../platform/env.ts";

/**
 * Opens `url` in the user's browser without waiting for it: `open` on macOS, the URL handler on
 * Windows, `xdg-open` elsewhere when there is a display. Returns why it did not try (no display),
 * or undefined; a failure to start the opener is only reported through `onFailure`, never thrown.
 */
export function openBrowser(env: Env, url: string, onFailure: (why: string) => void): string | undefined {
  let command: string;
  let args: string[];
  if (env.platform === "darwin") {
    command = "open";
    args = [url];
  } else if (env.platform === "win32") {
    // Not `cmd /c start`: cmd would read the URL's characters as its own syntax.
    command = "rundll32";
    args = ["url.dll,FileProtocolHandler", url];
  } else {
    if (!env.vars.DISPLAY && !env.vars.WAYLAND_DISPLAY) return "no display";
    command = "xdg-open";
    args = [url];
  }
  try {
    const child = spawn(command, args, { detached: true, stdio: "ignore" });
    child.once("error", (e) => onFailure(`${command}: ${e.message}`));
    child.once("exit", (code) => {
      if (code !== 0 && code !== null) onFailure(`${command} exited with ${code}`);
    });
    child.unref();
  } catch (e) {
    onFailure(`${command}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return undefined;
}
