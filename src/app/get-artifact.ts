import type { Artifact } from "../core/artifact.ts";
import { OrchestratorError } from "../core/errors.ts";
import { readArtifactTexts } from "./_artifact-text.ts";
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
  /** Whether the text matches the sha256 recorded when it was written (a stored text always does: one that does not is refused). */
  readonly checksumOk: boolean;
}

/**
 * An artifact's text, paged by characters: from the store (the same on every machine sharing it),
 * or from the file for rows written before artifacts were kept in the store. Throws
 * ARTIFACT_NOT_FOUND for an unknown id or an old row's missing file, STORE_ROW_INVALID for a
 * stored text that no longer matches its sha256. Writes no file (a reading call).
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
  const read = (await readArtifactTexts(ctx, [artifact])).get(artifact.id);
  if (!read || "problem" in read) {
    const detail = read?.detail ?? "it could not be read";
    if (read?.problem === "altered_in_store") {
      throw new OrchestratorError(
        "STORE_ROW_INVALID",
        `Artifact ${artifactId} was not used: ${detail}. Run orchestrator_maintenance_coordinator with action validate_structure and validation_level comprehensive to list such artifacts; re-run the task (orchestrator_update_task status pending) if its result is needed.`,
        { data: { table: "artifacts", column: "content", artifact_id: artifactId } },
      );
    }
    throw new OrchestratorError(
      "ARTIFACT_NOT_FOUND",
      `Artifact ${artifactId}: ${detail}. Run orchestrator_maintenance_coordinator with action validate_structure to check all artifacts.`,
      { cause: read?.cause, data: { artifact_id: artifactId, path: artifact.path } },
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
    checksumOk: read.checksumOk,
  };
}
