import type { InstallFault } from "../platform/test-hooks.ts";

/**
 * Shared vocabulary of the installer: what a client's config file looks like and what we put in
 * it. The client table (clients.ts), the pure text edits (edit/*.ts) and the write pipeline
 * (apply.ts) all speak these types.
 */

export type ConfigFormat = "json" | "jsonc" | "toml" | "yaml";
/**
 * Where an entry lives: `user` (every project), `project` (a file in the project folder, often
 * shared through git) or `local` (Claude Code: one project's entries kept in the user's file).
 */
export type Scope = "user" | "project" | "local";
export const SCOPES: readonly Scope[] = ["user", "project", "local"];
export type Platform = "linux" | "darwin" | "win32";

/**
 * How our entry is written in a client's file:
 * - `stdio`: `{ command, args, env? }` (Claude Desktop, Cursor, Windsurf, Gemini CLI, Cline, Roo, LM Studio, Kiro, Zed)
 * - `typed-stdio`: `{ type: "stdio", command, args, env? }` (Claude Code, VS Code)
 * - `goose`: `{ name, type: "stdio", cmd, args, envs, enabled: true, timeout: 300 }`
 * - `continue`: a list item `{ name, command, args, env? }` under `mcpServers:`
 * - `opencode`: `{ type: "local", command: [cmd, ...args], environment?, enabled: true }`
 * - `codex`: a TOML table `[mcp_servers.<name>]` with `command`, `args`, `env`
 */
export type EntryShape = "stdio" | "typed-stdio" | "goose" | "continue" | "opencode" | "codex";

/** The environment path resolution needs, passed in so every OS can be computed on any OS. */
export interface InstallEnv {
  readonly platform: Platform;
  readonly homedir: string;
  /** %APPDATA% on Windows (Roaming). */
  readonly appData?: string | undefined;
  /** %LOCALAPPDATA% on Windows. */
  readonly localAppData?: string | undefined;
  /** $XDG_CONFIG_HOME on Linux (and honoured on macOS by clients that use it). */
  readonly xdgConfigHome?: string | undefined;
  /** $XDG_DATA_HOME (where our own backups live on Linux). */
  readonly xdgDataHome?: string | undefined;
  /** Any other variable a client reads (CODEX_HOME, CLAUDE_CONFIG_DIR, GOOSE_CONFIG_DIR...). */
  readonly vars: Readonly<Record<string, string | undefined>>;
  /** Test only (platform/test-hooks.ts): the write pipeline fails at this point, to prove the rollback. */
  readonly installFault?: InstallFault | undefined;
}

/** Where a client keeps its MCP servers in one file. */
export interface ConfigLocation {
  readonly path: string;
  readonly format: ConfigFormat;
  /** Keys from the document root to the map (or list) of servers, e.g. ["mcpServers"]. */
  readonly keyPath: readonly string[];
  /** A map keyed by server name, or (Continue) a list of items with a `name`. */
  readonly container: "map" | "list";
  readonly shape: EntryShape;
}

/** The neutral description of our server entry, before it is shaped for a client. */
export interface ServerEntry {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** What an edit asks for: one named entry under keyPath. */
export interface EntryEdit {
  readonly format: ConfigFormat;
  readonly keyPath: readonly string[];
  readonly container: "map" | "list";
  /** The server name, e.g. "task-orchestrator". */
  readonly name: string;
}

/** Outcome of a pure text edit. */
export type EditOutcome =
  | { readonly status: "changed"; readonly text: string }
  | { readonly status: "unchanged" };

/** A config file that does not parse: where and why. Never treated as empty. */
export class ConfigParseError extends Error {
  override readonly name = "ConfigParseError";
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super(message);
    this.line = line;
    this.column = column;
  }
}

/** The name our entry has in every client's config. */
export const SERVER_NAME = "task-orchestrator";
