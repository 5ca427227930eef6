import { z } from "zod";
import { queryTaskBriefs, queryTasks, type TaskQuery, type TaskQueryResult } from "../../app/query-tasks.ts";
import { IdSchema } from "../../core/ids.ts";
import { TASK_STATUSES, type TaskBrief } from "../../core/task.ts";
import { workingDirectoryField } from "../fields.ts";
import type { Session } from "../session.ts";
import { taskBriefView, taskListItemShape, taskView } from "../views/task.ts";
import { workspaceFields, workspaceShape } from "../views/workspace.ts";
import type { ToolHost } from "./_catalog.ts";
import { inWorkspaceReadOnly, ok } from "./_shared.ts";

const outputSchema = {
  ...workspaceShape,
  tasks: z
    .array(taskListItemShape)
    .describe(
      "The matching tasks, newest first: id, plan, title and status, or every field with verbosity full",
    ),
  total: z.number().describe("Tasks matching the filters, ignoring limit and offset"),
  limit: z.number().describe("As given"),
  offset: z.number().describe("As given"),
  has_more: z.boolean().describe("True when more matches follow: call again with next_offset"),
  next_offset: z.number().nullable(),
};

const inputSchema = z.object({
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
  verbosity: z
    .enum(["brief", "full"])
    .default("brief")
    .describe("full: every field, not id, plan, title, status"),
  working_directory: workingDirectoryField,
});

/** Registers orchestrator_query_tasks: filter and page through tasks. */
export function registerQueryTasksTool(server: ToolHost, session: Session): void {
  server.registerTool(
    "orchestrator_query_tasks",
    {
      title: "Find tasks",
      description:
        "Tasks matching all filters given, newest first, with the total for paging. Archived ones only if status includes archived.",
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args) =>
      inWorkspaceReadOnly(session, args.working_directory, async (ctx, ws) => {
        const query: TaskQuery = {
          status: args.status,
          specialistType: args.specialist_type,
          planId: args.parent_task_id,
          text: args.search_text,
          createdAfter: args.created_after,
          createdBefore: args.created_before,
          limit: args.limit,
          offset: args.offset,
        };
        // A brief list reads only what it shows (no descriptions, summaries or dependencies).
        const r =
          args.verbosity === "full"
            ? listed(await queryTasks(ctx, query), taskView, (t) => ` · ${t.specialistType} · ${t.createdAt}`)
            : listed(await queryTaskBriefs(ctx, query), taskBriefView, () => "");
        const structured = {
          ...workspaceFields(ws),
          tasks: r.items,
          total: r.total,
          limit: args.limit,
          offset: args.offset,
          has_more: r.hasMore,
          next_offset: r.hasMore ? args.offset + r.items.length : null,
        };
        const lines = [
          `${r.total} task(s) match in ${ws.path}; showing ${r.items.length} from ${args.offset}.`,
          ...r.lines,
        ];
        if (r.hasMore) lines.push(`More: offset ${args.offset + r.items.length}.`);
        return ok(structured, lines.join("\n"));
      }),
  );
}

/**
 * A query's tasks as list items and text lines, grouped under their plan (a list is mostly runs
 * of one plan's tasks): each plan id once. `more` is what a line shows after the title.
 */
function listed<T extends TaskBrief>(
  r: TaskQueryResult<T>,
  view: (t: T) => z.infer<typeof taskListItemShape>,
  more: (t: T) => string,
): { items: z.infer<typeof taskListItemShape>[]; lines: string[]; total: number; hasMore: boolean } {
  const lines: string[] = [];
  let plan: string | undefined;
  for (const t of r.tasks) {
    if (t.planId !== plan) {
      plan = t.planId;
      lines.push(`plan ${plan}:`);
    }
    lines.push(`- ${t.id} [${t.status}] ${t.title}${more(t)}`);
  }
  return { items: r.tasks.map(view), lines, total: r.total, hasMore: r.hasMore };
}
