import { posix, win32 } from "node:path";
import {
  claudeCodeFile,
  claudeDesktopCandidates,
  claudeDesktopDir,
  codexDir,
  gooseDir,
  in_,
  opencodeDir,
  paths,
  vscodeUserDir,
  zedDir,
} from "./client-dirs.ts";
import type { ConfigFormat, ConfigLocation, EntryShape, InstallEnv, Scope } from "./types.ts";

export { claudeDesktopCandidates } from "./client-dirs.ts";
/**
 * The one table of MCP clients the installer, `validate`, `doctor` and the generated docs read.
 * Paths, formats, keys and entry shapes come from each client's own documentation or source;
 * the sources are listed in docs/reference/clients-sources.md. Paths are computed for the
 * platform in InstallEnv, not the one we run on, so every OS's rules are testable anywhere.
 */
export interface ClientSpec {
  readonly label: string;
  readonly format: ConfigFormat;
  /** Keys from the document root to the servers container. */
  readonly keyPath: readonly string[];
  readonly container: "map" | "list";
  readonly shape: EntryShape;
  /** The user-scope config file: the one install creates when the client has none yet. */
  readonly user: (env: InstallEnv) => string;
  /**
   * Every user-scope file the client reads servers from, highest precedence first, when it reads
   * more than `user` (OpenCode merges three). Install edits the one holding our entry, else the
   * first that exists, else creates `user`; validate and uninstall look at all of them.
   */
  readonly userFiles?: (env: InstallEnv) => readonly string[];
  /** The project-scope config file, relative to the project folder, where the client has one. */
  readonly project?: string;
  /** Every project-scope file (relative, `/`-separated), highest precedence first; as userFiles. */
  readonly projectFiles?: readonly string[];
  /**
   * A per-project scope kept in a user file (Claude Code's default `local` scope): the file, and
   * the keys from its root to the servers of one project folder.
   */
  readonly local?: {
    readonly file: (env: InstallEnv) => string;
    readonly keyPath: (projectDir: string) => readonly string[];
  };
  /**
   * Top-level keys the client refuses to start without (Continue: `name`, `version`); validate and
   * doctor report a file missing one.
   */
  readonly requiredKeys?: readonly string[];
  /** Top-level keys a file we create starts with, so the client accepts it (includes requiredKeys). */
  readonly newFileKeys?: Readonly<Record<string, string>>;
  /** Folders or files whose presence means the client is installed. */
  readonly detect: (env: InstallEnv) => readonly string[];
  /** The client's own command for adding a server, shown as an alternative to the file route. */
  readonly cli?: string;
  /** The client expands `${workspaceFolder}` in args (project installs use it instead of a path). */
  readonly expandsWorkspaceFolder?: boolean;
  /** The app rewrites this file while it runs, and may undo an edit made meanwhile. */
  readonly rewritesWhileRunning?: boolean;
  /** Where the client writes its MCP logs (for doctor). */
  readonly logs?: (env: InstallEnv) => readonly string[];
}

