import type { Insertable, Selectable } from "kysely";

/** An artifact: its text, where its local copy goes, how big, and its sha256 for integrity checks. */
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
  /** The artifact's text (the file is a local copy of it); null in rows written before 2026-12. */
  content: string | null;
}
export type ArtifactRow = Selectable<ArtifactsTable>;
export type NewArtifactRow = Insertable<ArtifactsTable>;
