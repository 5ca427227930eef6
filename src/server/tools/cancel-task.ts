import { z } from "zod";
import { cancelTask } from "../../app/cancel-task.ts";
import { IdSchema } from "../../core/ids.ts";
import { agentIdField, requestIdField, workingDirectoryField } from "../fields.ts";
import type { Session } from "../session.ts";
import { workspaceFields, workspaceShape } from "../views/workspace.ts";
import type { ToolHost } from "./_catalog.ts";
import { inWorkspace, ok, requestKey } from "./_shared.ts";

const outputSchema = {
  ...workspaceShape,
  parent_task_id: z.string().describe("The plan of the cancelled task(s)"),
  plan_status: z.string().describe("The plan's status afterwards"),
  cancelled: z.array(z.string()).describe("Tasks this call cancelled"),
  interrupted_claims: z
    .array(z.object({ task_id: z.string(), agent_id: z.string() }))
    .describe("Agents that were working on a cancelled task: tell them to stop"),
  unblocked: z
    .array(z.string())
    .describe("Dependents that can start now (a cancelled dependency counts as done)"),
};

const inputSchema = z.object({
  task_id: IdSchema.describe("Task id, or plan id for the whole plan"),
  reason: z.string().max(20_000).optional().describe("Why; kept as the note"),
  agent_id: agentIdField.describe("Who cancels, for the history"),
  request_id: requestIdField,
  working_directory: workingDirectoryField,
});

/** Registers orchestrator_cancel_task: stop a task or a whole plan. */
export function registerCancelTaskTool(server: ToolHost, session: Session): void {
  server.registerTool(
    "orchestrator_cancel_task",
    {
      title: "Cancel a task or plan",
      description:
        "Cancel a task that will not be done, or a whole plan by its id; work and history are kept, claims are overridden and reported. Dependents may then start.",
      inputSchema,
      outputSchema,
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (args) =>
      inWorkspace(session, args.working_directory, async (ctx, ws) => {
        const r = await cancelTask(
          ctx,
          args.task_id,
          args.reason,
          session.agentFor(args.agent_id),
          requestKey("orchestrator_cancel_task", args),
        );
        const structured = {
          ...workspaceFields(ws),
          parent_task_id: r.plan.id,
          plan_status: r.plan.status,
          cancelled: [...r.cancelled],
          interrupted_claims: r.interrupted.map((i) => ({ ...i })),
          unblocked: [...r.unblocked],
        };
        const lines = [
          ...(r.replayed
            ? [`Done by an earlier call with request_id ${args.request_id}; nothing was written again.`]
            : []),
          `Cancelled ${r.cancelled.length} task(s): ${r.cancelled.join(", ") || "none"} (plan ${r.plan.id} is ${r.plan.status}).`,
          ...r.interrupted.map(
            (i) => `Note: ${i.task_id} was held by ${i.agent_id}; tell that agent to stop.`,
          ),
          ...(r.unblocked.length > 0 ? [`Can start now: ${r.unblocked.join(", ")}.`] : []),
        ];
        return ok(structured, lines.join("\n"));
      }),
  );
}
