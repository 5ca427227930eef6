import type { Artifact } from "../core/artifact.ts";
import { OrchestratorError } from "../core/errors.ts";
import type { AppContext } from "./context.ts";

/** The largest page of content returned at once (characters). */
export const MAX_PAGE_CHARS = 100_000;

export interface ArtifactPage {
  readonly artifact: Artifact;
  readonly content: string;
  readonly offset: number;
  readonly totalChars: number;
  /** Where the next page starts, or null when this page reaches the end. */
  readonly nextOffset: number | null;
  /** Whether the file still matches the sha256 recorded when it was written. */
  readonly checksumOk: boolean;
}

/**
 * An artifact's stored text, paged by characters. Throws ARTIFACT_NOT_FOUND for an unknown id or
 * a missing file (saying which, and that validate_structure finds such cases).
 */
export async function getArtifact(
  ctx: AppContext,
  artifactId: string,
  page: { offset: number; maxChars: number },
): Promise<ArtifactPage> {
  const artifact = await ctx.store.direct.findArtifact(ctx.project, artifactId);
  if (!artifact) {
    throw new OrchestratorError(
      "ARTIFACT_NOT_FOUND",
      `Artifact ${artifactId} does not exist in workspace ${ctx.workspace}. Artifact ids (artifact_xxxxxxxx) are listed by orchestrator_get_task.`,
      { data: { artifact_id: artifactId } },
    );
  }
  const read = await ctx.files.readArtifact(artifact.path);
  if ("unreadable" in read) {
    throw new OrchestratorError(
      "ARTIFACT_NOT_FOUND",
      `Artifact ${artifactId} is recorded at ${artifact.path}, but that file cannot be read (${read.unreadable}). Run orchestrator_maintenance_coordinator with action validate_structure to check all artifacts.`,
      { cause: read.cause, data: { artifact_id: artifactId, path: artifact.path } },
    );
  }
  const text = read.text;
  const maxChars = Math.min(page.maxChars, MAX_PAGE_CHARS);
  const offset = Math.min(page.offset, text.length);
  const end = Math.min(text.length, offset + maxChars);
  return {
    artifact,
    content: text.slice(offset, end),
    offset,
    totalChars: text.length,
    nextOffset: end < text.length ? end : null,
    checksumOk: read.sha256 === artifact.sha256,
  };
}
