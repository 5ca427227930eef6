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

export async function insertArtifact(db: Executor, workspace: string, a: Artifact): Promise<void> {
  const row: NewArtifactRow = {
    workspace,
    id: a.id,
    task_id: a.taskId,
    plan_id: a.planId,
    type: a.type,
    summary: a.summary,
    path: a.path,
    size: a.size,
    sha256: a.sha256,
    file_paths: JSON.stringify(a.filePaths),
    created_at: a.createdAt,
  };
  requireIdsToStore("artifacts", { id: row.id, task_id: row.task_id, plan_id: row.plan_id });
  requireArtifactRowPath(row);
  await db.insertInto("artifacts").values(row).execute();
}

/**
 * The file paths of the artifacts of `taskIds`. Each row's path must be the one its ids give: a
 * crafted row naming orchestrator.db (inside the data folder, so the path helper alone would let
 * it through) must not get it deleted, so such a row throws STORE_ROW_INVALID.
 */
export async function findArtifactPaths(
  db: Executor,
  workspace: string,
  taskIds: readonly string[],
): Promise<string[]> {
  if (taskIds.length === 0) return [];
  const rows = await db
    .selectFrom("artifacts")
    .select(["id", "task_id", "plan_id", "path"])
    .where("workspace", "=", workspace)
    .where("task_id", "in", [...taskIds])
    .execute();
  for (const r of rows) requireArtifactRowPath(r);
  return rows.map((r) => r.path);
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

/**
 * Every artifact of the workspace but those named in `skip` (by artifact, task or plan id): what
 * validate_structure checks once it has set aside the rows the mapper would refuse.
 */
export async function findAllArtifacts(
  db: Executor,
  workspace: string,
  skip: {
    readonly ids: ReadonlySet<string>;
    readonly taskIds: ReadonlySet<string>;
    readonly planIds: ReadonlySet<string>;
  },
): Promise<Artifact[]> {
  const rows = await db.selectFrom("artifacts").selectAll().where("workspace", "=", workspace).execute();
  return rows
    .filter((r) => !skip.ids.has(r.id) && !skip.taskIds.has(r.task_id) && !skip.planIds.has(r.plan_id))
    .map(artifactRowToArtifact);
}
