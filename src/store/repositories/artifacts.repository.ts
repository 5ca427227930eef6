import type { Artifact } from "../../core/artifact.ts";
import type { ArtifactType } from "../../core/task.ts";
import type { Executor } from "../database.ts";
import { prepared } from "../prepared.ts";
import type { ArtifactRow, NewArtifactRow } from "../tables/artifacts.table.ts";
import { requireArtifactRowPath, requireIdsToStore } from "./_row-check.ts";

/** Every column but the text: listings carry metadata only, and the text is read when it is used. */
const META = [
  "workspace",
  "id",
  "task_id",
  "plan_id",
  "type",
  "summary",
  "path",
  "size",
  "sha256",
  "file_paths",
  "created_at",
] as const;
type MetaRow = Omit<ArtifactRow, "content"> & { in_store: unknown };

// SQLite answers `content is not null` with 0/1, PostgreSQL with a boolean: Boolean() reads both.
const selectMeta = (db: Executor) =>
  db.selectFrom("artifacts").select([...META, (eb) => eb("content", "is not", null).as("in_store")]);

export function artifactRowToArtifact(r: MetaRow): Artifact {
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
    inStore: Boolean(r.in_store),
  };
}

/**
 * Inserts an artifact with its text (`content`, the bytes `a.size` and `a.sha256` describe).
 * False, storing nothing, when the project already holds an artifact under `a.id`: ids are 32
 * random bits, so a project with tens of thousands of results meets a collision, and the caller
 * draws another id instead of failing the completion.
 */
export async function insertArtifact(
  db: Executor,
  workspace: string,
  a: Artifact,
  content: string,
): Promise<boolean> {
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
    content,
  };
  requireIdsToStore("artifacts", { id: row.id, task_id: row.task_id, plan_id: row.plan_id });
  requireArtifactRowPath(row);
  return (await insertArtifactRow(db, row)).length === 1;
}

const insertArtifactRow = prepared((db, row: NewArtifactRow) =>
  db
    .insertInto("artifacts")
    .values(row)
    .onConflict((oc) => oc.columns(["workspace", "id"]).doNothing())
    .returning("id"),
);

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
  const r = await selectMeta(db).where("workspace", "=", workspace).where("id", "=", id).executeTakeFirst();
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
    const rows = await selectMeta(db)
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
  const rows = await selectMeta(db).where("workspace", "=", workspace).execute();
  return rows
    .filter((r) => !skip.ids.has(r.id) && !skip.taskIds.has(r.task_id) && !skip.planIds.has(r.plan_id))
    .map(artifactRowToArtifact);
}

/**
 * The stored text of the artifacts `ids` that have one (rows written before 2026-12 have none and
 * are left out). The caller checks each text against its row's sha256.
 */
export async function findArtifactContents(
  db: Executor,
  workspace: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom("artifacts")
      .select(["id", "content"])
      .where("workspace", "=", workspace)
      .where("id", "in", ids.slice(i, i + 500))
      .where("content", "is not", null)
      .execute();
    for (const r of rows) if (r.content !== null) out.set(r.id, r.content);
  }
  return out;
}
