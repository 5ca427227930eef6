import type { Insertable, Selectable } from "kysely";

/** An artifact file's index row: where it is, how big, and its sha256 for integrity checks. */
export interface ArtifactsTable {
  workspace: string;
  id: string;
  task_id: string;
  plan_id: string;
  type: string;
  summary: string;
  path: string;
  size: number;
  sha256: string;
  /** JSON array of workspace-relative paths. */
  file_paths: string;
  created_at: string;
}
export type ArtifactRow = Selectable<ArtifactsTable>;
export type NewArtifactRow = Insertable<ArtifactsTable>;
