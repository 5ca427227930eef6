import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { planTask } from "../../app/plan-task.ts";
import { COMPLEXITY_LEVELS } from "../../core/task.ts";
import { requestIdField, workingDirectoryField } from "../fields.ts";
import type { Session } from "../session.ts";
import { plannedTask, plannedTaskShape } from "../views/task.ts";
import { workspaceFields, workspaceShape } from "../views/workspace.ts";
import { inWorkspace, ok, requestKey } from "./_shared.ts";

const subtaskShape = z.object({
  title: z.string().describe("Short name of the subtask"),
  description: z.string().optional().describe("What to do and how to tell it is done"),
  specialist_type: z
    .string()
    .describe(
      "Role that does it: architect, implementer, debugger, documenter, reviewer, tester, researcher, or a custom role",
    ),
  dependencies: z
    .array(z.string())
    .optional()
    .describe("task_id or title of sibling subtasks that must be completed first"),
  estimated_effort: z.string().optional().describe("Free text, e.g. '2h' or 'small'"),
  task_id: z.string().optional().describe("Your own id for the subtask (default: <role>_<6 hex>)"),
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

/** Registers orchestrator_plan_task: stores a validated plan or nothing. */
export function registerPlanTaskTool(server: McpServer, session: Session): void {
  server.registerTool(
    "orchestrator_plan_task",
    {
      title: "Plan a job as subtasks",
      description:
        "Store a job broken into subtasks, each for one specialist role, with dependencies between them. You write the breakdown; the server validates all of it (unknown dependency, cycle, duplicate id, unknown role, bad JSON) before storing anything, and refuses the whole plan with every problem listed if any check fails. Give subtasks as an array (subtasks) or as a JSON string (subtasks_json, as in earlier versions).",
      inputSchema: {
        description: z.string().min(1).max(20_000).describe("The job to break down"),
        subtasks: z.array(subtaskShape).optional().describe("The subtasks, in order"),
        subtasks_json: z
          .string()
          .optional()
          .describe("The subtasks as a JSON array string (alternative to subtasks)"),
        complexity_level: z.enum(COMPLEXITY_LEVELS).default("moderate").describe("Overall complexity"),
        context: z
          .string()
          .max(100_000)
          .optional()
          .describe("Background every specialist should know; shown in each subtask's prompt"),
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
