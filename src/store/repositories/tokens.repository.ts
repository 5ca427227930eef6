import { OrchestratorError } from "../../core/errors.ts";
import { ProjectIdSchema } from "../../core/project-id.ts";
import { isValidTokenName, TOKEN_NAME_RULE, TOKEN_PROJECTS_MAX } from "../../core/token.ts";
import type { Executor } from "../database.ts";
import type { StoredToken } from "../records.ts";
import type { TokenRow } from "../tables/tokens.table.ts";

/*
 * Bearer tokens of the HTTP server. Not per workspace: one database, one set of credentials.
 * A name is an agent identity, so a row whose name breaks the rule was not written by us and is
 * refused rather than trusted (the same wall as the id rule for tasks).
 */

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The stored project list: null (unlimited), or valid ids only; anything else is not ours. */
function parseProjects(raw: string | null): readonly string[] | null | "invalid" {
  if (raw === null) return null;
  try {
    const v: unknown = JSON.parse(raw);
    if (!Array.isArray(v) || v.length === 0 || v.length > TOKEN_PROJECTS_MAX) return "invalid";
    const ids: string[] = [];
    for (const x of v) {
      const p = ProjectIdSchema.safeParse(x);
      // Stored ids are canonical already; one that changes when checked was not written by us.
      if (!p.success || p.data !== x) return "invalid";
      ids.push(p.data);
    }
    return ids;
  } catch {
    return "invalid";
  }
}

function toToken(r: TokenRow): StoredToken {
  const projects = parseProjects(r.projects ?? null);
  if (!isValidTokenName(r.name) || !SHA256_HEX.test(r.token_hash) || projects === "invalid") {
    throw new OrchestratorError(
      "STORE_ROW_INVALID",
      `The database holds a tokens row named ${JSON.stringify(String(r.name).slice(0, 80))} that this orchestrator never writes (names: ${TOKEN_NAME_RULE}; a sha256 digest; projects: a JSON array of project ids or NULL); it was not used. Delete the row, or revoke and recreate the token.`,
      { data: { table: "tokens", column: "name", value: String(r.name).slice(0, 80) } },
    );
  }
  return {
    name: r.name,
    hash: r.token_hash,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    projects,
  };
}

export async function insertToken(db: Executor, t: StoredToken): Promise<void> {
  // The same wall on the way in, so no caller stores a row the mapper would then refuse forever.
  const projects = t.projects === null ? null : JSON.stringify(t.projects);
  if (!isValidTokenName(t.name) || !SHA256_HEX.test(t.hash) || parseProjects(projects) === "invalid") {
    throw new OrchestratorError(
      "INVALID_INPUT",
      `Refused to store a token named ${JSON.stringify(t.name.slice(0, 80))}: names are ${TOKEN_NAME_RULE}, with a sha256 digest and 1 to ${TOKEN_PROJECTS_MAX} valid project ids or none.`,
    );
  }
  await db
    .insertInto("tokens")
    .values({
      name: t.name,
      token_hash: t.hash,
      created_at: t.createdAt,
      last_used_at: t.lastUsedAt,
      expires_at: t.expiresAt,
      revoked_at: t.revokedAt,
      projects,
    })
    .execute();
}

export async function findToken(db: Executor, name: string): Promise<StoredToken | undefined> {
  const r = await db.selectFrom("tokens").selectAll().where("name", "=", name).executeTakeFirst();
  return r ? toToken(r) : undefined;
}

/** The token whose secret has this digest (the unique index makes it one lookup). */
export async function findTokenByHash(db: Executor, hash: string): Promise<StoredToken | undefined> {
  const r = await db.selectFrom("tokens").selectAll().where("token_hash", "=", hash).executeTakeFirst();
  return r ? toToken(r) : undefined;
}

/** Every token, oldest first. */
export async function listTokens(db: Executor): Promise<StoredToken[]> {
  const rows = await db.selectFrom("tokens").selectAll().orderBy("created_at").orderBy("name").execute();
  return rows.map(toToken);
}

/** How many tokens the database holds, revoked and expired included (any row means auth is on). */
export async function countTokens(db: Executor): Promise<number> {
  const r = await db
    .selectFrom("tokens")
    .select((eb) => eb.fn.countAll<number | string | bigint>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Marks a token revoked at `at`; true when it was active until now (false: unknown or already revoked). */
export async function revokeToken(db: Executor, name: string, at: string): Promise<boolean> {
  const r = await db
    .updateTable("tokens")
    .set({ revoked_at: at })
    .where("name", "=", name)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Records a use of the token (callers throttle it: one write a minute at most). */
export async function touchToken(db: Executor, name: string, at: string): Promise<void> {
  await db.updateTable("tokens").set({ last_used_at: at }).where("name", "=", name).execute();
}
