import { z } from "zod";
import { planTask } from "../../app/plan-task.ts";
import { COMPLEXITY_LEVELS } from "../../core/task.ts";
import { requestIdField, workingDirectoryField } from "../fields.ts";
import type { Session } from "../session.ts";
import { plannedTask, plannedTaskShape } from "../views/task.ts";
import { workspaceFields, workspaceShape } from "../views/workspace.ts";
import type { ToolHost } from "./_catalog.ts";
import { inWorkspace, ok, requestKey } from "./_shared.ts";

const subtaskShape = z.object({
  title: z.string().describe("Short name"),
  description: z.string().optional().describe("What to do and how to tell it is done"),
  specialist_type: z
    .string()
    .describe(
      "Role: architect, implementer, debugger, documenter, reviewer, tester, researcher or a custom one",
    ),
  dependencies: z.array(z.string()).optional().describe("Ids or titles of sibling subtasks to finish first"),
  estimated_effort: z.string().optional().describe("Free text, e.g. '2h'"),
  task_id: z.string().optional().describe("Your own id (default <role>_<6 hex>)"),
});

const outputSchema = {
  task_created: z.literal(true).describe("Always true: a refused plan is an error result"),
  ...workspaceShape,
  parent_task_id: z
    .string()
    .describe("The plan's id (task_<8 hex>): pass it to get_status, synthesize_results"),
  description: z.string().describe("The job, as given"),
  complexity: z.enum(COMPLEXITY_LEVELS).describe("As given, or moderate"),
  subtasks: z.array(plannedTaskShape),
  ready_tasks: z.array(z.string()).describe("Subtasks that can start now"),
  next_steps: z.string().describe("What to call next"),
};

const inputSchema = z.object({
  description: z.string().min(1).max(20_000).describe("The job to break down"),
  subtasks: z.array(subtaskShape).optional().describe("The subtasks, in order"),
  subtasks_json: z.string().optional().describe("The subtasks as a JSON string, instead of subtasks"),
  complexity_level: z.enum(COMPLEXITY_LEVELS).default("moderate").describe("Overall complexity"),
  context: z.string().max(100_000).optional().describe("Background shown in every subtask's prompt"),
  request_id: requestIdField,
  working_directory: workingDirectoryField,
});

/** Registers orchestrator_plan_task: stores a validated plan or nothing. */
export function registerPlanTaskTool(server: ToolHost, session: Session): void {
  server.registerTool(
    "orchestrator_plan_task",
    {
      title: "Plan a job as subtasks",
      description:
        "Store a job as subtasks (one specialist role each) with dependencies. The whole plan is checked first: a refused plan stores nothing and lists every problem.",
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
        const { plan, tasks, ready, replayed } = await planTask(ctx, {
          description: args.description,
          subtasks: args.subtasks,
          subtasksJson: args.subtasks_json,
          complexity: args.complexity_level,
          context: args.context,
          request: requestKey("orchestrator_plan_task", args),
        });
        const readyIds = ready.map((t) => t.id);
        const structured = {
          task_created: true as const,
          ...workspaceFields(ws),
          parent_task_id: plan.id,
          description: plan.description,
          complexity: plan.complexity,
          subtasks: tasks.map(plannedTask),
          ready_tasks: readyIds,
          next_steps: `Call orchestrator_execute_subtask with task_id ${readyIds[0]} to start.`,
        };
        const text = [
          ...(replayed
            ? [`Stored by an earlier call with request_id ${args.request_id}; nothing was stored again.`]
            : []),
          `Plan ${plan.id} stored in ${ws.path}: ${plan.description}`,
          "",
          ...tasks.map(
            (t, i) =>
              `${i + 1}. ${t.id} [${t.specialistType}] ${t.title}${t.dependencies.length ? ` (after ${t.dependencies.join(", ")})` : ""}`,
          ),
          "",
          `Ready now: ${readyIds.join(", ")}. Next: orchestrator_execute_subtask with task_id ${readyIds[0]}.`,
        ].join("\n");
        return ok(structured, text);
      }),
  );
}
