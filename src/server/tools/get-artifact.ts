import { z } from "zod";
import { getArtifact, MAX_PAGE_CHARS } from "../../app/get-artifact.ts";
import { IdSchema } from "../../core/ids.ts";
import { workingDirectoryField } from "../fields.ts";
import type { Session } from "../session.ts";
import { artifactRecord, artifactRecordShape } from "../views/artifact.ts";
import { workspaceFields, workspaceShape } from "../views/workspace.ts";
import type { ToolHost } from "./_catalog.ts";
import { inWorkspaceReadOnly, ok } from "./_shared.ts";

const outputSchema = {
  ...workspaceShape,
  artifact: artifactRecordShape.describe("The artifact's record: id, task, type, path, size, sha256"),
  content: z.string().describe("This page of the artifact's text"),
  offset: z.number().describe("Where this page starts, in characters"),
  total_chars: z.number().describe("The artifact's length in characters"),
  next_offset: z.number().nullable().describe("Pass as offset to read on; null at the end"),
  checksum_ok: z
    .boolean()
    .describe(
      "False when an old artifact's file (recorded before texts were stored) no longer matches its sha256",
    ),
};

const inputSchema = z.object({
  artifact_id: IdSchema.describe("The artifact's id"),
  offset: z.number().int().min(0).default(0).describe("Start at this character"),
  max_chars: z.number().int().min(1).max(MAX_PAGE_CHARS).default(20_000).describe("Page size in characters"),
  working_directory: workingDirectoryField,
});

/** Registers orchestrator_get_artifact: an artifact's stored text, paged. */
export function registerGetArtifactTool(server: ToolHost, session: Session): void {
  server.registerTool(
    "orchestrator_get_artifact",
    {
      title: "Read an artifact",
      description:
        "A subtask's stored detailed work, in pages: read on from next_offset. Also the resource orchestrator://artifacts/{id}.",
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args) =>
      inWorkspaceReadOnly(session, args.working_directory, async (ctx, ws) => {
        const p = await getArtifact(ctx, args.artifact_id, { offset: args.offset, maxChars: args.max_chars });
        const structured = {
          ...workspaceFields(ws),
          artifact: artifactRecord(p.artifact),
          content: p.content,
          offset: p.offset,
          total_chars: p.totalChars,
          next_offset: p.nextOffset,
          checksum_ok: p.checksumOk,
        };
        const footer = [
          p.nextOffset !== null
            ? `[characters ${p.offset}-${p.offset + p.content.length} of ${p.totalChars}; read on with offset ${p.nextOffset}]`
            : "",
          p.checksumOk
            ? ""
            : "[warning: the file no longer matches its recorded sha256; it was changed after it was stored]",
        ].filter(Boolean);
        return ok(structured, [p.content, ...footer].join("\n"));
      }),
  );
}
