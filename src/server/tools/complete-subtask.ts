import { z } from "zod";
import { completeSubtask, READY_LISTED } from "../../app/complete-subtask.ts";
import { IdSchema } from "../../core/ids.ts";
import { ARTIFACT_TYPES, NEXT_ACTIONS } from "../../core/task.ts";
import { agentIdField, requestIdField, workingDirectoryField } from "../fields.ts";
import type { Session } from "../session.ts";
import { storedArtifact, storedArtifactShape } from "../views/artifact.ts";
import { taskRef, taskRefShape } from "../views/task.ts";
import { workspaceFields, workspaceShape } from "../views/workspace.ts";
import type { ToolHost } from "./_catalog.ts";
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
    .describe(
      `Tasks of the plan that can start now, the completed task's dependents first; at most ${READY_LISTED}`,
    ),
  more_ready: z
    .boolean()
    .describe("More tasks are ready than listed: get_status with parent_task_id lists the plan's"),
  artifact: storedArtifactShape.describe(
    "The stored result: id, type, workspace-relative path, uri, size and sha256",
  ),
};

const inputSchema = z.object({
  task_id: IdSchema.describe("The subtask"),
  summary: z.string().min(1).max(20_000).describe("Short result; for blocked or needs_revision, the reason"),
  detailed_work: z.string().describe("Full result (code, analysis, report...), kept as a file"),
  next_action: z
    .enum(NEXT_ACTIONS)
    .default("complete")
    .describe("complete/continue: done; needs_revision: back to pending; blocked"),
  file_paths: z
    .array(z.string())
    .max(1000)
    .default([])
    .describe("Project files created or changed, relative to its root"),
  artifact_type: z.enum(ARTIFACT_TYPES).default("general").describe("Kind of artifact"),
  legacy_artifacts: z.array(z.string()).max(1000).default([]).describe("More file references"),
  agent_id: agentIdField.describe("Your agent id (default: client + connection)"),
  request_id: requestIdField,
  working_directory: workingDirectoryField,
});

/** Registers orchestrator_complete_subtask: stores the work as an artifact and applies next_action. */
export function registerCompleteSubtaskTool(server: ToolHost, session: Session): void {
  server.registerTool(
    "orchestrator_complete_subtask",
    {
      title: "Record a subtask's result",
      description:
        "Record a subtask's result: summary on the task, detailed_work in an artifact file, status as next_action says. Returns plan progress and the tasks ready next.",
      inputSchema,
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
        // An answer stored by an older version for a retried request may list every ready task.
        const ready = r.nextReady.slice(0, READY_LISTED).map(taskRef);
        const moreReady = r.moreReady === true || r.nextReady.length > READY_LISTED;
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
          more_ready: moreReady,
          artifact: storedArtifact(r.artifact),
        };
        const next =
          r.plan.status === "completed"
            ? `All subtasks of ${r.plan.id} are done: call orchestrator_synthesize_results with parent_task_id ${r.plan.id}.`
            : ready.length > 0
              ? `Ready next: ${ready.map((t) => `${t.task_id} (${t.specialist_type})`).join(", ")}${moreReady ? `, and more (orchestrator_get_status with parent_task_id ${r.plan.id} lists them)` : ""}.`
              : "No subtask is ready right now (the rest wait on dependencies, or are active, blocked or failed).";
        const text = [
          `Task ${r.taskId} is now ${r.status} (workspace ${ws.path}).${r.replayed ? ` Recorded by an earlier call with request_id ${args.request_id}; nothing was written again.` : ""}`,
          `Work stored as ${r.artifact.id} (${r.artifact.size} bytes; local copy ${r.artifact.path}).`,
          `Plan ${r.plan.id}: ${r.progress.completed}/${r.progress.total} subtasks completed (${r.progress.percentage}%).`,
          next,
        ].join("\n");
        return ok(structured, text);
      }),
  );
}
