import { OrchestratorError } from "../core/errors.ts";
import { isLoopback } from "../server/http/address.ts";

/**
 * What a remote entry or the bridge points at: a checked URL and the name of the environment
 * variable holding the bearer token. The token itself never lives in a file or on a command line
 * (both are read by other users and kept in shell history); only the variable's name does.
 */
export interface RemoteTarget {
  readonly url: string;
  readonly tokenEnv: string;
}

/** Shell-safe variable names: what `${VAR}`, `${env:VAR}` and `{env:VAR}` expand in every client. */
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * A remote MCP URL we accept: https anywhere, http only to this machine (a token sent in clear
 * over a network is a token given away), no user name or password in it (the token goes in a
 * variable), no fragment. Returns the normalised URL.
 */
export function checkRemoteUrl(raw: string): string {
  const shown = redactUrl(raw);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new OrchestratorError("REMOTE_URL_INVALID", `'${shown}' is not a URL (expected https://HOST/mcp).`);
  }
  if (u.username !== "" || u.password !== "") {
    throw new OrchestratorError(
      "REMOTE_URL_INVALID",
      `the URL ${redactUrl(raw)} carries credentials; put the token in an environment variable and name it with --token-env.`,
    );
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    throw new OrchestratorError("REMOTE_URL_INVALID", `'${shown}' is not an http(s) URL.`);
  }
  const host = u.hostname.replace(/^\[|\]$/g, "");
  if (u.protocol === "http:" && !isLoopback(host)) {
    throw new OrchestratorError(
      "REMOTE_URL_INVALID",
      `'${shown}' is plain http to another machine: the token would cross the network in clear. Use https:// (put the server behind a TLS proxy).`,
    );
  }
  if (u.hash !== "") throw new OrchestratorError("REMOTE_URL_INVALID", `'${shown}' has a #fragment.`);
  return u.toString();
}

/** What `token create` prints: `orch_` and 43 characters; never a variable's name. */
function looksLikeToken(name: string): boolean {
  return /^orch_[A-Za-z0-9_-]{20,}$/.test(name);
}

/** Checks the name given to --token-env (or found in an entry). */
export function checkTokenEnvName(name: string): string {
  // A token pasted in place of the name must not end up in a config file as one.
  if (!VAR_NAME.test(name) || looksLikeToken(name)) {
    throw new OrchestratorError(
      "USAGE",
      `--token-env takes the NAME of an environment variable (letters, digits, _; not starting with a digit), got '${looksLikeToken(name) ? "orch_***" : name.slice(0, 40)}'${looksLikeToken(name) ? ": that looks like the token itself, which must not be on a command line" : ""}.`,
    );
  }
  return name;
}

/** The URL with any user name, password and query dropped, for messages. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.username || u.password) {
      u.username = "***";
      u.password = "";
    }
    u.search = "";
    return u.toString();
  } catch {
    return raw.replace(/\/\/[^@/]*@/, "//***@").slice(0, 200);
  }
}

/** Reads the token from the variable; a clear error when it is unset or empty. */
export function readToken(vars: Readonly<Record<string, string | undefined>>, tokenEnv: string): string {
  const v = vars[tokenEnv]?.trim();
  if (!v) {
    throw new OrchestratorError(
      "TOKEN_ENV_UNSET",
      `the environment variable ${tokenEnv} (the bearer token for the remote server) is not set in this process's environment.`,
      { data: { variable: tokenEnv } },
    );
  }
  return v;
}
