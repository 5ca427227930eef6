import type { Executor } from "../database.ts";
import type { StoredRequest } from "../records.ts";

/** The stored answer for (workspace, tool, request_id), or undefined. */
export async function findRequestResult(
  db: Executor,
  workspace: string,
  tool: string,
  requestId: string,
): Promise<StoredRequest | undefined> {
  const r = await db
    .selectFrom("request_results")
    .selectAll()
    .where("workspace", "=", workspace)
    .where("tool", "=", tool)
    .where("request_id", "=", requestId)
    .executeTakeFirst();
  return r
    ? {
        tool: r.tool,
        requestId: r.request_id,
        fingerprint: r.fingerprint,
        result: r.result,
        createdAt: r.created_at,
      }
    : undefined;
}

export async function insertRequestResult(db: Executor, workspace: string, r: StoredRequest): Promise<void> {
  await db
    .insertInto("request_results")
    .values({
      workspace,
      tool: r.tool,
      request_id: r.requestId,
      fingerprint: r.fingerprint,
      result: r.result,
      created_at: r.createdAt,
    })
    .execute();
}

/** Forgets answers older than `before` (ISO time), in every workspace of the file. */
export async function pruneRequestResults(db: Executor, before: string): Promise<void> {
  await db.deleteFrom("request_results").where("created_at", "<", before).execute();
}