export const CLIENTS = {
  "claude-desktop": {
    label: "Claude Desktop",
    format: "json",
    keyPath: ["mcpServers"],
    container: "map",
    shape: "stdio",
    user: (env) => claudeDesktopCandidates(env)[0] ?? "",
    userFiles: claudeDesktopCandidates,
    detect: (env) => [claudeDesktopDir(env), ...claudeDesktopCandidates(env)],
    rewritesWhileRunning: true,
    logs: (env) =>
      env.platform === "darwin"
        ? [paths(env).join(env.homedir, "Library", "Logs", "Claude")]
        : [paths(env).join(claudeDesktopDir(env), "logs")],
  },
  "claude-code": {
    label: "Claude Code",
    format: "json",
    keyPath: ["mcpServers"],
    container: "map",
    shape: "typed-stdio",
    user: claudeCodeFile,
    project: ".mcp.json",
    // `claude mcp add` defaults to this scope: ~/.claude.json → projects["<project folder>"].mcpServers.
    local: { file: claudeCodeFile, keyPath: (projectDir) => ["projects", projectDir, "mcpServers"] },
    detect: (env) => [claudeCodeFile(env), paths(env).join(env.homedir, ".claude")],
    cli: "claude mcp add-json --scope user task-orchestrator '<entry JSON>'",
    // Claude Code keeps session state in ~/.claude.json and writes it often.
    rewritesWhileRunning: true,
  },
  cursor: {
    label: "Cursor",
    format: "json",
    keyPath: ["mcpServers"],
    container: "map",
    shape: "stdio",
    user: in_(".cursor", "mcp.json"),
    project: ".cursor/mcp.json",
    detect: (env) => [paths(env).join(env.homedir, ".cursor")],
    // ${workspaceFolder} in Cursor's args is not documented: project installs write the path.
  },
  windsurf: {
    label: "Windsurf",
    format: "json",
    keyPath: ["mcpServers"],
    container: "map",
    shape: "stdio",
    user: in_(".codeium", "windsurf", "mcp_config.json"),
    detect: (env) => [paths(env).join(env.homedir, ".codeium", "windsurf")],
  },
  vscode: {
    label: "VS Code (Copilot)",
    format: "jsonc",
    keyPath: ["servers"],
    container: "map",
    shape: "typed-stdio",
    user: (env) => paths(env).join(vscodeUserDir(env), "mcp.json"),
    project: ".vscode/mcp.json",
    detect: (env) => [vscodeUserDir(env)],
    cli: `code --add-mcp '{"name":"task-orchestrator",<entry JSON fields>}'`,
    expandsWorkspaceFolder: true,
  },
  zed: {
    label: "Zed",
    format: "jsonc",
    keyPath: ["context_servers"],
    container: "map",
    shape: "stdio",
    user: (env) => paths(env).join(zedDir(env), "settings.json"),
    project: ".zed/settings.json",
    detect: (env) => [zedDir(env)],
  },
  codex: {
    label: "OpenAI Codex",
    format: "toml",
    keyPath: ["mcp_servers"],
    container: "map",
    shape: "codex",
    user: (env) => paths(env).join(codexDir(env), "config.toml"),
    project: ".codex/config.toml",
    detect: (env) => [codexDir(env)],
    cli: "codex mcp add task-orchestrator -- <command> serve",
  },
  "gemini-cli": {
    label: "Gemini CLI",
    // Its loader strips comments, so users have them: edit as JSONC to keep them.
    format: "jsonc",
    keyPath: ["mcpServers"],
    container: "map",
    shape: "stdio",
    user: in_(".gemini", "settings.json"),
    project: ".gemini/settings.json",
    detect: (env) => [paths(env).join(env.homedir, ".gemini")],
    cli: "gemini mcp add --scope user task-orchestrator <command> serve",
  },
  cline: {
    label: "Cline",
    format: "json",
    keyPath: ["mcpServers"],
    container: "map",
    shape: "stdio",
    user: (env) =>
      paths(env).join(
        vscodeUserDir(env),
        "globalStorage",
        "saoudrizwan.claude-dev",
        "settings",
        "cline_mcp_settings.json",
      ),
    detect: (env) => [paths(env).join(vscodeUserDir(env), "globalStorage", "saoudrizwan.claude-dev")],
  },
  "roo-code": {
    label: "Roo Code",
    format: "json",
    keyPath: ["mcpServers"],
    container: "map",
    shape: "stdio",
    user: (env) =>
      paths(env).join(
        vscodeUserDir(env),
        "globalStorage",
        "rooveterinaryinc.roo-cline",
        "settings",
        "mcp_settings.json",
      ),
    project: ".roo/mcp.json",
    detect: (env) => [paths(env).join(vscodeUserDir(env), "globalStorage", "rooveterinaryinc.roo-cline")],
  },
  continue: {
    label: "Continue",
    format: "yaml",
    keyPath: ["mcpServers"],
    container: "list",
    shape: "continue",
    user: in_(".continue", "config.yaml"),
    // Continue CLI: `Failed to parse config: name: Required, version: Required` without them.
    requiredKeys: ["name", "version"],
    newFileKeys: { name: "Local Config", version: "1.0.0", schema: "v1" },
    detect: (env) => [paths(env).join(env.homedir, ".continue")],
  },
  goose: {
    label: "Goose",
    format: "yaml",
    keyPath: ["extensions"],
    container: "map",
    shape: "goose",
    user: (env) => paths(env).join(gooseDir(env), "config.yaml"),
    detect: (env) => [gooseDir(env)],
  },
  "lm-studio": {
    label: "LM Studio",
    format: "json",
    keyPath: ["mcpServers"],
    container: "map",
    shape: "stdio",
    user: in_(".lmstudio", "mcp.json"),
    detect: (env) => [paths(env).join(env.homedir, ".lmstudio")],
  },
  "qwen-code": {
    label: "Qwen Code",
    // A Gemini CLI fork: same settings format, comments allowed.
    format: "jsonc",
    keyPath: ["mcpServers"],
    container: "map",
    shape: "stdio",
    user: in_(".qwen", "settings.json"),
    project: ".qwen/settings.json",
    detect: (env) => [paths(env).join(env.homedir, ".qwen")],
    cli: "qwen mcp add --scope user task-orchestrator <command> serve",
  },
  opencode: {
    label: "OpenCode",
    format: "jsonc",
    keyPath: ["mcp"],
    container: "map",
    shape: "opencode",
    user: (env) => paths(env).join(opencodeDir(env), "opencode.json"),
    // OpenCode merges config.json, opencode.json, then opencode.jsonc (later wins); its own
    // `opencode mcp add` writes opencode.jsonc on a fresh machine.
    userFiles: (env) =>
      ["opencode.jsonc", "opencode.json", "config.json"].map((f) => paths(env).join(opencodeDir(env), f)),
    project: "opencode.json",
    // In a project it merges opencode.jsonc first, then opencode.json.
    projectFiles: ["opencode.json", "opencode.jsonc"],
    detect: (env) => [opencodeDir(env)],
  },
  kiro: {
    label: "Kiro",
    format: "json",
    keyPath: ["mcpServers"],
    container: "map",
    shape: "stdio",
    user: in_(".kiro", "settings", "mcp.json"),
    project: ".kiro/settings/mcp.json",
    detect: (env) => [paths(env).join(env.homedir, ".kiro")],
  },
} as const satisfies Record<string, ClientSpec>;

