import { sql } from "kysely";
import type { Db } from "../database.ts";
import { appliedMigrations } from "../health.ts";
import { MIGRATIONS } from "../migrations/index.ts";

/**
 * PostgreSQL's counterpart of SQLite's quick_check: the server answers a query (reachable) and
 * every migration this binary knows is applied, none it does not. `["ok"]` when so, else one line
 * per finding. (The server checks its own pages; there is no user-level integrity pragma.)
 */
export async function pgIntegrity(db: Db): Promise<string[]> {
  await sql`select 1`.execute(db);
  const applied = await appliedMigrations(db);
  const known = Object.keys(MIGRATIONS);
  const missing = known.filter((m) => !applied.includes(m));
  const unknown = applied.filter((m) => !known.includes(m));
  const out = [
    ...missing.map((m) => `migration ${m} not applied`),
    ...unknown.map((m) => `migration ${m} unknown to this version`),
  ];
  return out.length === 0 ? ["ok"] : out;
}
