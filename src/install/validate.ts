import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute } from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { describeEnd, runProbe } from "../platform/probe.ts";
import { verifyBackups } from "./backups.ts";
import { CLIENTS, type ClientId, clientSpec } from "./clients.ts";
import { readEntry } from "./edit/index.ts";
import { entryEnv, entryStore, isOrchestratorEntry, unshapeEntry } from "./entry.ts";
import { entryEdit, fileStates, installTarget } from "./locate.ts";
import { bridgeTarget, unshapeRemoteEntry } from "./remote-entry.ts";
import {
  type ConfigFormat,
  type ConfigLocation,
  ConfigParseError,
  type InstallEnv,
  type Scope,
  SERVER_NAME,
} from "./types.ts";
import { checkRemoteEntry, type RemoteCheck, type RemoteCheckOptions } from "./validate-remote.ts";

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
  /** Top-level keys the client requires that the file lacks (Continue's `name`, `version`). */
  readonly missingKeys: readonly string[];
  /** Every file of this scope holding our entry, when more than this one does (highest precedence first). */
  readonly copies: readonly string[];
  /** The variables our entry sets (env, Goose's envs, OpenCode's environment), as the client passes them. */
  readonly env: Readonly<Record<string, string>>;
  /** The store the entry's server uses (its --db, else ORCHESTRATOR_DB; a URL without its password); null: each workspace's own. */
  readonly store: string | null;
  /** A remote entry (the client's own, or our connect bridge): what its check found. */
  readonly remote: RemoteCheck | null;
  readonly problems: readonly string[];
}

export interface CheckOptions {
  /** How long the `version --json` probe may run. */
  readonly timeoutMs?: number;
  /**
   * Whether a project-scope entry's command may be run for its version. A project's config file
   * comes with the repository, so its command is run only when this says it is one the user
   * chose (this binary, or one registered in the user's own scopes); without it, never.
   */
  readonly trusted?: (command: string) => boolean;
  /**
   * Contact remote entries' servers (with the token from the variable the entry names). Without
   * it, a remote entry is checked in the file only.
   */
  readonly remote?: RemoteCheckOptions | undefined;
}

/**
 * Checks every file a client reads for a scope (one check each; the file install would create
 * when none exists): see checkFile. Our entry in two of them is a problem on each, naming the
 * copy the client uses.
 */
export async function checkClient(
  env: InstallEnv,
  id: ClientId,
  scope: Scope,
  projectDir?: string,
  opts: CheckOptions = {},
): Promise<EntryCheck[]> {
  const states = fileStates(id, scope, env, projectDir);
  const present = states.filter((s) => s.exists);
  if (present.length === 0)
    return [await checkFile(id, scope, installTarget(id, scope, env, projectDir), opts)];
  const checks = await Promise.all(present.map((s) => checkFile(id, scope, s.loc, opts)));
  const holding = checks.filter((c) => c.installed);
  if (holding.length < 2) return checks;
  const [used] = holding;
  const label = clientSpec(id).label;
  return checks.map((c) =>
    c.installed
      ? {
          ...c,
          copies: holding.map((h) => h.path),
          problems: [
            ...c.problems,
            `our entry is in ${holding.length} files ${label} reads (${holding.map((h) => h.path).join(", ")}); it uses the one in ${used?.path}. Run 'orchestrator uninstall --client ${id}${scope === "user" ? "" : ` --scope ${scope}`}' (it removes every copy), then install again`,
          ],
        }
      : c,
  );
}

/**
 * Checks one config file: found, parses (line and column when not), the top-level keys the client
 * requires, our entry present and well-formed, its command absolute, existing, executable and
 * answering `version`, and no other entry running an orchestrator under another name.
 */