export type ClientId = keyof typeof CLIENTS;

/** Every client, in the order help and reports list them. */
export const CLIENT_IDS = Object.keys(CLIENTS) as ClientId[];

/** The spec of a client, typed as the general interface (the table itself is `as const`). */
export function clientSpec(id: ClientId): ClientSpec {
  return CLIENTS[id];
}

/** Names people type for clients, mapped to their ids. */
const ALIASES: Readonly<Record<string, ClientId>> = {
  claude: "claude-desktop",
  "claude-desktop": "claude-desktop",
  claudedesktop: "claude-desktop",
  "claude-code": "claude-code",
  claudecode: "claude-code",
  code: "vscode",
  "vs-code": "vscode",
  copilot: "vscode",
  gemini: "gemini-cli",
  roo: "roo-code",
  roocode: "roo-code",
  lmstudio: "lm-studio",
  "open-code": "opencode",
  qwen: "qwen-code",
  qwencode: "qwen-code",
  codeium: "windsurf",
};

/** The client id for what a user typed (case-insensitive, common aliases), or undefined. */
export function parseClientId(raw: string): ClientId | undefined {
  const key = raw.trim().toLowerCase();
  if (key in CLIENTS) return key as ClientId;
  return ALIASES[key];
}

/**
 * The config file of a client for a scope: the one install creates when none exists. Project and
 * local scope need the project folder and a client that has that scope; callers check
 * `hasScope` first.
 */
export function resolveClientPath(id: ClientId, scope: Scope, env: InstallEnv, projectDir?: string): string {
  const spec = clientSpec(id);
  if (scope === "user") return spec.user(env);
  if (scope === "local") {
    if (!spec.local) throw new Error(`${spec.label} has no local scope`);
    return spec.local.file(env);
  }
  if (!spec.project) throw new Error(`${spec.label} has no project-scoped config file`);
  return inProject(env, projectDir, spec.project);
}

function inProject(env: InstallEnv, projectDir: string | undefined, rel: string): string {
  const p = env.platform === "win32" ? win32 : posix;
  return p.join(projectDir ?? ".", ...rel.split("/"));
}

/**
 * Every file a client reads servers from for a scope, highest precedence first, each with the keys
 * to its servers. The file install creates (resolveClientPath) is among them.
 */
export function configFiles(
  id: ClientId,
  scope: Scope,
  env: InstallEnv,
  projectDir?: string,
): ConfigLocation[] {
  const spec = clientSpec(id);
  const at = (path: string, keyPath: readonly string[] = spec.keyPath): ConfigLocation => ({
    path,
    format: spec.format,
    keyPath,
    container: spec.container,
    shape: spec.shape,
  });
  if (scope === "local") {
    if (!spec.local) throw new Error(`${spec.label} has no local scope`);
    return [at(spec.local.file(env), spec.local.keyPath(projectDir ?? "."))];
  }
  if (scope === "user") return (spec.userFiles?.(env) ?? [spec.user(env)]).map((p) => at(p));
  if (!spec.project) throw new Error(`${spec.label} has no project-scoped config file`);
  return (spec.projectFiles ?? [spec.project]).map((rel) => at(inProject(env, projectDir, rel)));
}

/** The scopes a client has: user always, then project and local where it reads them. */
export function scopesOf(id: ClientId): Scope[] {
  const spec = clientSpec(id);
  return [
    "user",
    ...(spec.project !== undefined ? (["project"] as const) : []),
    ...(spec.local !== undefined ? (["local"] as const) : []),
  ];
}

export function hasScope(id: ClientId, scope: Scope): boolean {
  return scopesOf(id).includes(scope);
}

export function hasProjectScope(id: ClientId): boolean {
  return hasScope(id, "project");
}

/**
 * Which scope wins when the same server name is in several, highest first. Claude Code documents
 * local > project > user; the others that have a project file let it override the user one.
 */
export function scopePrecedence(id: ClientId): Scope[] {
  return (["local", "project", "user"] as const).filter((s) => hasScope(id, s));
}
