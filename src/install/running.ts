import { spawnSync } from "node:child_process";
import type { Platform } from "./types.ts";

/**
 * Whether a program with one of `names` is running (best effort: null when it cannot tell).
 * Used to warn that Claude Desktop rewrites its config file while it runs.
 */
export function isRunning(platform: Platform, names: readonly string[]): boolean | null {
  const r =
    platform === "win32"
      ? spawnSync("tasklist", ["/fo", "csv", "/nh"], { encoding: "utf8", timeout: 3000 })
      : spawnSync("ps", ["-A", "-o", "comm="], { encoding: "utf8", timeout: 3000 });
  if (r.status !== 0 || typeof r.stdout !== "string") return null;
  const running = r.stdout
    .split(/\r?\n/)
    .map((l) => l.replaceAll('"', "").split(",")[0]!.trim().split("/").pop()!.toLowerCase())
    .filter(Boolean);
  const wanted = names.map((n) => n.toLowerCase());
  return running.some((p) => wanted.includes(p) || wanted.includes(p.replace(/\.exe$/, "")));
}
