import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

/**
 * `npm install` of pinned packages into `dir`, for the tools the test scripts fetch once and cache
 * (the real-client CLIs, the conformance suite and its Node). npm writes into a temp folder that
 * is renamed into place only when the install succeeded, so an interrupted run never leaves a
 * half-installed folder that a later run would take for a cached one. Returns why it failed.
 */
export function npmInstallInto(
  dir: string,
  packages: readonly string[],
  opts: { readonly timeoutMs?: number; readonly echo?: boolean } = {},
): { ok: true } | { ok: false; error: string } {
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const r = spawnSync(
    "npm",
    ["install", "--prefix", tmp, "--no-audit", "--no-fund", "--no-save", "--loglevel=error", ...packages],
    {
      encoding: "utf8",
      stdio: ["ignore", opts.echo ? "inherit" : "pipe", opts.echo ? "inherit" : "pipe"],
      timeout: opts.timeoutMs ?? 900_000,
      env: { ...process.env, npm_config_update_notifier: "false" },
    },
  );
  if (r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    const out = `${r.stderr ?? ""}${r.stdout ?? ""}`.trim();
    return {
      ok: false,
      error: r.error ? r.error.message : out.split("\n").slice(-5).join("\n") || `npm exited ${r.status}`,
    };
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { ok: true };
}

/** Whether `dir`'s node_modules holds `pkg` at exactly `version` (its own package.json says so). */
export function hasPinned(dir: string, pkg: string, version: string): boolean {
  try {
    const manifest = join(dir, "node_modules", ...pkg.split("/"), "package.json");
    return JSON.parse(readFileSync(manifest, "utf8")).version === version;
  } catch {
    return false;
  }
}
