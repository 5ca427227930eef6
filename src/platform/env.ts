import { homedir } from "node:os";

/**
 * A snapshot of everything the process environment tells us, read once at startup and passed
 * down, so no other module reads `process.env` or branches on the real OS.
 */
export interface Env {
  readonly platform: NodeJS.Platform;
  readonly homedir: string;
  readonly cwd: string;
  readonly execPath: string;
  /** The entry script the runtime was started with (`process.argv[1]`): how to run this program from source. */
  readonly entryScript: string | undefined;
  /** True when running as the `bun build --compile` binary. */
  readonly isCompiled: boolean;
  readonly runtime: Runtime;
  readonly runtimeVersion: string;
  readonly vars: Readonly<Record<string, string | undefined>>;
}

export type Runtime = "bun" | "deno" | "node";

type Globals = { Bun?: { version: string }; Deno?: { version: { deno: string } } };

/**
 * Which JavaScript runtime runs this process: the one place that looks (cac's runtime.ts is the
 * model). Everything else gets it from `Env`, or from here when it has no Env (the store's driver).
 */
export function detectRuntime(): Runtime {
  const g = globalThis as Globals;
  return g.Deno ? "deno" : g.Bun ? "bun" : "node";
}

/** Reads the real process environment. */
export function readEnv(): Env {
  const g = globalThis as Globals;
  const runtime = detectRuntime();
  return {
    platform: process.platform,
    homedir: homedir(),
    cwd: process.cwd(),
    execPath: process.execPath,
    entryScript: process.argv[1],
    // Compiled Bun binaries run their entry from the embedded /$bunfs/ (B:/~BUN/ on Windows) filesystem.
    isCompiled:
      /^(\/\$bunfs\/|[A-Z]:[\\/]~BUN[\\/])/.test(process.argv[1] ?? "") || import.meta.url.includes("$bunfs"),
    runtime,
    runtimeVersion: g.Deno ? g.Deno.version.deno : g.Bun ? g.Bun.version : process.versions.node,
    vars: { ...process.env },
  };
}

/**
 * Reads a whole-number setting from the environment, between 1 and `max`, or `fallback` when unset.
 * Throws on garbage or a value out of range (`1e99` is a whole number to JavaScript, so the range
 * is what keeps a huge value from lifting the limits derived from it).
 */
export function intSetting(env: Env, name: string, fallback: number, max: number): number {
  const raw = env.vars[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new Error(`${name} must be a whole number from 1 to ${max}, got '${raw}'`);
  }
  return n;
}

/**
 * Reads a duration setting such as "30m", "90s", "2h" or "1500ms" (a bare number means `unit`).
 * Returns milliseconds, `fallbackMs` when unset; throws on garbage.
 */
export function durationSetting(env: Env, name: string, fallbackMs: number): number {
  const raw = env.vars[name];
  if (raw === undefined || raw.trim() === "") return fallbackMs;
  return parseDuration(raw, name);
}

/** Parses "30m", "90s", "2h", "30d", "1500ms" into milliseconds. */
export function parseDuration(raw: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/i.exec(raw);
  const n = m
    ? Number(m[1]) *
      { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
        m[2]!.toLowerCase() as "ms" | "s" | "m" | "h" | "d"
      ]
    : Number.NaN;
  if (!Number.isFinite(n) || n <= 0) {
    throw new Error(`${what} must be a duration such as 30m, 90s or 2h, got '${raw}'`);
  }
  return Math.round(n);
}

/**
 * The longest request line the server reads, from the artifact limit: JSON may escape every byte
 * of detailed_work into six ("\u0000"), and the rest of a call needs room too, so any artifact
 * under the limit fits in one request whatever its content.
 */
export function maxRequestBytes(maxArtifactBytes: number): number {
  return 6 * maxArtifactBytes + 1024 * 1024;
}
