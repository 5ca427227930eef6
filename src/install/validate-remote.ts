import { existsSync, readFileSync } from "node:fs";
import { OrchestratorError } from "../core/errors.ts";
import { probeRemote, type RemoteProbe } from "../remote/probe.ts";
import { checkRemoteUrl, redactUrl } from "../remote/target.ts";
import { type ClientId, configFiles, scopesOf } from "./clients.ts";
import { readEntry } from "./edit/index.ts";
import { unshapeEntry } from "./entry.ts";
import { entryEdit } from "./locate.ts";
import { bridgeTarget, unshapeRemoteEntry } from "./remote-entry.ts";
import type { InstallEnv, Scope } from "./types.ts";

/** What validate and doctor learned of a remote entry (the client's own, or our connect bridge). */
export interface RemoteCheck {
  readonly url: string;
  readonly via: "direct" | "bridge";
  /** The variable the token comes from (null: the entry sends none, or holds it literally). */
  readonly tokenEnv: string | null;
  /** The handshake through the network, or null when it was not attempted (see `skipped`). */
  readonly probe: RemoteProbe | null;
  readonly skipped: string | null;
  /** The fix for the first problem found, when there is one. */
  readonly fix: string | null;
}

export interface RemoteCheckOptions {
  readonly vars: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs: number;
  /**
   * Whether the token in `tokenEnv` may be sent to `url`. A project's file comes with the
   * repository: it could name another server and a variable holding some other secret, so a
   * project-scope entry is contacted only when the user registered the same URL with the same
   * variable in their own scopes (see registeredRemotes).
   */
  readonly trustedUrl?: (url: string, tokenEnv: string | undefined) => boolean;
}

/**
 * Checks one remote entry: the URL's rules, no token written in the file, the variable set where
 * this runs, then reachable, TLS, token accepted, handshake, tool count and round-trip time.
 * Problems are one line each; `fix` says what to do about the first.
 */
export async function checkRemoteEntry(
  ref: { url: string; tokenEnv: string | undefined; literalToken?: boolean },
  via: "direct" | "bridge",
  scope: Scope,
  opts: RemoteCheckOptions,
): Promise<{ remote: RemoteCheck; problems: string[] }> {
  const base = { url: redactUrl(ref.url), via, tokenEnv: ref.tokenEnv ?? null, probe: null, skipped: null };
  try {
    checkRemoteUrl(ref.url);
  } catch (e) {
    const err = e as OrchestratorError;
    return { remote: { ...base, fix: err.fix }, problems: [`${err.code}: ${err.message}`] };
  }
  if (ref.literalToken) {
    return {
      remote: {
        ...base,
        fix: "Run the install again with --url and --token-env VAR (the file then holds only the variable's name).",
      },
      problems: ["the entry holds a literal Authorization value (a token written into the file)"],
    };
  }
  if (scope === "project" && !opts.trustedUrl?.(ref.url, ref.tokenEnv)) {
    return {
      remote: {
        ...base,
        skipped:
          "a project's file names this URL and variable, which you have not registered in your own (user or local) scope; it is not sent your token",
        fix: null,
      },
      problems: [],
    };
  }
  let token: string | undefined;
  if (ref.tokenEnv) {
    token = opts.vars[ref.tokenEnv]?.trim() || undefined;
    if (!token) {
      const err = new OrchestratorError("TOKEN_ENV_UNSET", "");
      return {
        remote: { ...base, skipped: `${ref.tokenEnv} is not set here`, fix: err.fix },
        problems: [
          `the entry reads its token from ${ref.tokenEnv}, which is not set in this environment: the token was not checked (the client needs it set too)`,
        ],
      };
    }
  }
  const probe = await probeRemote({ url: ref.url, token, timeoutMs: opts.timeoutMs });
  if (probe.ok) return { remote: { ...base, probe, fix: null }, problems: [] };
  return { remote: { ...base, probe, fix: probe.fix }, problems: [`${probe.code}: ${probe.message}`] };
}

/** The key of a URL and variable pair in registeredRemotes. */
export function remoteKey(url: string, tokenEnv: string | undefined): string {
  return `${url}\n${tokenEnv ?? ""}`;
}

/**
 * The remote URL and variable pairs the user registered in their own scopes (user, and local for
 * this project) of these clients, direct or through the bridge: read from the files only.
 */
export function registeredRemotes(
  env: InstallEnv,
  ids: readonly ClientId[],
  projectDir: string | undefined,
): Set<string> {
  const out = new Set<string>();
  for (const id of ids) {
    for (const scope of scopesOf(id).filter((s) => s !== "project")) {
      for (const loc of configFiles(id, scope, env, projectDir)) {
        if (!existsSync(loc.path)) continue;
        let value: unknown;
        try {
          value = readEntry(readFileSync(loc.path, "utf8"), entryEdit(loc));
        } catch {
          continue;
        }
        const direct = unshapeRemoteEntry(value);
        const entry = direct ? undefined : unshapeEntry(loc.shape, value);
        const ref = direct ?? (entry ? bridgeTarget(entry.args) : undefined);
        if (ref) out.add(remoteKey(ref.url, ref.tokenEnv));
      }
    }
  }
  return out;
}
