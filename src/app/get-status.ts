import { type Progress, progressOf } from "../core/readiness.ts";
import type { Plan, PlanStatus, Task, TaskCounts, TaskStatus } from "../core/task.ts";
import { requirePlan } from "./_task-writes.ts";
import type { AppContext } from "./context.ts";

export interface StatusPlan {
  readonly plan: Plan;
  readonly progress: Progress;
  /** The plan's tasks (completed ones only when asked), in plan order. */
  readonly tasks: readonly Task[];
  /** Tasks that can start now. */
  /** Ids of the tasks that can start now, in plan order. */
  readonly readyIds: readonly string[];
  /** How many tasks were left out of `tasks` by the filters or the cap. */
  readonly hiddenTasks: number;
}

export interface StatusResult {
  /** Task counts over the plans in scope (open plans, plus completed ones when asked). */
  readonly counts: TaskCounts;
  readonly planCounts: Record<PlanStatus, number>;
  readonly plans: readonly StatusPlan[];
  /** Plans in scope that were not listed because of `limit`. */
  readonly morePlans: number;
}

export interface StatusQuery {
  readonly includeCompleted: boolean;
  readonly planId?: string | undefined;
  readonly limit: number;
}

/**
 * Tasks listed per plan: an overview of several plans lists the first 25 open tasks of each
 * (a model reads every byte of the answer), one plan asked for by id lists up to 100. The rest
 * are counted in hiddenTasks; orchestrator_query_tasks pages through all of them.
 */
const TASKS_PER_PLAN_OVERVIEW = 25;
const TASKS_PER_PLAN_ONE = 100;
/** Ready tasks named per plan (ids only, so a longer list is cheap to read). */
const READY_PER_PLAN = 100;

/**
 * The state of the workspace's work: open plans (and completed ones when asked), newest activity
 * first, each with progress, its tasks and what can start now. Cost depends on what is listed,
 * not on how many tasks the store holds: totals come from per-plan counters.
 */
export async function getStatus(ctx: AppContext, q: StatusQuery): Promise<StatusResult> {
  const ws = ctx.project;
  const now = ctx.clock.now();
  return ctx.store.read(async (db) => {
    const planCounts = await db.countPlans(ws);
    let plans: Plan[];
    let counts: TaskCounts;
    let inScope: number;
    if (q.planId) {
      const plan = await requirePlan(db, ws, q.planId);
      plans = [plan];
      counts = plan.counts;
      inScope = 1;
    } else {
      const statuses: PlanStatus[] = q.includeCompleted ? ["active", "completed"] : ["active"];
      plans = await db.findPlans(ws, statuses, q.limit);
      counts = await db.sumTaskCounts(ws, statuses);
      inScope = statuses.reduce((n, s) => n + planCounts[s], 0);
    }
    const listed: StatusPlan[] = [];
    const exclude: TaskStatus[] = q.includeCompleted || q.planId ? ["archived"] : ["archived", "completed"];
    for (const plan of plans) {
      const { tasks, total } = await db.findPlanTasksPage(ws, plan.id, {
        exclude,
        limit: q.planId ? TASKS_PER_PLAN_ONE : TASKS_PER_PLAN_OVERVIEW,
      });
      listed.push({
        plan,
        progress: progressOf(plan.counts),
        tasks,
        readyIds: await db.findReadyTaskIds(ws, plan.id, now, READY_PER_PLAN),
        hiddenTasks: total - tasks.length,
      });
    }
    return { counts, planCounts, plans: listed, morePlans: Math.max(0, inScope - plans.length) };
  });
}
