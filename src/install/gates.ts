import { posix, win32 } from "node:path";
import { type ParseError, parse as parseJsonc } from "jsonc-parser";
import { parse as parseToml } from "smol-toml";
import type { ClientId } from "./clients.ts";
import { type InstallEnv, type Scope, SERVER_NAME } from "./types.ts";

/**
 * Trust and approval gates: clients that hold back a server that is correctly registered until
 * the person trusts a folder or approves the entry. Install names the gate after writing an entry
 * it applies to; doctor reads the same files the client reads and says whether the gate is open
 * and how to open it. The rules were read from the clients' own code and checked against the real
 * CLIs (tests/real-clients):
 * - Gemini CLI 0.61: folder trust is on unless `security.folderTrust.enabled` is false; in a folder
 *   without a trust rule every server, user-level ones too, is `Disabled`.
 * - Qwen Code 0.15 (Gemini's code, older): folder trust is off unless turned on; when on, a
 *   project's `.qwen/settings.json` is ignored only in a folder marked DO_NOT_TRUST (and covered by
 *   no trusting rule): a folder without any rule counts as trusted.
 * - Codex 0.171: a project's `.codex/config.toml` is read only when `[projects."<git root>"]` in
 *   the user config says `trust_level = "trusted"` (the exact root path; a parent does not count).
 * - Claude Code 2.1: `.mcp.json` servers stay `Pending approval` until a settings file lists them in
 *   `enabledMcpjsonServers` (or sets `enableAllProjectMcpServers`); `disabledMcpjsonServers` rejects.
 *   The older place, `~/.claude.json` projects[<dir>], is still honoured (Claude moves it over).
 *
 * Pure: every file is read through `GateInput.read`, so tests and doctor share one evaluation.
 */

export type GateState =
  | { readonly status: "open"; readonly detail: string }
  | { readonly status: "closed"; readonly detail: string; readonly fix: string };

export interface GateInput {
  readonly env: InstallEnv;
  /** The folder the client runs in (the project folder for project scope). */
  readonly folder: string;
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readonly read: (path: string) => string | undefined;
  /** The real path (symlinks resolved), or the path itself. */
  readonly real: (path: string) => string;
  /** Whether a path exists (to find the git root). */
  readonly exists: (path: string) => boolean;
}

export interface GateSpec {
  /** The scopes whose entries this gate holds back. */
  readonly scopes: readonly Scope[];
  /** A short name for doctor's title. */
  readonly title: string;
  readonly evaluate: (input: GateInput) => GateState;
}

function pathApi(env: InstallEnv) {
  return env.platform === "win32" ? win32 : posix;
}

/** Paths compare case-insensitively where the file system usually is (as the clients do). */
function samePathKey(env: InstallEnv, p: string): string {
  const n = pathApi(env).resolve(p);
  return env.platform === "linux" ? n : n.toLowerCase();
}

function isWithin(env: InstallEnv, parent: string, child: string): boolean {
  const p = samePathKey(env, parent);
  const c = samePathKey(env, child);
  const sep = pathApi(env).sep;
  return c === p || c.startsWith(p.endsWith(sep) ? p : p + sep);
}

