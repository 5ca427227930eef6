import { OrchestratorError } from "./errors.ts";
import type { ArtifactType } from "./task.ts";

/**
 * A stored piece of detailed work: its row holds the Markdown text (`inStore`), and a file under
 * the workspace is a local copy of it for people and editors. Rows written before 2026-12 hold no
 * text: their file is the only copy.
 */
export interface Artifact {
  readonly id: string;
  readonly taskId: string;
  readonly planId: string;
  readonly type: ArtifactType;
  readonly summary: string;
  /** Workspace-relative POSIX path of the file. */
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  /** Workspace-relative POSIX paths of the files the work refers to. */
  readonly filePaths: readonly string[];
  readonly createdAt: string;
  /** Whether the row holds the text; when false the file is the only copy (rows written before 2026-12). */
  readonly inStore: boolean;
}

export const DATA_DIR = ".task_orchestrator";

/** Where an artifact's file lives, relative to the workspace. Ids are validated, so no segment can escape. */
export function artifactPath(planId: string, taskId: string, artifactId: string): string {
  return `${DATA_DIR}/artifacts/${planId}/${taskId}/${artifactId}.md`;
}

/** The MCP resource URI of an artifact. */
export function artifactUri(artifactId: string): string {
  return `orchestrator://artifacts/${artifactId}`;
}

/**
 * Normalises a path the client mentioned (`file_paths`) to a workspace-relative POSIX path.
 * Absolute paths must lie inside the workspace; `..` may not climb out of it. Throws
 * PATH_OUTSIDE_WORKSPACE otherwise. `workspace` is the absolute workspace path.
 */
export function normalizeWorkspacePath(workspace: string, input: string): string {
  const raw = input.trim().replaceAll("\\", "/");
  if (raw === "" || raw.includes("\0")) {
    throw new OrchestratorError(
      "PATH_OUTSIDE_WORKSPACE",
      `file path ${JSON.stringify(input)} is empty or malformed.`,
      {
        data: { path: input },
      },
    );
  }
  const ws = workspace.replaceAll("\\", "/").replace(/\/+$/, "");
  const isAbsolute = raw.startsWith("/") || /^[A-Za-z]:\//.test(raw);
  let rel = raw;
  if (isAbsolute) {
    const sameRoot =
      raw === ws ||
      raw.startsWith(`${ws}/`) ||
      (/^[A-Za-z]:/.test(ws) && raw.toLowerCase().startsWith(`${ws.toLowerCase()}/`));
    if (!sameRoot) {
      throw new OrchestratorError(
        "PATH_OUTSIDE_WORKSPACE",
        `file path '${input}' is outside the workspace ${workspace}; give paths inside the project, relative to its root.`,
        { data: { path: input, workspace } },
      );
    }
    rel = raw.slice(ws.length);
  }
  const out: string[] = [];
  for (const seg of rel.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length === 0) {
        throw new OrchestratorError(
          "PATH_OUTSIDE_WORKSPACE",
          `file path '${input}' climbs out of the workspace with '..'; give a path inside the project.`,
          { data: { path: input, workspace } },
        );
      }
      out.pop();
      continue;
    }
    out.push(seg);
  }
  return out.length === 0 ? "." : out.join("/");
}

/** The Markdown text stored for an artifact: a short header, the referenced files, then the work verbatim. */
export function renderArtifactFile(a: {
  readonly taskId: string;
  readonly taskTitle: string;
  readonly planId: string;
  readonly type: ArtifactType;
  readonly summary: string;
  readonly createdAt: string;
  readonly filePaths: readonly string[];
  readonly detailedWork: string;
}): string {
  const files = a.filePaths.length > 0 ? a.filePaths.map((p) => `- ${p}`).join("\n") : "(none)";
  return [
    `# ${a.taskTitle}`,
    "",
    `- Task: ${a.taskId}`,
    `- Plan: ${a.planId}`,
    `- Type: ${a.type}`,
    `- Created: ${a.createdAt}`,
    `- Summary: ${a.summary}`,
    "",
    "## Referenced files",
    "",
    files,
    "",
    "## Detailed work",
    "",
    a.detailedWork,
    "",
  ].join("\n");
}

/**
 * An artifact's text as read for a caller: from the store (`from: "store"`, its bytes checked
 * against the row's size and sha256) or, for rows written before 2026-12, from the file
 * (`checksumOk` says whether it still matches). `problem` when there is no text to give: the
 * store's text was altered (it never matches what was written), or an old row's file is unreadable.
 */
export type ArtifactReading =
  | { readonly text: string; readonly from: "store" | "file"; readonly checksumOk: boolean }
  | {
      readonly problem: "altered_in_store" | "file_unreadable";
      readonly detail: string;
      readonly cause?: unknown;
    };
