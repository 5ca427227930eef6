import { z } from "zod";
import { updateTask } from "../../app/update-task.ts";
import { IdSchema } from "../../core/ids.ts";
import { TASK_STATUSES } from "../../core/task.ts";
import { agentIdField, workingDirectoryField } from "../fields.ts";
import type { Session } from "../session.ts";
import { taskView, taskViewShape } from "../views/task.ts";
import { workspaceFields, workspaceShape } from "../views/workspace.ts";
import type { ToolHost } from "./_catalog.ts";
import { inWorkspace, ok } from "./_shared.ts";

const outputSchema = {
  ...workspaceShape,
  task: taskViewShape.describe("The task after the change"),
  changes: z.array(z.string()).describe("What changed; empty when the call changed nothing"),
};

const inputSchema = z.object({
  task_id: IdSchema.describe("The task"),
  title: z.string().trim().min(1).max(500).optional().describe("New title"),
  description: z.string().max(50_000).optional().describe("New description"),
  specialist_type: z.string().min(1).optional().describe("New role"),
  estimated_effort: z.string().max(200).optional().describe("New effort estimate"),
  dependencies: z.array(z.string()).max(500).optional().describe("New list: ids or titles in the same plan"),
  status: z.enum(TASK_STATUSES).optional().describe("Status to move to"),
  note: z.string().max(20_000).optional().describe("Why (kept as the task's note)"),
  agent_id: agentIdField.describe("Your agent id (default: client + connection)"),
  working_directory: workingDirectoryField,
});

/** Registers orchestrator_update_task: edit fields or change status through the state machine. */
export function registerUpdateTaskTool(server: ToolHost, session: Session): void {
  server.registerTool(
    "orchestrator_update_task",
    {
      title: "Edit a task",
      description:
        "Edit a task's fields and/or change its status (completed → pending reopens; blocked needs a note). Refused while another agent holds it.",
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