/** The folder holding `.git` at or above `folder`, as Codex and Claude Code key a project. */
export function gitRootOf(input: Pick<GateInput, "env" | "exists">, folder: string): string | undefined {
  const p = pathApi(input.env);
  let dir = p.resolve(folder);
  for (;;) {
    if (input.exists(p.join(dir, ".git"))) return dir;
    const up = p.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

type Parsed = { ok: true; value: unknown } | { ok: false; why: string };

function parseJsonFile(text: string): Parsed {
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: false });
  return errors.length > 0 ? { ok: false, why: "is not valid JSON" } : { ok: true, value };
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

// ---------------------------------------------------------------- Gemini CLI

const GEMINI_LEVELS = ["TRUST_FOLDER", "TRUST_PARENT", "DO_NOT_TRUST"] as const;

function geminiTrustFile(env: InstallEnv): string {
  return (
    env.vars.GEMINI_CLI_TRUSTED_FOLDERS_PATH ||
    pathApi(env).join(env.homedir, ".gemini", "trustedFolders.json")
  );
}

function evaluateGemini(input: GateInput): GateState {
  const { env, folder } = input;
  const v = env.vars;
  if (v.GEMINI_RESTRICTED_MODE === "true" || v.GEMINI_CLI_TRUST_WORKSPACE === "false") {
    return {
      status: "closed",
      detail: `${v.GEMINI_RESTRICTED_MODE === "true" ? "GEMINI_RESTRICTED_MODE=true" : "GEMINI_CLI_TRUST_WORKSPACE=false"} in the environment makes every folder untrusted: Gemini CLI shows every MCP server as Disabled`,
      fix: "Unset that variable in the environment Gemini CLI starts from.",
    };
  }
  if (v.GEMINI_CLI_TRUST_WORKSPACE === "true") {
    return { status: "open", detail: "GEMINI_CLI_TRUST_WORKSPACE=true trusts every folder" };
  }
  const settingsPath = pathApi(env).join(env.homedir, ".gemini", "settings.json");
  const settingsText = input.read(settingsPath);
  if (settingsText !== undefined) {
    const s = parseJsonFile(settingsText);
    const trust = s.ok ? record(record(record(s.value)?.security)?.folderTrust) : undefined;
    if (trust?.enabled === false) {
      return {
        status: "open",
        detail: `folder trust is off (security.folderTrust.enabled: false in ${settingsPath})`,
      };
    }
  }
  const file = geminiTrustFile(env);
  const lift = `Run 'gemini' in ${folder} and choose "Trust folder" (or /permissions in a session), or add "${folder}": "TRUST_FOLDER" to ${file}.`;
  const text = input.read(file);
  if (text === undefined) {
    return {
      status: "closed",
      detail: `${folder} is not trusted yet (no ${file}): Gemini CLI shows MCP servers there as Disabled, user-level ones too`,
      fix: lift,
    };
  }
  const parsed = parseJsonFile(text);
  const rules = parsed.ok ? record(parsed.value) : undefined;
  const bad = rules
    ? Object.entries(rules).find(([, level]) => !GEMINI_LEVELS.includes(level as never))
    : undefined;
  if (!rules || bad) {
    return {
      status: "closed",
      detail: `${file} ${!parsed.ok ? parsed.why : !rules ? "is not a JSON object" : `has "${bad?.[0]}": ${JSON.stringify(bad?.[1])}, not one of ${GEMINI_LEVELS.join(", ")}`}: Gemini CLI refuses to start until it is fixed`,
      fix: `Fix ${file}: each key is a folder and each value one of ${GEMINI_LEVELS.join(", ")}.`,
    };
  }
  // Gemini's rule: the longest matching rule wins; TRUST_PARENT trusts the folder above its key.
  const here = input.real(folder);
  let best: { rule: string; level: string } | undefined;
  for (const [rule, level] of Object.entries(rules)) {
    const scope = level === "TRUST_PARENT" ? pathApi(env).dirname(rule) : rule;
    if (isWithin(env, input.real(scope), here) && (!best || rule.length > best.rule.length)) {
      best = { rule, level: String(level) };
    }
  }
  if (!best) {
    return {
      status: "closed",
      detail: `${folder} is not trusted yet (no rule in ${file} covers it): Gemini CLI shows MCP servers there as Disabled, user-level ones too`,
      fix: lift,
    };
  }
  if (best.level === "DO_NOT_TRUST") {
    return {
      status: "closed",
      detail: `${file} marks "${best.rule}" DO_NOT_TRUST: Gemini CLI shows MCP servers in ${folder} as Disabled`,
      fix: `If you trust ${folder}, change "${best.rule}" to "TRUST_FOLDER" in ${file} (or choose "Trust folder" under /permissions in a gemini session there).`,
    };
  }
  return { status: "open", detail: `${folder} is trusted ("${best.rule}": ${best.level} in ${file})` };
}

// ---------------------------------------------------------------- Qwen Code

function evaluateQwen(input: GateInput): GateState {
  const { env, folder } = input;
  const p = pathApi(env);
  const settingsPath = p.join(env.homedir, ".qwen", "settings.json");
  const text = input.read(settingsPath);
  const parsed = text === undefined ? undefined : parseJsonFile(text);
  const enabled = parsed?.ok
    ? record(record(record(parsed.value)?.security)?.folderTrust)?.enabled
    : undefined;
  if (enabled !== true)
    return { status: "open", detail: `folder trust is off (the default; ${settingsPath})` };
  const file = p.join(env.homedir, ".qwen", "trustedFolders.json");
  const rulesText = input.read(file);
  const rules = rulesText === undefined ? undefined : parseJsonFile(rulesText);
  const entries = Object.entries((rules?.ok ? record(rules.value) : undefined) ?? {});
  // Qwen's rule: any trusting rule that covers the folder wins; DO_NOT_TRUST applies to exactly its
  // folder; no rule at all counts as trusted.
  const here = input.real(folder);
  const trusting = entries.find(([rule, level]) => {
    const scope = level === "TRUST_PARENT" ? p.dirname(rule) : rule;
    return (level === "TRUST_FOLDER" || level === "TRUST_PARENT") && isWithin(env, input.real(scope), here);
  });
  if (trusting)
    return { status: "open", detail: `${folder} is trusted ("${trusting[0]}": ${trusting[1]} in ${file})` };
  const distrust = entries.find(
    ([rule, level]) =>
      level === "DO_NOT_TRUST" && samePathKey(env, input.real(rule)) === samePathKey(env, here),
  );
  if (!distrust)
    return { status: "open", detail: `no rule in ${file} distrusts ${folder}, so Qwen Code trusts it` };
  return {
    status: "closed",
    detail: `${file} marks "${distrust[0]}" DO_NOT_TRUST: Qwen Code ignores ${p.join(folder, ".qwen", "settings.json")}`,
    fix: `If you trust ${folder}, change "${distrust[0]}" to "TRUST_FOLDER" in ${file} (or trust the folder under /permissions in a qwen session there).`,
  };
}

// ---------------------------------------------------------------- Codex

function codexConfig(env: InstallEnv): string {
  const p = pathApi(env);
  return p.join(env.vars.CODEX_HOME || p.join(env.homedir, ".codex"), "config.toml");
}

function evaluateCodex(input: GateInput): GateState {
  const { env } = input;
  const root = gitRootOf(input, input.folder) ?? pathApi(env).resolve(input.folder);
  const file = codexConfig(env);
  const table = `[projects.${JSON.stringify(root)}]`;
  const ignored = `Codex ignores ${pathApi(env).join(input.folder, ".codex", "config.toml")} (codex mcp list does not show its servers)`;
  const lift = `Start 'codex' in ${root} and trust the folder when it asks, or add ${table} with trust_level = "trusted" to ${file}.`;
  const text = input.read(file);
  let projects: Record<string, unknown> | undefined;
  if (text !== undefined) {
    try {
      projects = record(record(parseToml(text))?.projects);
    } catch (e) {
      return {
        status: "closed",
        detail: `${file} does not parse (${(e as Error).message.split("\n")[0]}), so Codex cannot tell that ${root} is trusted`,
        fix: `Fix ${file}, then make sure it has ${table} with trust_level = "trusted".`,
      };
    }
  }
  const keys = new Set([samePathKey(env, root), samePathKey(env, input.real(root))]);
  const entry = Object.entries(projects ?? {}).find(([k]) => keys.has(samePathKey(env, k)));
  const level = record(entry?.[1])?.trust_level;
  if (level === "trusted") return { status: "open", detail: `${root} is trusted (${table} in ${file})` };
  if (level === "untrusted") {
    return {
      status: "closed",
      detail: `${file} marks ${root} untrusted: ${ignored}`,
      fix: `If you trust ${root}, set trust_level = "trusted" under ${table} in ${file}.`,
    };
  }
  return { status: "closed", detail: `${root} is not a trusted Codex project: ${ignored}`, fix: lift };
}

// ---------------------------------------------------------------- Claude Code

function claudeFiles(env: InstallEnv, folder: string): { settings: string[]; legacy: string; local: string } {
  const p = pathApi(env);
  const configDir = env.vars.CLAUDE_CONFIG_DIR || p.join(env.homedir, ".claude");
  const policy =
    env.platform === "darwin"
      ? ["/Library/Application Support/ClaudeCode/managed-settings.json"]
      : env.platform === "linux"
        ? ["/etc/claude-code/managed-settings.json"]
        : [];
  const local = p.join(folder, ".claude", "settings.local.json");
  return {
    settings: [
      p.join(configDir, "settings.json"),
      p.join(folder, ".claude", "settings.json"),
      local,
      ...policy,
    ],
    legacy: env.vars.CLAUDE_CONFIG_DIR
      ? p.join(env.vars.CLAUDE_CONFIG_DIR, ".claude.json")
      : p.join(env.homedir, ".claude.json"),
    local,
  };
}

const lists = (o: Record<string, unknown> | undefined, key: string): boolean =>
  Array.isArray(o?.[key]) && (o[key] as unknown[]).includes(SERVER_NAME);

function evaluateClaude(input: GateInput): GateState {
  const { env, folder } = input;
  const files = claudeFiles(env, folder);
  // Every place Claude reads an approval from, as [file, the object holding the keys].
  const sources: [string, Record<string, unknown> | undefined][] = files.settings.map((f) => {
    const t = input.read(f);
    const parsed = t === undefined ? undefined : parseJsonFile(t);
    return [f, parsed?.ok ? record(parsed.value) : undefined];
  });
  const legacyText = input.read(files.legacy);
  const legacy = legacyText === undefined ? undefined : parseJsonFile(legacyText);
  const projects = legacy?.ok ? record(record(legacy.value)?.projects) : undefined;
  const root = gitRootOf(input, folder);
  for (const key of new Set([pathApi(env).resolve(folder), ...(root ? [root] : [])])) {
    sources.push([`${files.legacy} (projects["${key}"])`, record(projects?.[key])]);
  }
  const rejected = sources.find(([, o]) => lists(o, "disabledMcpjsonServers"));
  if (rejected) {
    return {
      status: "closed",
      detail: `"${SERVER_NAME}" is rejected (disabledMcpjsonServers in ${rejected[0]}): Claude Code does not start it`,
      fix: `Remove "${SERVER_NAME}" from disabledMcpjsonServers in ${rejected[0]}, or run 'claude mcp reset-project-choices' in ${folder} and approve it when 'claude' asks.`,
    };
  }
  const approved = sources.find(
    ([, o]) => lists(o, "enabledMcpjsonServers") || o?.enableAllProjectMcpServers === true,
  );
  if (approved) return { status: "open", detail: `.mcp.json entry approved in ${approved[0]}` };
  return {
    status: "closed",
    detail: `Claude Code holds ${pathApi(env).join(folder, ".mcp.json")} servers until approved: claude mcp list shows "${SERVER_NAME}" as Pending approval`,
    fix: `Run 'claude' in ${folder} and approve "${SERVER_NAME}", or add "${SERVER_NAME}" to enabledMcpjsonServers in ${files.local}.`,
  };
}

/** The clients with a gate, and the scopes it holds back. */
export const GATES: Partial<Record<ClientId, GateSpec>> = {
  "gemini-cli": { scopes: ["user", "project"], title: "folder trust", evaluate: evaluateGemini },
  "qwen-code": { scopes: ["project"], title: "folder trust", evaluate: evaluateQwen },
  codex: { scopes: ["project"], title: "project trust", evaluate: evaluateCodex },
  "claude-code": { scopes: ["project"], title: "project approval", evaluate: evaluateClaude },
};

/** The gate state for an entry in `scope`, or undefined when nothing holds that entry back. */
export function gateFor(id: ClientId, scope: Scope, input: GateInput): GateState | undefined {
  const gate = GATES[id];
  if (!gate?.scopes.includes(scope)) return undefined;
  return gate.evaluate(input);
}

/**
 * The line install prints after writing an entry the client will hold back, or undefined when
 * the gate is already open. A user-scope Gemini entry is held back in every untrusted folder,
 * so that notice speaks of folders in general, with the current one as the example.
 */
export function gateNotice(id: ClientId, label: string, scope: Scope, input: GateInput): string | undefined {
  const state = gateFor(id, scope, input);
  if (!state || state.status === "open") return undefined;
  const when = id === "gemini-cli" && scope === "user" ? "in a folder you have not trusted" : "yet";
  return `${label} will not load this entry ${when}: ${state.detail}. ${state.fix}`;
}
