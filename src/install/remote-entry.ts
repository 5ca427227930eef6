import type { RemoteTarget } from "../remote/target.ts";
import type { ServerEntry } from "./types.ts";

/**
 * How a client's own file spells a remote (Streamable HTTP) server whose bearer token comes from
 * an environment variable, for the clients that can read one there. Each was read from the
 * client's documentation or source (docs/reference/clients-sources.md); a client not listed in
 * CLIENT_REMOTE (clients.ts `remote`) gets a local bridge entry running `orchestrator connect`.
 * - `claude`: `{ type: "http", url, headers: { Authorization: "Bearer ${VAR}" } }` (Claude Code)
 * - `vscode`: `{ type: "http", url, headers: { Authorization: "Bearer ${env:VAR}" } }`
 * - `cursor`: `{ url, headers: { Authorization: "Bearer ${env:VAR}" } }`
 * - `windsurf`: `{ serverUrl, headers: { Authorization: "Bearer ${env:VAR}" } }`
 * - `gemini`: `{ httpUrl, headers: { Authorization: "Bearer ${VAR}" } }` (Gemini CLI, Qwen Code)
 * - `codex`: `url = "..."`, `bearer_token_env_var = "VAR"` (Codex reads the variable itself)
 * - `opencode`: `{ type: "remote", url, headers: { Authorization: "Bearer {env:VAR}" }, enabled: true }`
 */
export type RemoteShape = "claude" | "vscode" | "cursor" | "windsurf" | "gemini" | "codex" | "opencode";

/** The variable reference each shape's client expands in a header value. */
function reference(shape: RemoteShape, name: string): string {
  switch (shape) {
    case "vscode":
    case "cursor":
    case "windsurf":
      return `\${env:${name}}`;
    case "opencode":
      return `{env:${name}}`;
    default:
      return `\${${name}}`;
  }
}

/** The entry, as the client's file spells it; no header when the server needs no token. */
export function shapeRemoteEntry(
  shape: RemoteShape,
  target: RemoteTarget | { url: string; tokenEnv?: undefined },
): unknown {
  const headers = target.tokenEnv
    ? { headers: { Authorization: `Bearer ${reference(shape, target.tokenEnv)}` } }
    : {};
  switch (shape) {
    case "claude":
    case "vscode":
      return { type: "http", url: target.url, ...headers };
    case "cursor":
      return { url: target.url, ...headers };
    case "windsurf":
      return { serverUrl: target.url, ...headers };
    case "gemini":
      return { httpUrl: target.url, ...headers };
    case "codex":
      return { url: target.url, ...(target.tokenEnv ? { bearer_token_env_var: target.tokenEnv } : {}) };
    case "opencode":
      return { type: "remote", url: target.url, ...headers, enabled: true };
  }
}

/** What a remote entry points at: its URL and the variable its token comes from (if it names one). */
export interface RemoteRef {
  readonly url: string;
  readonly tokenEnv: string | undefined;
  /** The Authorization header holds a literal value (a token written into the file). */
  readonly literalToken: boolean;
}

const REFERENCE =
  /^Bearer\s+(?:\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\{env:([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*))\s*$/;

/**
 * Reads a remote entry of any client back (url, serverUrl, httpUrl or Goose's uri; the token's
 * variable from the Authorization header or Codex's bearer_token_env_var), or undefined when the
 * entry is not a remote one.
 */
export function unshapeRemoteEntry(value: unknown): RemoteRef | undefined {
  if (!value || typeof value !== "object") return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.command === "string" || Array.isArray(v.command) || typeof v.cmd === "string")
    return undefined;
  const url = [v.url, v.serverUrl, v.httpUrl, v.uri].find((u): u is string => typeof u === "string");
  if (url === undefined) return undefined;
  if (typeof v.bearer_token_env_var === "string")
    return { url, tokenEnv: v.bearer_token_env_var, literalToken: false };
  const headers = (v.headers ?? v.http_headers) as Record<string, unknown> | undefined;
  const auth =
    headers && typeof headers === "object"
      ? Object.entries(headers).find(([k]) => k.toLowerCase() === "authorization")?.[1]
      : undefined;
  if (typeof auth !== "string") return { url, tokenEnv: undefined, literalToken: false };
  const m = REFERENCE.exec(auth);
  const tokenEnv = m ? (m[1] ?? m[2] ?? m[3] ?? m[4]) : undefined;
  return { url, tokenEnv, literalToken: !m };
}

/** The stdio entry that bridges to the remote server: `<binary> [script] connect URL [--token-env VAR]`. */
export function buildBridgeEntry(opts: {
  readonly command: string;
  readonly commandArgs?: readonly string[];
  readonly target: RemoteTarget | { url: string; tokenEnv?: undefined };
}): ServerEntry {
  return {
    command: opts.command,
    args: [
      ...(opts.commandArgs ?? []),
      "connect",
      opts.target.url,
      ...(opts.target.tokenEnv ? ["--token-env", opts.target.tokenEnv] : []),
    ],
    env: {},
  };
}

/** The URL and variable of a bridge entry's arguments (`connect URL [--token-env VAR]`), if it is one. */
export function bridgeTarget(
  args: readonly string[],
): { url: string; tokenEnv: string | undefined } | undefined {
  const at = args.indexOf("connect");
  const url = at >= 0 ? args[at + 1] : undefined;
  if (url === undefined) return undefined;
  const flag = args.indexOf("--token-env", at);
  const inline = args.find((a) => a.startsWith("--token-env="));
  const tokenEnv = flag >= 0 ? args[flag + 1] : inline?.slice("--token-env=".length);
  return { url, tokenEnv };
}

/**
 * Ours: a remote entry at an MCP endpoint path (`…/mcp`), or one that reads its token from a
 * variable (what install writes, whatever path a proxy publishes the server under).
 */
export function isOurRemote(ref: RemoteRef | undefined): boolean {
  if (!ref) return false;
  if (ref.tokenEnv !== undefined) return true;
  try {
    return /\/mcp\/?$/.test(new URL(ref.url).pathname);
  } catch {
    return false;
  }
}
