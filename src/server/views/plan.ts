import { z } from "zod";
import type { StatusPlan } from "../../app/get-status.ts";
import type { Progress } from "../../core/readiness.ts";
import type { Plan } from "../../core/task.ts";
import { truncate } from "../../core/text.ts";
import { taskBrief, taskBriefShape } from "./task.ts";

/** The plan a task belongs to, as shown beside the task. */
export const planRefShape = z.object({
  parent_task_id: z.string(),
  description: z.string(),
  status: z.string(),
});

export function planRef(p: Plan): z.infer<typeof planRefShape> {
  return { parent_task_id: p.id, description: p.description, status: p.status };
}

/** An open plan in the session overview, with progress in the upstream's field names. */
export const planProgressShape = z.object({
  parent_task_id: z.string(),
  description: z.string(),
  status: z.string(),
  completed_subtasks: z.number(),
  total_subtasks: z.number(),
  progress_percentage: z.number(),
});

export function planProgress(p: { plan: Plan; progress: Progress }): z.infer<typeof planProgressShape> {
  return {
    parent_task_id: p.plan.id,
    description: p.plan.description,
    status: p.plan.status,
    completed_subtasks: p.progress.completed,
    total_subtasks: p.progress.total,
    progress_percentage: p.progress.percentage,
  };
}

const countsShape = z.object({
  pending: z.number(),
  active: z.number(),
  blocked: z.number(),
  completed: z.number(),
  failed: z.number(),
  cancelled: z.number(),
  total: z.number(),
});

/** A plan with its progress, counts, the tasks listed and the ready ones (get_status). */
export const planSummaryShape = z.object({
  parent_task_id: z.string(),
  description: z.string(),
  status: z.string(),
  complexity: z.string(),
  progress: z.object({ completed: z.number(), total: z.number(), percentage: z.number() }),
  counts: countsShape,
  created_at: z.string(),
  updated_at: z.string(),
  tasks: z.array(taskBriefShape),
  ready_tasks: z.array(z.string()),
  hidden_tasks: z
    .number()
    .describe(
      "Tasks not listed: completed ones unless asked, archived ones, and those past the overview's 5 (over all plans, active, blocked and failed first) or 100 with parent_task_id; orchestrator_query_tasks lists them all",
    ),
});

/**
 * How much of a plan's description and a task's title get_status's overview shows (each plan's
 * description may hold 20,000 characters, and a model polls the overview between steps: the
 * default answer stays near 8 KB whatever the plans say). One plan asked for by id shows all.
 */
const OVERVIEW_TEXT = { description: 120, title: 80 } as const;

/** A plan as get_status lists it; `overview`: descriptions and titles cut (OVERVIEW_TEXT). */
export function planSummary(p: StatusPlan, overview: boolean): z.infer<typeof planSummaryShape> {
  return {
    parent_task_id: p.plan.id,
    description: overview ? truncate(p.plan.description, OVERVIEW_TEXT.description) : p.plan.description,
    status: p.plan.status,
    complexity: p.plan.complexity,
    progress: p.progress,
    counts: p.plan.counts,
    created_at: p.plan.createdAt,
    updated_at: p.plan.updatedAt,
    tasks: p.tasks.map((t) => taskBrief(t, overview ? { titleMax: OVERVIEW_TEXT.title } : {})),
    ready_tasks: [...p.readyIds],
    hidden_tasks: p.hiddenTasks,
  };
}
