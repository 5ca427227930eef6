import { z } from "zod";
import { type Artifact, artifactUri } from "../../core/artifact.ts";
import { ARTIFACT_TYPES } from "../../core/task.ts";

/** An artifact in a task's list: what it is, where, and how to check it. */
export const artifactRefShape = z.object({
  artifact_id: z.string(),
  type: z.string(),
  summary: z.string(),
  path: z.string().describe("Workspace-relative path of the file"),
  uri: z.string(),
  size: z.number(),
  sha256: z.string(),
  created_at: z.string(),
});

export function artifactRef(a: Artifact): z.infer<typeof artifactRefShape> {
  return {
    artifact_id: a.id,
    type: a.type,
    summary: a.summary,
    path: a.path,
    uri: artifactUri(a.id),
    size: a.size,
    sha256: a.sha256,
    created_at: a.createdAt,
  };
}

/** An artifact on its own: its ref plus the task and plan it belongs to and the files it names. */
export const artifactRecordShape = artifactRefShape.extend({
  task_id: z.string(),
  parent_task_id: z.string(),
  file_paths: z.array(z.string()),
});

export function artifactRecord(a: Artifact): z.infer<typeof artifactRecordShape> {
  return { ...artifactRef(a), task_id: a.taskId, parent_task_id: a.planId, file_paths: [...a.filePaths] };
}

/** Where to read an artifact, named in a prompt's dependency outputs. */
export const artifactLocationShape = z.object({ artifact_id: z.string(), path: z.string(), uri: z.string() });

export function artifactLocation(a: Artifact): z.infer<typeof artifactLocationShape> {
  return { artifact_id: a.id, path: a.path, uri: artifactUri(a.id) };
}

/** The artifact complete_subtask just stored, with what a client needs to verify the file. */
export const storedArtifactShape = z.object({
  artifact_id: z.string(),
  artifact_type: z.enum(ARTIFACT_TYPES),
  path: z.string().describe("Workspace-relative path of the stored file"),
  uri: z.string(),
  size: z.number(),
  sha256: z.string(),
});

export function storedArtifact(a: Artifact): z.infer<typeof storedArtifactShape> {
  return {
    artifact_id: a.id,
    artifact_type: a.type,
    path: a.path,
    uri: artifactUri(a.id),
    size: a.size,
    sha256: a.sha256,
  };
}

/** An artifact named in a report or a task resource: what it is and where to read it. */
export const artifactLinkShape = z.object({
  artifact_id: z.string(),
  type: z.string(),
  path: z.string(),
  uri: z.string(),
});

export function artifactLink(a: Artifact): z.infer<typeof artifactLinkShape> {
  return { artifact_id: a.id, type: a.type, path: a.path, uri: artifactUri(a.id) };
}
