import { z } from "zod";

/**
 * Access tokens of the HTTP team server (`orchestrator token`): each has a name, which is the
 * agent identity its holder acts under (claims, history, synthesis). The secret itself is never
 * stored, only its SHA-256 digest.
 */

/** Token names: they become agent ids and appear in logs, so a small safe alphabet, bounded. */
export const TOKEN_NAME_RULE =
  "1 to 64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit";
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const TokenNameSchema = z.string().regex(TOKEN_NAME, TOKEN_NAME_RULE);

export function isValidTokenName(name: string): boolean {
  return typeof name === "string" && TOKEN_NAME.test(name);
}

/** What `token list` shows: everything but the secret. Times are ISO-8601 UTC. */
export interface TokenInfo {
  readonly name: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  /** The project ids the token may act in; null: every project of the database. */
  readonly projects: readonly string[] | null;
}

/** Most projects one token may be limited to (a bound on what a row may hold). */
export const TOKEN_PROJECTS_MAX = 100;

/** Whether a token limited to `projects` (null: unlimited) may act in project `id`. */
export function tokenAllowsProject(projects: readonly string[] | null | undefined, id: string): boolean {
  return projects === null || projects === undefined || projects.includes(id);
}

/** Whether a token may be used at `now` (ISO): not revoked, not expired. */
export function tokenState(t: TokenInfo, now: string): "active" | "revoked" | "expired" {
  if (t.revokedAt !== null) return "revoked";
  if (t.expiresAt !== null && t.expiresAt <= now) return "expired";
  return "active";
}

/**
 * Whether `agentId` may be used by the holder of token `name`: the name itself or a sub-agent
 * under it (`name/...`), never another credential's identity.
 */
export function agentBelongsTo(agentId: string, name: string): boolean {
  return agentId === name || agentId.startsWith(`${name}/`);
}
