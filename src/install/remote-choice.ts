import { type ClientId, clientSpec } from "./clients.ts";
import { shapeEntry } from "./entry.ts";
import { remoteSupport } from "./remote-clients.ts";
import { buildBridgeEntry, shapeRemoteEntry } from "./remote-entry.ts";
import { type ConfigLocation, SERVER_NAME } from "./types.ts";

export interface RemoteChoice {
  readonly value: unknown;
  readonly result: { readonly mode: "direct" | "bridge"; readonly url: string; readonly tokenEnv?: string };
  /** What the user must know: where the token is read from, or why a bridge was written. */
  readonly notice: string;
}

/**
 * What `install --url` writes for one client: its own remote entry when its file can read the
 * token from a variable, else a local bridge entry running `orchestrator connect`. The token is
 * never written: only the variable's name.
 */
export function remoteChoice(
  id: ClientId,
  loc: ConfigLocation,
  target: { readonly url: string; readonly tokenEnv?: string | undefined },
  self: { readonly command: string; readonly commandArgs?: readonly string[] | undefined },
): RemoteChoice {
  const support = remoteSupport(id);
  const label = clientSpec(id).label;
  const t = target.tokenEnv ? { url: target.url, tokenEnv: target.tokenEnv } : { url: target.url };
  const where = target.tokenEnv
    ? `${target.tokenEnv} must be set (to the token) in the environment ${label} starts from`
    : "no token is sent (a server without authentication)";
  if (support.kind === "direct") {
    return {
      value: shapeRemoteEntry(support.shape, t),
      result: { mode: "direct", ...t },
      notice: `${label} connects to ${target.url} itself, with the token from ${support.expands}; ${where}.`,
    };
  }
  const bridge = buildBridgeEntry({
    command: self.command,
    ...(self.commandArgs ? { commandArgs: self.commandArgs } : {}),
    target: t,
  });
  return {
    value: shapeEntry(loc.shape, bridge, SERVER_NAME),
    result: { mode: "bridge", ...t },
    notice: `${label} gets a local bridge ('orchestrator connect ${target.url}${target.tokenEnv ? ` --token-env ${target.tokenEnv}` : ""}'), since ${support.why}; ${where}.`,
  };
}
