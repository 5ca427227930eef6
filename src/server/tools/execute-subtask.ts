import { z } from "zod";
import { executeSubtask } from "../../app/execute-subtask.ts";
import { IdSchema } from "../../core/ids.ts";
import { agentIdField, workingDirectoryField } from "../fields.ts";
import type { Session } from "../session.ts";
import { artifactLocation, artifactLocationShape } from "../views/artifact.ts";
import { workspaceFields, workspaceShape } from "../views/workspace.ts";
import type { ToolHost } from "./_catalog.ts";
import { inWorkspace, ok } from "./_shared.ts";

const outputSchema = {
  ...workspaceShape,
  task_id: z.string().describe("The task now active"),
  parent_task_id: z.string().describe("Its plan"),
  title: z.string().describe("The task's title"),
  specialist_type: z.string().describe("The role whose prompt this is"),
  status: z.string().describe("The task's status: active"),
  started: z
    .boolean()
    .describe(
      "True when this call started the task for you (also a takeover); false when you held it already and the lease was renewed",
    ),
  taken_over_from: z
    .string()
    .nullable()
    .describe(
      "The agent whose lapsed claim (lease expired or its process gone) this call took over, or null",
    ),
  claim: z
    .object({ agent_id: z.string(), expires_at: z.string() })
    .describe("Who holds the task and until when; any call by that agent renews it"),
  dependencies: z
    .array(
      z.object({
        task_id: z.string(),
        title: z.string(),
        status: z.string(),
        summary: z.string().nullable(),
        artifacts: z.array(artifactLocationShape),
      }),
    )
    .describe("What each dependency produced: its status, summary and artifacts"),
  prompt: z.string().describe("The specialist prompt (also the text content)"),
};

const inputSchema = z.object({
  task_id: IdSchema.optional().describe("The subtask; omit to get the next ready one"),
  parent_task_id: IdSchema.optional().describe("Without task_id: pick from this plan only"),
  specialist_type: z.string().min(1).optional().describe("Without task_id: pick for this role only"),
  agent_id: agentIdField.describe("Your agent id (default: client + connection)"),
  working_directory: workingDirectoryField,
});

/** Registers orchestrator_execute_subtask: claims a ready task and returns its specialist prompt. */
export function registerExecuteSubtaskTool(server: ToolHost, session: Session): void {
  server.registerTool(
    "orchestrator_execute_subtask",
    {
      title: "Start a subtask",
      description:
        "Claim a subtask (or, without task_id, the next ready one) and get its specialist prompt with its dependencies' results; calling again renews your lease. Do the work, then call orchestrator_complete_subtask.",
      inputSchema,
      outputSchema,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (args) =>
      inWorkspace(session, args.working_directory, async (ctx, ws) => {
        const r = await executeSubtask(ctx, args.task_id, session.agentFor(args.agent_id), {
          planId: args.parent_task_id,
          specialistType: args.specialist_type?.trim().toLowerCase(),
        });
        const structured = {
          ...workspaceFields(ws),
          task_id: r.task.id,
          parent_task_id: r.plan.id,
          title: r.task.title,
          specialist_type: r.task.specialistType,
          status: r.task.status,
          started: r.started,
          taken_over_from: r.takenOver?.agentId ?? null,
          claim: { agent_id: r.task.claim!.agentId, expires_at: r.task.claim!.expiresAt },
          dependencies: r.dependencies.map((d) => ({
            task_id: d.task.id,
            title: d.task.title,
            status: d.task.status,
            summary: d.task.summary,
            artifacts: d.artifacts.map(artifactLocation),
          })),
          prompt: r.prompt,
        };
        const how = r.takenOver
          ? ` (taken over from ${r.takenOver.agentId}: ${r.takenOver.why === "expired" ? "its lease expired" : "its client connection is gone"})`
          : r.started
            ? ""
            : " (lease renewed)";
        const header = `Workspace: ${ws.path} · task ${r.task.id} is active, claimed by ${r.task.claim!.agentId} until ${r.task.claim!.expiresAt}${how}.\n\n`;
        return ok(structured, header + r.prompt);
      }),
  );
}
