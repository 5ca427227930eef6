import { z } from "zod";
import type { PlannedTask } from "../../core/plan.ts";
import type { Task, TaskBrief } from "../../core/task.ts";
import { truncate } from "../../core/text.ts";

/** A task named in a hint: enough to pick it and to know who should do it. */
export const taskRefShape = z.object({ task_id: z.string(), title: z.string(), specialist_type: z.string() });

export function taskRef(t: Pick<Task, "id" | "title" | "specialistType">): z.infer<typeof taskRefShape> {
  return { task_id: t.id, title: t.title, specialist_type: t.specialistType };
}

/** A subtask as a plan stored it, before any work (plan_task's answer). */
export const plannedTaskShape = z.object({
  task_id: z.string(),
  title: z.string(),
  specialist_type: z.string(),
  dependencies: z.array(z.string()),
  estimated_effort: z.string(),
});

export function plannedTask(t: PlannedTask): z.infer<typeof plannedTaskShape> {
  return {
    task_id: t.id,
    title: t.title,
    specialist_type: t.specialistType,
    dependencies: [...t.dependencies],
    estimated_effort: t.estimatedEffort,
  };
}

export const taskBriefShape = z.object({
  task_id: z.string(),
  title: z.string(),
  specialist_type: z.string(),
  status: z.string(),
  dependencies: z.array(z.string()),
  claimed_by: z.string().optional().describe("Absent: no claim"),
  claim_expires_at: z.string().optional(),
  created_at: z.string(),
  updated_at: z.string(),
});

/**
 * The compact task view used in lists. The claim fields are left out when the task holds no
 * claim (most tasks in a list): 42 bytes each that a model would read as "nobody" anyway.
 * `opts.titleMax` cuts the title (get_status's overview; the task itself keeps it whole).
 */
export function taskBrief(
  t: Task,
  opts: { readonly titleMax?: number } = {},
): z.infer<typeof taskBriefShape> {
  return {
    task_id: t.id,
    title: opts.titleMax === undefined ? t.title : truncate(t.title, opts.titleMax),
    specialist_type: t.specialistType,
    status: t.status,
    dependencies: [...t.dependencies],
    ...(t.claim ? { claimed_by: t.claim.agentId, claim_expires_at: t.claim.expiresAt } : {}),
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

export const taskViewShape = z.object({
  task_id: z.string(),
  parent_task_id: z.string(),
  title: z.string(),
  description: z.string(),
  specialist_type: z.string(),
  estimated_effort: z.string(),
  status: z.string(),
  summary: z.string().nullable(),
  note: z.string().nullable().describe("Why the task is blocked, failed, sent back or cancelled"),
  dependencies: z.array(z.string()),
  claimed_by: z.string().nullable(),
  claim_expires_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
});

/** The full task view used by single-task tools. */
export function taskView(t: Task): z.infer<typeof taskViewShape> {
  return {
    task_id: t.id,
    parent_task_id: t.planId,
    title: t.title,
    description: t.description,
    specialist_type: t.specialistType,
    estimated_effort: t.estimatedEffort,
    status: t.status,
    summary: t.summary,
    note: t.statusNote,
    dependencies: [...t.dependencies],
    claimed_by: t.claim?.agentId ?? null,
    claim_expires_at: t.claim?.expiresAt ?? null,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    started_at: t.startedAt,
    completed_at: t.completedAt,
  };
}

/**
 * A task in a list: brief unless every field was asked for. Brief is what finding a task needs
 * (id, plan, title, status) at ~100 bytes, so 200 fit a model's context in under 30 KB with the
 * text (issue 16); the role is a filter of the list and in every default id (`<role>_<hex>`).
 */
export const taskListItemShape = taskViewShape.partial().required({
  task_id: true,
  parent_task_id: true,
  title: true,
  status: true,
});

/** A brief list's item: id, plan, title and status (query_tasks' default verbosity). */
export function taskBriefView(t: TaskBrief): z.infer<typeof taskListItemShape> {
  return { task_id: t.id, parent_task_id: t.planId, title: t.title, status: t.status };
}
