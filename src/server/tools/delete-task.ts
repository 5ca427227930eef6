import { z } from "zod";
import { type DeleteMode, deleteTask } from "../../app/delete-task.ts";
import { OrchestratorError } from "../../core/errors.ts";
import { IdSchema } from "../../core/ids.ts";
import { agentIdField, workingDirectoryField } from "../fields.ts";
import type { Session } from "../session.ts";
import { workspaceFields, workspaceShape } from "../views/workspace.ts";
import type { ToolHost } from "./_catalog.ts";
import { failure, inWorkspace, ok } from "./_shared.ts";

const outputSchema = {
  ...workspaceShape,
  action: z.enum(["archived", "restored", "deleted"]),
  target: z.enum(["task", "plan"]),
  parent_task_id: z.string().nullable(),
  plan_status: z.string().nullable(),
  affected: z.array(z.string()).describe("Tasks archived, restored or deleted"),
  dependents_left_waiting: z.array(z.string()),
  files_removed: z.array(z.string()).describe("Artifact files deleted with the task (hard delete only)"),
};

const inputSchema = z.object({
  task_id: IdSchema.describe("Task id, or plan id for the whole plan"),
  archive_instead: z.boolean().default(true).describe("false: delete for good, artifact files too"),
  restore: z.boolean().default(false).describe("Bring an archived task or plan back"),
  force: z.boolean().default(false).describe("Proceed although open tasks depend on it"),
  agent_id: agentIdField.describe("Who does it, for the history"),
  working_directory: workingDirectoryField,
});

/** Registers orchestrator_delete_task: archive (default), restore, or delete for good. */
export function registerDeleteTaskTool(server: ToolHost, session: Session): void {
  server.registerTool(
    "orchestrator_delete_task",
    {
      title: "Archive, restore or delete a task or plan",
      description:
        "Archive a task, or a whole plan by its id (restorable with restore: true); archive_instead: false deletes for good, files too. force: true if open tasks depend on it.",
      inputSchema,
      outputSchema,
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (args) => {
      if (args.restore && !args.archive_instead) {
        return failure(
          new OrchestratorError(
            "INVALID_INPUT",
            "restore: true cannot be combined with archive_instead: false; choose one.",
          ),
        );
      }
      const mode: DeleteMode = args.restore ? "restore" : args.archive_instead ? "archive" : "hard_delete";
      return inWorkspace(session, args.working_directory, async (ctx, ws) => {
        const r = await deleteTask(ctx, {
          id: args.task_id,
          mode,
          force: args.force,
          agentId: session.agentFor(args.agent_id),
        });
        const action = mode === "restore" ? "restored" : mode === "archive" ? "archived" : "deleted";
        const structured = {
          ...workspaceFields(ws),
          action: action as "archived" | "restored" | "deleted",
          target: r.target,
          parent_task_id: r.plan?.id ?? (r.target === "plan" ? args.task_id : null),
          plan_status: r.plan?.status ?? null,
          affected: [...r.affected],
          dependents_left_waiting: [...r.dependentsLeft],
          files_removed: [...r.filesRemoved],
        };
        const lines = [
          `${action} ${r.target} ${args.task_id}: ${r.affected.length} task(s)${r.filesRemoved.length ? `, ${r.filesRemoved.length} artifact file(s) removed` : ""}.`,
          ...(mode === "archive" ? ["Restore it with orchestrator_delete_task and restore: true."] : []),
          ...(r.dependentsLeft.length > 0 ? [`Waiting on it now: ${r.dependentsLeft.join(", ")}.`] : []),
        ];
        return ok(structured, lines.join("\n"));
      });
    },
  );
}
