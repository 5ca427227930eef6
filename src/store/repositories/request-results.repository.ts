import type { Executor } from "../database.ts";
import type { NewRequestResultRow, RequestResultRow } from "../tables/request-results.table.ts";

/** The stored answer for (workspace, tool, request_id), or undefined. */
export async function findRequestResult(
  db: Executor,
  workspace: string,
  tool: string,
  requestId: string,
): Promise<RequestResultRow | undefined> {
  return db
    .selectFrom("request_results")
    .selectAll()
    .where("workspace", "=", workspace)
    .where("tool", "=", tool)
    .where("request_id", "=", requestId)
    .executeTakeFirst();
}

export async function insertRequestResult(db: Executor, row: NewRequestResultRow): Promise<void> {
  await db.insertInto("request_results").values(row).execute();
}

/** Forgets answers older than `before` (ISO time), in every workspace of the file. */
export async function pruneRequestResults(db: Executor, before: string): Promise<void> {
  await db.deleteFrom("request_results").where("created_at", "<", before).execute();
}
