import { z } from "zod";
import { queryTasks } from "../../app/query-tasks.ts";
import { IdSchema } from "../../core/ids.ts";
import { TASK_STATUSES } from "../../core/task.ts";
import type { Session } from "../session.ts";
import type { ToolHost } from "./_catalog.ts";
import {
  inWorkspaceReadOnly,
  ok,
  taskView,
  taskViewShape,
  workingDirectoryField,
  workspaceFields,
  workspaceShape,
} from "./_shared.ts";

const outputSchema = {
  ...workspaceShape,
  tasks: z.array(taskViewShape).describe("The matching tasks, in creation order"),
  total: z.number().describe("Tasks matching the filters, ignoring limit and offset"),
  limit: z.number().describe("As given"),
  offset: z.number().describe("As given"),
  has_more: z.boolean().describe("True when more matches follow: call again with next_offset"),
  next_offset: z.number().nullable(),
};

/** Registers orchestrator_query_tasks: filter and page through tasks. */
export function registerQueryTasksTool(server: ToolHost, session: Session): void {
  server.registerTool(
    "orchestrator_query_tasks",
    {
      title: "Find tasks",
      description:
        "Tasks matching all filters given, newest first, with the total for paging. Archived ones only if status includes archived.",
      inputSchema: {
        status: z.array(z.enum(TASK_STATUSES)).optional().describe("Any of these statuses"),
        specialist_type: z.array(z.string()).optional().describe("Any of these roles"),
        parent_task_id: IdSchema.optional().describe("Only this plan's tasks"),
        search_text: z
          .string()
          .max(500)
          .optional()
          .describe("Case-insensitive text in title, description or summary"),
        created_after: z.string().optional().describe("ISO date/time, inclusive"),
        created_before: z.string().optional().describe("ISO date/time, exclusive"),
        limit: z.number().int().min(1).max(500).default(50).describe("Max tasks"),
        offset: z.number().int().min(0).default(0).describe("Skip this many (page on with next_offset)"),
        working_directory: workingDirectoryField,
      },
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args) =>
      inWorkspaceReadOnly(session, args.working_directory, async (ctx, ws) => {
        const r = await queryTasks(ctx, {
          status: args.status,
          specialistType: args.specialist_type,
          planId: args.parent_task_id,
          text: args.search_text,
          createdAfter: args.created_after,
          createdBefore: args.created_before,
          limit: args.limit,
          offset: args.offset,
        });
        const structured = {
          ...workspaceFields(ws),
          tasks: r.tasks.map(taskView),
          total: r.total,
          limit: args.limit,
          offset: args.offset,
          has_more: r.hasMore,
          next_offset: r.hasMore ? args.offset + r.tasks.length : null,
        };
        const lines = [
          `${r.total} task(s) match in ${ws.path}; showing ${r.tasks.length} from ${args.offset}.`,
          ...r.tasks.map(
            (t) =>
              `- ${t.id} [${t.status}] ${t.title} · ${t.specialistType} · plan ${t.planId} · ${t.createdAt}`,
          ),
          ...(r.hasMore ? [`More: offset ${args.offset + r.tasks.length}.`] : []),
        ];
        return ok(structured, lines.join("\n"));
      }),
  );
}
