import { redactUrl } from "../store/postgres/url.ts";
import type { EntryShape, Scope, ServerEntry } from "./types.ts";

/**
 * Our server entry: the absolute path of the binary with `serve`, plus `--workspace` for project
 * installs (VS Code's `${workspaceFolder}` where the client expands it, else the project folder).
 * When running from source, the command is the runtime and the first argument the entry script.
 */
export function buildServerEntry(opts: {
  readonly command: string;
  readonly commandArgs?: readonly string[];
  readonly scope: Scope;
  readonly projectDir?: string | undefined;
  readonly expandsWorkspaceFolder?: boolean | undefined;
  /** Where the server keeps its data, and what to keep from our entry already there (installStore). */
  readonly store?: StoreSetting | undefined;
}): ServerEntry {
  const args = [...(opts.commandArgs ?? []), "serve"];
  // Project and local entries belong to one project: they name it, so any cwd finds the same data.
  if (opts.scope !== "user") {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code's own variable, written literally
    args.push("--workspace", opts.expandsWorkspaceFolder ? "${workspaceFolder}" : (opts.projectDir ?? "."));
  }
  const store = opts.store ?? { given: undefined, kept: { env: {}, dbArgs: [] } };
  return withStore({ command: opts.command, args, env: {} }, store);
}

/**
 * `install --db`: a SQLite file (absolute; written as `--db <file>` in the arguments) or a
 * `postgres://` URL (written as ORCHESTRATOR_DB in the entry's environment, so it is not on a
 * command line every local user can list).
 */
export type InstallDb =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "url"; readonly url: string };

/** What a re-install keeps from our entry already in the file: its variables and its `--db`. */
export interface KeptEntry {
  readonly env: Readonly<Record<string, string>>;
  readonly dbArgs: readonly string[];
}

/** The store part of an install: a new `--db`, or none (keep what the entry had). */
export interface StoreSetting {
  readonly given: InstallDb | undefined;
  readonly kept: KeptEntry;
}

/**
 * The entry with its store: without a new `--db`, the variables and `--db` our entry had (added
 * by hand or by an earlier `install --db`) stay; a new one replaces both ways of naming a store
 * and keeps the other variables (PGPASSWORD, NODE_EXTRA_CA_CERTS ...).
 */
function withStore(entry: ServerEntry, store: StoreSetting): ServerEntry {
  const env: Record<string, string> = { ...store.kept.env };
  const args = [...entry.args];
  const given = store.given;
  if (!given) args.push(...store.kept.dbArgs);
  else {
    delete env.ORCHESTRATOR_DB;
    if (given.kind === "url") env.ORCHESTRATOR_DB = given.url;
    else args.push("--db", given.path);
  }
  return { ...entry, args, env: { ...entry.env, ...env } };
}

/** The variables and `--db` of an entry of ours already in a file (nothing when it is not ours). */
export function keptFromEntry(shape: EntryShape, existing: unknown): KeptEntry {
  const entry = unshapeEntry(shape, existing);
  if (!isOrchestratorEntry(entry) || !entry) return { env: {}, dbArgs: [] };
  const dbArgs: string[] = [];
  const serve = entry.args.indexOf("serve");
  for (let i = serve + 1; i < entry.args.length; i++) {
    const a = entry.args[i] ?? "";
    if (a === "--db" && i + 1 < entry.args.length) dbArgs.push(a, entry.args[++i] ?? "");
    else if (a.startsWith("--db=")) dbArgs.push(a);
  }
  return { env: entryEnv(existing), dbArgs };
}

/** The variables an entry sets: `env` for most clients, `envs` for Goose, `environment` for OpenCode. */
export function entryEnv(value: unknown): Record<string, string> {
  if (!value || typeof value !== "object") return {};
  const v = value as { env?: unknown; envs?: unknown; environment?: unknown };
  const env = v.env ?? v.envs ?? v.environment;
  if (!env || typeof env !== "object" || Array.isArray(env)) return {};
  return Object.fromEntries(
    Object.entries(env).filter((kv): kv is [string, string] => typeof kv[1] === "string"),
  );
}

/**
 * The store an entry's server uses, as validate and doctor show it: its `--db` (the last one, as
 * the flag parser takes it), else ORCHESTRATOR_DB, else each workspace's own; URLs without a password.
 */
export function entryStore(args: readonly string[], env: Readonly<Record<string, string>>): string | null {
  let db: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (a === "--db") db = args[i + 1];
    else if (a.startsWith("--db=")) db = a.slice(5);
  }
  db ??= env.ORCHESTRATOR_DB || undefined;
  return db === undefined ? null : redactUrl(db);
}

/** The entry as the client's file spells it (see EntryShape). */
export function shapeEntry(shape: EntryShape, entry: ServerEntry, name: string): unknown {
  const env = Object.keys(entry.env).length > 0 ? { ...entry.env } : undefined;
  switch (shape) {
    case "stdio":
      return { command: entry.command, args: [...entry.args], ...(env ? { env } : {}) };
    case "typed-stdio":
      return { type: "stdio", command: entry.command, args: [...entry.args], ...(env ? { env } : {}) };
    case "goose":
      return {
        name,
        type: "stdio",
        cmd: entry.command,
        args: [...entry.args],
        envs: env ?? {},
        enabled: true,
        timeout: 300,
      };
    case "continue":
      return { name, command: entry.command, args: [...entry.args], ...(env ? { env } : {}) };
    case "opencode":
      return {
        type: "local",
        command: [entry.command, ...entry.args],
        ...(env ? { environment: env } : {}),
        enabled: true,
      };
    case "codex":
      return { command: entry.command, args: [...entry.args], ...(env ? { env } : {}) };
  }
}

/** Reads the command and arguments back out of an entry of any shape (for validate and doctor). */
export function unshapeEntry(
  shape: EntryShape,
  value: unknown,
): { command: string; args: string[] } | undefined {
  if (!value || typeof value !== "object") return undefined;
  const v = value as Record<string, unknown>;
  const strings = (x: unknown): string[] | undefined =>
    Array.isArray(x) && x.every((s) => typeof s === "string") ? (x as string[]) : undefined;
  if (shape === "goose") {
    return typeof v.cmd === "string" ? { command: v.cmd, args: strings(v.args) ?? [] } : undefined;
  }
  if (shape === "opencode") {
    const all = strings(v.command);
    return all && all.length > 0 ? { command: all[0]!, args: all.slice(1) } : undefined;
  }
  return typeof v.command === "string" ? { command: v.command, args: strings(v.args) ?? [] } : undefined;
}

/**
 * True when an entry runs an orchestrator (any version, any path): `… orchestrator[.exe] serve …`,
 * or its bridge to a remote server, `… orchestrator connect URL …`.
 */
export function isOrchestratorEntry(
  entry: { command: string; args: readonly string[] } | undefined,
): boolean {
  if (!entry) return false;
  const base = entry.command.split(/[\\/]/).pop()?.toLowerCase() ?? "";
  const script = entry.args[0]?.split(/[\\/]/).pop()?.toLowerCase() ?? "";
  return (
    (base === "orchestrator" || base === "orchestrator.exe" || script === "orchestrator.ts") &&
    (entry.args.includes("serve") || entry.args.includes("connect"))
  );
}
