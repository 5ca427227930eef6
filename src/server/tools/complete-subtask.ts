import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { completeSubtask } from "../../app/complete-subtask.ts";
import { IdSchema } from "../../core/ids.ts";
import { ARTIFACT_TYPES, NEXT_ACTIONS } from "../../core/task.ts";
import { agentIdField, requestIdField, workingDirectoryField } from "../fields.ts";
import type { Session } from "../session.ts";
import { storedArtifact, storedArtifactShape } from "../views/artifact.ts";
import { taskRef, taskRefShape } from "../views/task.ts";
import { workspaceFields, workspaceShape } from "../views/workspace.ts";
import { inWorkspace, ok, requestKey } from "./_shared.ts";

const outputSchema = {
  ...workspaceShape,
  task_id: z.string().describe("The task this result is for"),
  status: z.string().describe("The task's status after this call"),
  next_action: z.enum(NEXT_ACTIONS).describe("As given (default complete)"),
  results_recorded: z.literal(true).describe("Always true: a refused result is an error result"),
  parent_task_progress: z
    .object({
      progress: z.enum(["in_progress", "completed"]),
      parent_task_id: z.string(),
      completed_subtasks: z.number(),
      total_subtasks: z.number(),
      progress_percentage: z.number(),
    })
    .describe("The plan's progress after this result"),
  next_recommended_task: taskRefShape.nullable().describe("The first of ready_tasks, or null"),
  ready_tasks: z
    .array(taskRefShape)
    .describe("Tasks of the plan that can start now, the completed task's dependents first"),
  artifact: storedArtifactShape.describe(
    "The stored result: id, type, workspace-relative path, uri, size and sha256",
  ),
};

/** Registers orchestrator_complete_subtask: stores the work as an artifact and applies next_action. */
export function registerCompleteSubtaskTool(server: McpServer, session: Session): void {
  server.registerTool(
    "orchestrator_complete_subtask",
    {
      title: "Record a subtask's result",
      description:
        "Record the result of a subtask. detailed_work is saved as a Markdown artifact file under .task_orchestrator/artifacts (so it need not stay in context) and the summary goes to the task, together with the status change next_action asks for: complete or continue → completed; needs_revision → back to pending with your summary as the note; blocked → blocked with your summary as the reason. Returns plan progress and the tasks that are ready next.",
      inputSchema: {
        task_id: IdSchema.describe("The subtask being reported"),
        summary: z
          .string()
          .min(1)
          .max(20_000)
          .describe("A short summary of the result (or, for blocked/needs_revision, the reason)"),
        detailed_work: z
          .string()
          .describe("The full result: code, analysis, design, test report... stored as a file"),
        next_action: z
          .enum(NEXT_ACTIONS)
          .default("complete")
          .describe("complete | continue (both mean done), needs_revision, blocked"),
        file_paths: z
          .array(z.string())
          .max(1000)
          .default([])
          .describe("Project files this work created or changed, relative to the project root"),
        artifact_type: z.enum(ARTIFACT_TYPES).default("general").describe("Kind of artifact"),
        legacy_artifacts: z
          .array(z.string())
          .max(1000)
          .default([])
          .describe("Further file references to record with the artifact"),
        agent_id: agentIdField.describe("Who did the work (default: this client's name plus its connection)"),
        request_id: requestIdField,
        working_directory: workingDirectoryField,
      },
      outputSchema,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (args) =>
      inWorkspace(session, args.working_directory, async (ctx, ws) => {
        const r = await completeSubtask(ctx, {
          taskId: args.task_id,
          summary: args.summary,
          detailedWork: args.detailed_work,
          nextAction: args.next_action,
          filePaths: args.file_paths,
          artifactType: args.artifact_type,
          legacyArtifacts: args.legacy_artifacts,
          agentId: session.agentFor(args.agent_id),
          request: requestKey("orchestrator_complete_subtask", args),
        });
        const ready = r.nextReady.map(taskRef);
        const structured = {
          ...workspaceFields(ws),
          task_id: r.taskId,
          status: r.status,
          next_action: args.next_action,
          results_recorded: true as const,
          parent_task_progress: {
            progress: r.plan.status === "completed" ? ("completed" as const) : ("in_progress" as const),
            parent_task_id: r.plan.id,
            completed_subtasks: r.progress.completed,
            total_subtasks: r.progress.total,
            progress_percentage: r.progress.percentage,
          },
          next_recommended_task: ready[0] ?? null,
          ready_tasks: ready,
          artifact: storedArtifact(r.artifact),
        };
        const next =
          r.plan.status === "completed"
            ? `All subtasks of ${r.plan.id} are done: call orchestrator_synthesize_results with parent_task_id ${r.plan.id}.`
            : ready.length > 0
              ? `Ready next: ${ready.map((t) => `${t.task_id} (${t.specialist_type})`).join(", ")}.`
              : "No subtask is ready right now (the rest wait on dependencies, or are active, blocked or failed).";
        const text = [
          `Task ${r.taskId} is now ${r.status} (workspace ${ws.path}).${r.replayed ? ` Recorded by an earlier call with request_id ${args.request_id}; nothing was written again.` : ""}`,
          `Work stored as ${r.artifact.path} (${r.artifact.id}, ${r.artifact.size} bytes).`,
          `Plan ${r.plan.id}: ${r.progress.completed}/${r.progress.total} subtasks completed (${r.progress.percentage}%).`,
          next,
        ].join("\n");
        return ok(structured, text);
      }),
  );
}
