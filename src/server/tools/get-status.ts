import { z } from "zod";
import { getStatus } from "../../app/get-status.ts";
import { IdSchema } from "../../core/ids.ts";
import { claimLapse } from "../../core/readiness.ts";
import { workingDirectoryField } from "../fields.ts";
import type { Session } from "../session.ts";
import { planSummary, planSummaryShape } from "../views/plan.ts";
import { workspaceFields, workspaceShape } from "../views/workspace.ts";
import type { ToolHost } from "./_catalog.ts";
import { inWorkspaceReadOnly, ok } from "./_shared.ts";

const outputSchema = {
  ...workspaceShape,
  active_tasks: z.number().describe("Tasks being worked on, over the plans in scope"),
  pending_tasks: z.number().describe("Tasks not started, over the plans in scope"),
  blocked_tasks: z.number().describe("Blocked tasks, over the plans in scope"),
  completed_tasks: z.number().describe("Completed tasks, over the plans in scope"),
  failed_tasks: z.number().describe("Failed tasks, over the plans in scope"),
  plans_open: z.number().describe("Open (active) plans in the workspace"),
  plans_completed: z.number().describe("Completed plans in the workspace"),
  plans: z
    .array(planSummaryShape)
    .describe("The open plans (and completed ones when asked), most recent activity first"),
  more_plans: z.number().describe("Plans in scope not listed because of limit"),
};

/**
 * The overview (no parent_task_id) is sized for a model's context (issue 16: ≤ 8 KB at 100,000
 * stored tasks): task briefs over all plans together, those needing someone first, and the first
 * few ready ids per plan; parent_task_id and orchestrator_query_tasks page further.
 */
const OVERVIEW_TASKS = 5;
const OVERVIEW_READY = 3;

const inputSchema = z.object({
  include_completed: z.boolean().default(false).describe("Also completed plans and tasks"),
  parent_task_id: IdSchema.optional().describe("Only this plan, with up to 100 tasks"),
  limit: z.number().int().min(1).max(200).default(10).describe("Max plans"),
  working_directory: workingDirectoryField,
});

/** Registers orchestrator_get_status: plans with progress and their tasks. */
export function registerGetStatusTool(server: ToolHost, session: Session): void {
  server.registerTool(
    "orchestrator_get_status",
    {
      title: "Show plans and progress",
      description:
        "Open plans, latest activity first, with progress, counts, tasks in progress and which can start now. parent_task_id: one plan's tasks.",
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args) =>
      inWorkspaceReadOnly(session, args.working_directory, async (ctx, ws) => {
        const overview = !args.parent_task_id;
        const s = await getStatus(ctx, {
          includeCompleted: args.include_completed,
          planId: args.parent_task_id,
          limit: args.limit,
          ...(args.parent_task_id ? {} : { overviewTasks: OVERVIEW_TASKS, readyPerPlan: OVERVIEW_READY }),
        });
        // The text shows what the structured answer holds (the overview's cut descriptions and titles).
        const summaries = s.plans.map((p) => planSummary(p, overview));
        const structured = {
          ...workspaceFields(ws),
          active_tasks: s.counts.active,
          pending_tasks: s.counts.pending,
          blocked_tasks: s.counts.blocked,
          completed_tasks: s.counts.completed,
          failed_tasks: s.counts.failed,
          plans_open: s.planCounts.active,
          plans_completed: s.planCounts.completed,
          plans: summaries,
          more_plans: s.morePlans,
        };
        const lines = [
          `Workspace ${ws.path}: ${s.planCounts.active} open plan(s), ${s.planCounts.completed} completed.`,
          `Tasks in scope: ${s.counts.active} active, ${s.counts.pending} pending, ${s.counts.blocked} blocked, ${s.counts.failed} failed, ${s.counts.completed} completed.`,
        ];
        const now = ctx.clock.now();
        for (const [i, p] of s.plans.entries()) {
          const shown = summaries[i]!;
          lines.push(
            "",
            `${p.plan.id} [${p.plan.status}] ${shown.description} — ${p.progress.completed}/${p.progress.total} (${p.progress.percentage}%)`,
          );
          for (const [j, t] of p.tasks.entries()) {
            const lapse = t.claim ? claimLapse(t.claim, now, ctx.holderGone) : null;
            const claim = t.claim
              ? ` (${t.claim.agentId}${lapse === null ? "" : lapse === "expired" ? ", lease expired: can be taken over" : ", disconnected: can be taken over"})`
              : "";
            const title = shown.tasks[j]!.title;
            lines.push(`  - ${t.id} [${t.status}] ${title} · ${t.specialistType}${claim}`);
          }
          if (p.hiddenTasks > 0)
            lines.push(
              args.parent_task_id
                ? `  (${p.hiddenTasks} more not listed: orchestrator_query_tasks with parent_task_id ${p.plan.id} lists them all)`
                : `  (${p.hiddenTasks} more)`,
            );
          if (p.readyIds.length > 0) lines.push(`  ready: ${p.readyIds.join(", ")}`);
        }
        if (!args.parent_task_id && s.plans.some((p) => p.hiddenTasks > 0))
          lines.push(
            "",
            `Listed: ${OVERVIEW_TASKS} tasks over all plans (active, blocked, failed first) and each plan's first ${OVERVIEW_READY} ready ones, long descriptions and titles cut (…). parent_task_id lists a plan in full: its tasks (up to 100) and all its ready ones; orchestrator_query_tasks pages through all.`,
          );
        if (s.morePlans > 0)
          lines.push("", `${s.morePlans} more plan(s) not listed; raise limit to see them.`);
        return ok(structured, lines.join("\n"));
      }),
  );
}
