import { OrchestratorError } from "../core/errors.ts";
import { ProjectIdSchema } from "../core/project-id.ts";
import {
  isValidTokenName,
  TOKEN_NAME_RULE,
  TOKEN_PROJECTS_MAX,
  type TokenInfo,
  tokenState,
} from "../core/token.ts";
import { newToken, sameDigest, tokenDigest } from "../platform/secrets.ts";
import type { StorePort } from "../store/port.ts";

/*
 * The token use-cases of the HTTP team server: create (the secret is returned once and never
 * stored), list, revoke, and the check every request makes. Tokens belong to a database, not to
 * a workspace, so these take the store itself rather than a workspace's AppContext.
 */

/** Longest lifetime `--expires` accepts (10 years): a bound, so the date stays representable. */
const MAX_LIFETIME_MS = 10 * 365 * 86_400_000;

/** Creates token `name`; returns the secret (shown once) and what `token list` will show. */
export async function createToken(
  store: StorePort,
  opts: {
    readonly name: string;
    readonly lifetimeMs?: number | undefined;
    readonly now: string;
    /** `--project`: the project ids the token is limited to; none or empty: every project. */
    readonly projects?: readonly string[] | undefined;
  },
): Promise<{ token: string; info: TokenInfo }> {
  if (!isValidTokenName(opts.name)) {
    throw new OrchestratorError(
      "USAGE",
      `--name ${JSON.stringify(opts.name.slice(0, 80))} is not a valid token name: ${TOKEN_NAME_RULE}.`,
    );
  }
  if (opts.lifetimeMs !== undefined && opts.lifetimeMs > MAX_LIFETIME_MS) {
    throw new OrchestratorError("USAGE", "--expires may be at most 3650d (10 years).");
  }
  const projects = checkProjects(opts.projects ?? []);
  const token = newToken();
  const info: TokenInfo = {
    name: opts.name,
    createdAt: opts.now,
    lastUsedAt: null,
    expiresAt:
      opts.lifetimeMs === undefined ? null : new Date(Date.parse(opts.now) + opts.lifetimeMs).toISOString(),
    revokedAt: null,
    projects,
  };
  await store.write(async (w) => {
    const existing = await w.findToken(opts.name);
    if (existing) {
      throw new OrchestratorError(
        "TOKEN_EXISTS",
        `A token named ${opts.name} exists already${existing.revokedAt ? ` (revoked ${existing.revokedAt})` : ""}; choose another name.`,
        { data: { name: opts.name } },
      );
    }
    await w.insertToken({ ...info, hash: tokenDigest(token) });
  });
  return { token, info };
}

/** `--project` values checked and made canonical (as a settings file's `project:`), duplicates dropped. */
export function checkProjects(given: readonly string[]): readonly string[] | null {
  const ids: string[] = [];
  for (const raw of given) {
    const r = ProjectIdSchema.safeParse(raw);
    if (!r.success) {
      throw new OrchestratorError(
        "USAGE",
        `--project ${JSON.stringify(raw.slice(0, 80))} is not a project id: it ${r.error.issues[0]?.message ?? "is invalid"} (as the project: setting, e.g. github.com/acme/shop or acme-shop).`,
      );
    }
    if (!ids.includes(r.data)) ids.push(r.data);
  }
  if (ids.length > TOKEN_PROJECTS_MAX) {
    throw new OrchestratorError("USAGE", `--project may name at most ${TOKEN_PROJECTS_MAX} projects.`);
  }
  return ids.length === 0 ? null : ids;
}

/** Every token with its state at `now`; never a secret (the store has none, only digests). */
export async function listTokens(
  store: StorePort,
  now: string,
): Promise<(TokenInfo & { state: ReturnType<typeof tokenState> })[]> {
  const all = await store.direct.listTokens();
  return all.map(({ hash: _hash, ...info }) => ({ ...info, state: tokenState(info, now) }));
}

/** Revokes token `name` at `now`; `already` when it was revoked before. Unknown: TOKEN_NOT_FOUND. */
export async function revokeToken(
  store: StorePort,
  name: string,
  now: string,
): Promise<{ revoked: true; already: boolean }> {
  return store.write(async (w) => {
    if (!(await w.findToken(name))) {
      throw new OrchestratorError("TOKEN_NOT_FOUND", `No token named ${JSON.stringify(name.slice(0, 80))}.`, {
        data: { name: name.slice(0, 80) },
      });
    }
    return { revoked: true as const, already: !(await w.revokeToken(name, now)) };
  });
}

/** The outcome of checking a presented bearer token. */
export type TokenCheck =
  | { readonly ok: true; readonly name: string; readonly projects: readonly string[] | null }
  | { readonly ok: false; readonly reason: "unknown" | "revoked" | "expired" };

/** How long a recorded last use stays good enough: at most one write a minute per token. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Checks a bearer token: looked up by its digest (a lookup on the SHA-256 of a 256-bit secret
 * tells a prober nothing it can steer), then compared in constant time. A good token's last use
 * is recorded when the stored one is over a minute old, best effort.
 */
export async function verifyToken(store: StorePort, presented: string, now: string): Promise<TokenCheck> {
  const digest = tokenDigest(presented);
  const found = await store.direct.findTokenByHash(digest);
  if (!found || !sameDigest(found.hash, digest)) return { ok: false, reason: "unknown" };
  const state = tokenState(found, now);
  if (state !== "active") return { ok: false, reason: state };
  const last = found.lastUsedAt === null ? 0 : Date.parse(found.lastUsedAt);
  if (Date.parse(now) - last >= TOUCH_INTERVAL_MS) {
    await store.direct.touchToken(found.name, now).catch(() => {});
  }
  return { ok: true, name: found.name, projects: found.projects };
}
