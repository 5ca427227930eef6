// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the clients' own variable syntax, written literally
import type { ClientId } from "./clients.ts";
import type { RemoteShape } from "./remote-entry.ts";

/**
 * For `install --url`: each client's own remote entry where its file can take the URL and read the
 * token from an environment variable, else a local bridge entry (`orchestrator connect URL
 * --token-env VAR`) and the reason. Claude Code 2.1.197 and Gemini CLI 0.61.0 were checked with
 * the real CLIs (`mcp list` connects under the token's name); the others follow their docs
 * (docs/reference/clients-sources.md).
 */
export type RemoteSupport =
  | {
      readonly kind: "direct";
      readonly shape: RemoteShape /** How the entry names the variable, for messages and docs. */;
      readonly expands: string;
    }
  | { readonly kind: "bridge"; readonly why: string };

export const REMOTE_SUPPORT = {
  "claude-desktop": {
    kind: "bridge",
    why: "its config file takes only stdio servers (remote ones go through Settings → Connectors, with OAuth)",
  },
  "claude-code": { kind: "direct", shape: "claude", expands: "${VAR} in its headers" },
  cursor: { kind: "direct", shape: "cursor", expands: "${env:VAR} in its headers" },
  windsurf: { kind: "direct", shape: "windsurf", expands: "${env:VAR} in its headers" },
  vscode: { kind: "direct", shape: "vscode", expands: "${env:VAR} in its headers" },
  zed: {
    kind: "bridge",
    why: "no variable expansion is documented for its context_servers headers",
  },
  codex: { kind: "direct", shape: "codex", expands: "bearer_token_env_var" },
  "gemini-cli": { kind: "direct", shape: "gemini", expands: "${VAR} in its headers" },
  cline: { kind: "bridge", why: "no variable expansion is documented for its streamableHttp headers" },
  "roo-code": {
    kind: "bridge",
    why: "variable expansion in its remote headers is not documented for every version it runs in",
  },
  continue: {
    kind: "bridge",
    why: "its headers read `${{ secrets.NAME }}` from Continue's own secrets, not the environment",
  },
  goose: {
    kind: "bridge",
    why: "no variable expansion is documented for its streamable_http headers upstream",
  },
  "lm-studio": { kind: "bridge", why: "no variable expansion is documented for its remote headers" },
  "qwen-code": { kind: "direct", shape: "gemini", expands: "${VAR} in its headers" },
  opencode: { kind: "direct", shape: "opencode", expands: "{env:VAR} in its headers" },
  kiro: { kind: "bridge", why: "no variable expansion is documented for its remote headers" },
} as const satisfies Record<ClientId, RemoteSupport>;

export function remoteSupport(id: ClientId): RemoteSupport {
  return REMOTE_SUPPORT[id];
}
