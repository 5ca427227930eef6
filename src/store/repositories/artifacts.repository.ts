import type { Artifact } from "../../core/artifact.ts";
import type { ArtifactType } from "../../core/task.ts";
import type { Executor } from "../database.ts";
import type { ArtifactRow, NewArtifactRow } from "../tables/artifacts.table.ts";
import { requireArtifactRowPath, requireIdsToStore } from "./_row-check.ts";

export function artifactRowToArtifact(r: ArtifactRow): Artifact {
  requireArtifactRowPath(r);
  return {
    id: r.id,
    taskId: r.task_id,
    planId: r.plan_id,
    type: r.type as ArtifactType,
    summary: r.summary,
    path: r.path,
    size: r.size,
    sha256: r.sha256,
    filePaths: JSON.parse(r.file_paths) as string[],
    createdAt: r.created_at,
  };
}

export async function insertArtifact(db: Executor, row: NewArtifactRow): Promise<void> {
  requireIdsToStore("artifacts", { id: row.id, task_id: row.task_id, plan_id: row.plan_id });
  requireArtifactRowPath(row);
  await db.insertInto("artifacts").values(row).execute();
}

export async function findArtifact(
  db: Executor,
  workspace: string,
  id: string,
): Promise<Artifact | undefined> {
  const r = await db
    .selectFrom("artifacts")
    .selectAll()
    .where("workspace", "=", workspace)
    .where("id", "=", id)
    .executeTakeFirst();
  return r ? artifactRowToArtifact(r) : undefined;
}

/** Artifacts of the given tasks, oldest first, grouped by task id. */
export async function findTaskArtifacts(
  db: Executor,
  workspace: string,
  taskIds: readonly string[],
): Promise<Map<string, Artifact[]>> {
  const out = new Map<string, Artifact[]>();
  for (let i = 0; i < taskIds.length; i += 500) {
    const rows = await db
      .selectFrom("artifacts")
      .selectAll()
      .where("workspace", "=", workspace)
      .where("task_id", "in", taskIds.slice(i, i + 500))
      .orderBy("created_at")
      .execute();
    for (const r of rows) out.set(r.task_id, [...(out.get(r.task_id) ?? []), artifactRowToArtifact(r)]);
  }
  return out;
}

/** Every artifact row of the workspace, unmapped (structure validation checks them first). */
export async function findAllArtifactRows(db: Executor, workspace: string): Promise<ArtifactRow[]> {
  return db.selectFrom("artifacts").selectAll().where("workspace", "=", workspace).execute();
}
