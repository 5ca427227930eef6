import { z } from "zod";
import { synthesizeResults } from "../../app/synthesize-results.ts";
import { IdSchema } from "../../core/ids.ts";
import { PLAN_STATUSES, TASK_STATUSES } from "../../core/task.ts";
import { workingDirectoryField } from "../fields.ts";
import type { Session } from "../session.ts";
import { artifactLinkShape } from "../views/artifact.ts";
import { workspaceFields, workspaceShape } from "../views/workspace.ts";
import type { ToolHost } from "./_catalog.ts";
import { inWorkspaceReadOnly, ok } from "./_shared.ts";

const outputSchema = {
  ...workspaceShape,
  parent_task_id: z.string().describe("The plan"),
  description: z.string().describe("The job, as planned"),
  plan_status: z.enum(PLAN_STATUSES).describe("completed once every subtask is; otherwise active"),
  all_completed: z.boolean().describe("True only when every subtask is completed (or cancelled)"),
  progress: z
    .object({ completed: z.number(), total: z.number(), percentage: z.number() })
    .describe("Completed of total (cancelled tasks left out of the total)"),
  by_role: z
    .array(
      z.object({
        specialist_type: z.string(),
        tasks: z.array(
          z.object({
            task_id: z.string(),
            title: z.string(),
            status: z.enum(TASK_STATUSES),
            summary: z.string().nullable(),
            note: z.string().nullable(),
            started_at: z.string().nullable(),
            completed_at: z.string().nullable(),
            artifacts: z.array(artifactLinkShape),
          }),
        ),
      }),
    )
    .describe("The completed work grouped by specialist role, with summaries and artifacts"),
  outstanding: z
    .array(
      z.object({
        task_id: z.string(),
        title: z.string(),
        status: z.enum(TASK_STATUSES),
        note: z.string().nullable(),
      }),
    )
    .describe("Subtasks not completed, with their status and note: never reported as done"),
  timeline: z
    .array(
      z.object({
        at: z.string(),
        task_id: z.string().nullable(),
        event: z.string(),
        from: z.string().nullable(),
        to: z.string().nullable(),
      }),
    )
    .describe("When each subtask was started and completed"),
  started_at: z.string().describe("When the plan was created"),
  finished_at: z.string().nullable().describe("When its last subtask was completed, or null"),
  markdown: z.string().describe("The report as Markdown (also the text content)"),
};

const inputSchema = z.object({
  parent_task_id: IdSchema.describe("The plan id (task_xxxxxxxx)"),
  working_directory: workingDirectoryField,
});

/** Registers orchestrator_synthesize_results: the truthful report of a plan. */
export function registerSynthesizeResultsTool(server: ToolHost, session: Session): void {
  server.registerTool(
    "orchestrator_synthesize_results",
    {
      title: "Synthesize a plan's results",
      description:
        "Report a plan's results by role (summaries, artifacts, timeline), listing unfinished subtasks as outstanding. Completes the plan when all its subtasks are.",
      inputSchema,
      outputSchema,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    // Read-only context: without a database there is no plan to report (PLAN_NOT_FOUND) and
    // nothing is created; with one, completing a finished plan writes to it as before.
    async (args) =>
      inWorkspaceReadOnly(session, args.working_directory, async (ctx, ws) => {
        const s = await synthesizeResults(ctx, args.parent_task_id);
        const structured = { ...workspaceFields(ws), ...s };
        return ok(structured, `Workspace: ${ws.path}\n\n${s.markdown}`);
      }),
  );
}
