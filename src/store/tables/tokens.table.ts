import type { Insertable, Selectable } from "kysely";

/** Bearer tokens of the HTTP team server, one row per name; the secret only as its digest. */
export interface TokensTable {
  name: string;
  /** sha256 hex of the whole token string. */
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  /** JSON array of project ids the token is limited to; null: every project. */
  projects: string | null;
}
export type TokenRow = Selectable<TokensTable>;
export type NewTokenRow = Insertable<TokensTable>;
