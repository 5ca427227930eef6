import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { updateTask } from "../../app/update-task.ts";
import { IdSchema } from "../../core/ids.ts";
import { TASK_STATUSES } from "../../core/task.ts";
import { agentIdField, workingDirectoryField } from "../fields.ts";
import type { Session } from "../session.ts";
import { taskView, taskViewShape } from "../views/task.ts";
import { workspaceFields, workspaceShape } from "../views/workspace.ts";
import { inWorkspace, ok } from "./_shared.ts";

const outputSchema = {
  ...workspaceShape,
  task: taskViewShape.describe("The task after the change"),
  changes: z.array(z.string()).describe("What changed; empty when the call changed nothing"),
};

/** Registers orchestrator_update_task: edit fields or change status through the state machine. */
export function registerUpdateTaskTool(server: McpServer, session: Session): void {
  server.registerTool(
    "orchestrator_update_task",
    {
      title: "Edit a task",
      description:
        "Change a task's title, description, role, effort or dependencies, and/or move it to another status. Status changes follow the task state machine (e.g. completed → pending reopens it; blocked needs a note saying why) and are refused while another agent holds the task; starting or completing still needs its dependencies done.",
      inputSchema: {
        task_id: IdSchema.describe("The task to change"),
        title: z.string().trim().min(1).max(500).optional().describe("New title"),
        description: z.string().max(50_000).optional().describe("New description"),
        specialist_type: z.string().min(1).optional().describe("A built-in or custom role"),
        estimated_effort: z.string().max(200).optional().describe("New effort estimate, free text"),
        dependencies: z
          .array(z.string())
          .max(500)
          .optional()
          .describe("Replaces the dependencies: ids or titles of tasks in the same plan"),
        status: z.enum(TASK_STATUSES).optional().describe("The status to move to"),
        note: z
          .string()
          .max(20_000)
          .optional()
          .describe("Why: kept as the task's note for blocked, failed, pending and cancelled"),
        agent_id: agentIdField.describe("Who makes the change (default: this client and connection)"),
        working_directory: workingDirectoryField,
      },
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
        const r = await updateTask(ctx, {
          taskId: args.task_id,
          title: args.title,
          description: args.description,
          specialistType: args.specialist_type?.trim().toLowerCase(),
          estimatedEffort: args.estimated_effort,
          dependencies: args.dependencies,
          status: args.status,
          note: args.note,
          agentId: session.agentFor(args.agent_id),
        });
        const text =
          r.changes.length > 0
            ? `Task ${r.task.id} updated (${r.changes.join("; ")}); it is ${r.task.status}. Workspace ${ws.path}.`
            : `Task ${r.task.id} unchanged (the values given are the current ones); it is ${r.task.status}.`;
        return ok({ ...workspaceFields(ws), task: taskView(r.task), changes: r.changes }, text);
      }),
  );
}
