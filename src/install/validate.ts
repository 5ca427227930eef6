import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute } from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { describeEnd, runProbe } from "../platform/probe.ts";
import { verifyBackups } from "./backups.ts";
import { CLIENTS, type ClientId } from "./clients.ts";
import { readEntry } from "./edit/index.ts";
import { isOrchestratorEntry, unshapeEntry } from "./entry.ts";
import { locate } from "./run.ts";
import { type ConfigFormat, ConfigParseError, type InstallEnv, type Scope, SERVER_NAME } from "./types.ts";

export interface EntryCheck {
  readonly client: ClientId;
  readonly label: string;
  readonly scope: Scope;
  readonly path: string;
  readonly found: boolean;
  readonly parses: boolean;
  readonly installed: boolean;
  readonly command: string | null;
  readonly args: readonly string[];
  /** The version the configured command reports (`<command> version --json`), when it runs. */
  readonly version: string | null;
  /** Other entries in the same file that also run an orchestrator (stale copies under other names). */
  readonly duplicates: readonly string[];
  /** The variables our entry sets (env, Goose's envs, OpenCode's environment), as the client passes them. */
  readonly env: Readonly<Record<string, string>>;
  readonly problems: readonly string[];
}

/**
 * Checks a client's config: found, parses (line and column when not), our entry present and
 * well-formed, its command absolute, existing, executable and answering `version`, and no other
 * entry running an orchestrator under another name.
 */
export async function checkClient(
  env: InstallEnv,
  id: ClientId,
  scope: Scope,
  projectDir?: string,
  opts: { timeoutMs?: number } = {},
): Promise<EntryCheck> {
  const loc = locate(id, scope, env, projectDir);
  // What is known so far; each early return states only what it learned.
  const base: EntryCheck = {
    client: id,
    label: CLIENTS[id].label,
    scope,
    path: loc.path,
    found: true,
    parses: false,
    installed: false,
    command: null,
    args: [],
    version: null,
    duplicates: [],
    env: {},
    problems: [],
  };
  if (!existsSync(loc.path)) return { ...base, found: false };
  let text: string;
  try {
    text = readFileSync(loc.path, "utf8");
  } catch (e) {
    return { ...base, problems: [`cannot read: ${(e as Error).message}`] };
  }
  const edit = { format: loc.format, keyPath: loc.keyPath, container: loc.container, name: SERVER_NAME };
  let value: unknown;
  try {
    value = readEntry(text, edit);
  } catch (e) {
    const where = e instanceof ConfigParseError ? ` at line ${e.line}, column ${e.column}` : "";
    return { ...base, problems: [`does not parse${where}: ${(e as Error).message}`] };
  }
  const problems: string[] = [];
  const duplicates = otherOrchestratorEntries(text, loc);
  if (duplicates.length > 0)
    problems.push(`other entries also run an orchestrator: ${duplicates.join(", ")} (remove the stale ones)`);
  if (value === undefined) return { ...base, parses: true, duplicates, problems };
  const entry = unshapeEntry(loc.shape, value);
  if (!entry) {
    problems.push(
      `the "${SERVER_NAME}" entry is malformed for ${CLIENTS[id].label} (expected the ${loc.shape} shape); reinstall with --force`,
    );
    return { ...base, parses: true, installed: true, duplicates, problems };
  }
  let version: string | null = null;
  if (!isAbsolute(entry.command) && !/^[A-Za-z]:[\\/]/.test(entry.command)) {
    problems.push(
      `the command "${entry.command}" is not an absolute path; clients start servers without your shell's PATH`,
    );
  } else if (!existsSync(entry.command)) {
    problems.push(
      `the command ${entry.command} does not exist (moved or deleted binary); run 'orchestrator install --client ${id}' again`,
    );
  } else if (!isExecutable(entry.command)) {
    problems.push(`the command ${entry.command} is not executable`);
  } else if (isOrchestratorEntry(entry)) {
    // Only an entry that looks like ours is run: `version --json` means nothing to another
    // program, and the arguments kept before it could make that program do anything (a project's
    // config file comes with the repository).
    const before = entry.args.indexOf("serve");
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const r = await runProbe({
      command: entry.command,
      args: [...entry.args.slice(0, Math.max(0, before)), "version", "--json"],
      timeoutMs,
    });
    try {
      version =
        r.end.kind === "exit" && r.end.code === 0
          ? (JSON.parse(r.stdout) as { version: string }).version
          : null;
    } catch {
      version = null;
    }
    if (typeof version !== "string") version = null;
    if (version === null)
      problems.push(
        `${entry.command} did not answer 'version --json' (${describeEnd(r.end, timeoutMs)}); it may not be an orchestrator binary`,
      );
  }
  if (!isOrchestratorEntry(entry))
    problems.push(`the "${SERVER_NAME}" entry does not run 'orchestrator serve'`);
  return {
    ...base,
    parses: true,
    installed: true,
    command: entry.command,
    args: entry.args,
    version,
    duplicates,
    env: entryEnv(value),
    problems,
  };
}

/** The variables an entry sets: `env` for most clients, `envs` for Goose, `environment` for OpenCode. */
function entryEnv(value: unknown): Record<string, string> {
  const v = value as { env?: unknown; envs?: unknown; environment?: unknown };
  const env = v.env ?? v.envs ?? v.environment;
  if (!env || typeof env !== "object") return {};
  return Object.fromEntries(
    Object.entries(env).filter((kv): kv is [string, string] => typeof kv[1] === "string"),
  );
}

/** The backups, each checked against its checksum. */
export { verifyBackups };

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The parsed document (the file already parsed once through readEntry, so this cannot fail). */
function parseAny(text: string, format: ConfigFormat): unknown {
  const body = text.replace(/^\uFEFF/, "");
  if (body.trim() === "") return {};
  if (format === "toml") return parseToml(body);
  if (format === "yaml") return parseYaml(body);
  return parseJsonc(body);
}

/** Names of entries, other than ours, whose command runs an orchestrator. */
function otherOrchestratorEntries(text: string, loc: ReturnType<typeof locate>): string[] {
  let container: unknown = parseAny(text, loc.format);
  for (const key of loc.keyPath) {
    container =
      container && typeof container === "object" ? (container as Record<string, unknown>)[key] : undefined;
  }
  const out: string[] = [];
  if (loc.container === "list" && Array.isArray(container)) {
    for (const item of container) {
      const name = (item as { name?: unknown })?.name;
      if (name !== SERVER_NAME && isOrchestratorEntry(unshapeEntry(loc.shape, item))) out.push(String(name));
    }
  } else if (container && typeof container === "object") {
    for (const [name, item] of Object.entries(container as Record<string, unknown>)) {
      if (name !== SERVER_NAME && isOrchestratorEntry(unshapeEntry(loc.shape, item))) out.push(name);
    }
  }
  return out;
}
