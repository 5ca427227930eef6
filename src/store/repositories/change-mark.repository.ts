import { CompiledQuery } from "kysely";
import type { Executor } from "../database.ts";
import { dialectOf } from "../dialect.ts";

const SELECT_MARK = CompiledQuery.raw(
  "select (select data_version from pragma_data_version()) as v, total_changes() as c",
);

/**
 * A value that differs after any change to the database, so a reader may keep what it read until
 * it does (get_status). On SQLite: `data_version` moves when another connection, in any process,
 * commits; `total_changes()` when this process's one connection writes (a rolled-back write moves
 * it too: only ever a needless re-read). Read it before the reads it vouches for and outside their
 * transaction: a commit between the two then only makes the kept answer newer than its mark.
 * (A snapshot opened `immutable`, open-snapshot.ts, never sees another's commit: only one-shot CLI
 * reads use one.) Undefined on PostgreSQL: servers on several machines share it and it has no such
 * cheap mark, so nothing is kept there.
 */
export async function readChangeMark(db: Executor): Promise<string | undefined> {
  if (dialectOf(db) !== "sqlite") return undefined;
  const { rows } = await db.executeQuery<{ v: number; c: number }>(SELECT_MARK);
  const r = rows[0];
  return r ? `${r.v}:${r.c}` : undefined;
}
