import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { hasPinned, npmInstallInto } from "../../scripts/_npm-install.ts";

export interface PinnedClient {
  /** Our client id in src/install/clients.ts. */
  readonly id: "claude-code" | "gemini-cli" | "codex" | "opencode" | "continue" | "qwen-code";
  readonly pkg: string;
  readonly version: string;
  /** The command the package puts in node_modules/.bin. */
  readonly bin: string;
}

export const PINNED: readonly PinnedClient[] = [
  { id: "claude-code", pkg: "@anthropic-ai/claude-code", version: "2.1.197", bin: "claude" },
  { id: "gemini-cli", pkg: "@google/gemini-cli", version: "0.61.0", bin: "gemini" },
  { id: "codex", pkg: "@openai/codex", version: "0.171.0", bin: "codex" },
  { id: "opencode", pkg: "opencode-ai", version: "1.18.33", bin: "opencode" },
  { id: "continue", pkg: "@continuedev/cli", version: "1.5.47", bin: "cn" },
  { id: "qwen-code", pkg: "@qwen-code/qwen-code", version: "0.15.10", bin: "qwen" },
];

/** Stable across runs and outside the clone, so a fresh checkout (or CI with a cache) reuses it. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.ORCHESTRATOR_CLIENTS_CACHE || join(env.HOME || homedir(), ".cache", "orchestrator-real-clients");
}

export function clientDir(c: PinnedClient, root = cacheRoot()): string {
  return join(root, `${c.pkg.replace(/^@/, "").replace("/", "__")}@${c.version}`);
}

export function binPath(c: PinnedClient, root = cacheRoot()): string {
  return join(clientDir(c, root), "node_modules", ".bin", c.bin);
}

/** Installed means the package's own package.json says the pinned version and its bin exists. */
export function isInstalled(c: PinnedClient, root = cacheRoot()): boolean {
  return hasPinned(clientDir(c, root), c.pkg, c.version) && existsSync(binPath(c, root));
}

export interface InstallOutcome {
  readonly client: PinnedClient;
  readonly status: "cached" | "installed" | "failed";
  readonly seconds: number;
  readonly error?: string;
}

/**
 * Installs a pinned client unless the cache has it. npm writes into a temp folder that is renamed
 * into place only when the install succeeded, so an interrupted run never leaves a half-installed
 * client that a later run would take for a cached one.
 */
export function ensureInstalled(c: PinnedClient, root = cacheRoot(), timeoutMs = 900_000): InstallOutcome {
  if (isInstalled(c, root)) return { client: c, status: "cached", seconds: 0 };
  const t0 = performance.now();
  const dir = clientDir(c, root);
  const installed = npmInstallInto(dir, [`${c.pkg}@${c.version}`], { timeoutMs });
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  if (!installed.ok) return { client: c, status: "failed", seconds, error: installed.error };
  if (!isInstalled(c, root)) {
    return { client: c, status: "failed", seconds, error: `installed, but ${binPath(c, root)} is missing` };
  }
  return { client: c, status: "installed", seconds };
}