export async function checkFile(
  id: ClientId,
  scope: Scope,
  loc: ConfigLocation,
  opts: CheckOptions = {},
): Promise<EntryCheck> {
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
    missingKeys: [],
    copies: [],
    env: {},
    store: null,
    remote: null,
    problems: [],
  };
  if (!existsSync(loc.path)) return { ...base, found: false };
  let text: string;
  try {
    text = readFileSync(loc.path, "utf8");
  } catch (e) {
    return { ...base, problems: [`cannot read: ${(e as Error).message}`] };
  }
  const edit = entryEdit(loc);
  let value: unknown;
  try {
    value = readEntry(text, edit);
  } catch (e) {
    const where = e instanceof ConfigParseError ? ` at line ${e.line}, column ${e.column}` : "";
    return { ...base, problems: [`does not parse${where}: ${(e as Error).message}`] };
  }
  const missing = missingKeys(id, text, loc);
  const problems: string[] = missingKeysProblem(id, missing, loc.path);
  const duplicates = otherOrchestratorEntries(text, loc);
  if (duplicates.length > 0)
    problems.push(`other entries also run an orchestrator: ${duplicates.join(", ")} (remove the stale ones)`);
  if (value === undefined) return { ...base, parses: true, duplicates, missingKeys: missing, problems };
  const remoteRef = unshapeRemoteEntry(value);
  if (remoteRef) {
    const r = opts.remote
      ? await checkRemoteEntry(remoteRef, "direct", scope, opts.remote)
      : { remote: null, problems: [] };
    return {
      ...base,
      parses: true,
      installed: true,
      missingKeys: missing,
      duplicates,
      remote: r.remote,
      problems: [...problems, ...r.problems],
    };
  }
  const entry = unshapeEntry(loc.shape, value);
  if (!entry) {
    problems.push(
      `the "${SERVER_NAME}" entry is malformed for ${CLIENTS[id].label} (expected the ${loc.shape} shape); reinstall with --force`,
    );
    return { ...base, parses: true, installed: true, duplicates, missingKeys: missing, problems };
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
  } else if (isOrchestratorEntry(entry) && (scope !== "project" || opts.trusted?.(entry.command) === true)) {
    // Only an entry that looks like ours is run: `version --json` means nothing to another
    // program, and the arguments kept before it could make that program do anything (a project's
    // config file comes with the repository).
    const before = entry.args.findIndex((a) => a === "serve" || a === "connect");
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
  const bridge = isOrchestratorEntry(entry) ? bridgeTarget(entry.args) : undefined;
  let remote: RemoteCheck | null = null;
  if (bridge && opts.remote) {
    const r = await checkRemoteEntry(bridge, "bridge", scope, opts.remote);
    remote = r.remote;
    problems.push(...r.problems);
  }
  return {
    ...base,
    parses: true,
    installed: true,
    missingKeys: missing,
    command: entry.command,
    args: entry.args,
    version,
    duplicates,
    env: entryEnv(value),
    store: entryStore(entry.args, entryEnv(value)),
    remote,
    problems,
  };
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

/** The top-level keys the client requires that the file lacks. */
export function missingKeys(id: ClientId, text: string, loc: ConfigLocation): string[] {
  const required = clientSpec(id).requiredKeys ?? [];
  if (required.length === 0) return [];
  const doc = parseAny(text, loc.format);
  return required.filter((k) => !(doc !== null && typeof doc === "object" && Object.hasOwn(doc, k)));
}

/** Missing required keys as one problem, with the lines to add. */
export function missingKeysProblem(id: ClientId, missing: readonly string[], path: string): string[] {
  const spec = clientSpec(id);
  if (missing.length === 0) return [];
  const lines = missing.map((k) => `${k}: ${spec.newFileKeys?.[k] ?? "..."}`).join(", ");
  return [
    `the file lacks the top-level ${missing.join(", ")} ${spec.label} requires (it will not start without ${missing.length === 1 ? "it" : "them"}): add ${lines} at the top of ${path}`,
  ];
}

/** Names of entries, other than ours, whose command runs an orchestrator. */
function otherOrchestratorEntries(text: string, loc: ConfigLocation): string[] {
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
