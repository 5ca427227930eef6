import { type Progress, progressOf } from "../core/readiness.ts";
import type { Plan, PlanStatus, Task, TaskCounts, TaskStatus } from "../core/task.ts";
import { requirePlan } from "./_task-writes.ts";
import type { AppContext } from "./context.ts";

export interface StatusPlan {
  readonly plan: Plan;
  readonly progress: Progress;
  /** The plan's tasks (completed ones only when asked), in plan order. */
  readonly tasks: readonly Task[];
  /** Ids of the tasks that can start now, in plan order (the first `readyPerPlan` of them). */
  readonly readyIds: readonly string[];
  /**
   * How many tasks were left out of `tasks` by the filters or the cap (with `overviewTasks`: of the
   * plan's counted tasks, which leave out archived ones).
   */
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
  /**
   * A compact overview (the MCP tool's default; a model reads every byte): at most this many tasks
   * over all listed plans together, those needing someone (active, blocked, failed) first, then
   * pending ones (cancelled and completed ones are counted, not listed), plans in listed order.
   * Absent: each plan lists its first 25 open tasks.
   * Ignored when `planId` is given.
   */
  readonly overviewTasks?: number | undefined;
  /** Ready task ids named per plan; 100 when absent. */
  readonly readyPerPlan?: number | undefined;
}

/**
 * Tasks listed per plan: an overview of several plans lists the first 25 open tasks of each
 * (a model reads every byte of the answer), one plan asked for by id lists up to 100. The rest
 * are counted in hiddenTasks; orchestrator_query_tasks pages through all of them.
 */
const TASKS_PER_PLAN_OVERVIEW = 25;
const TASKS_PER_PLAN_ONE = 100;
/** What the overview lists first, before pending tasks: work in progress and work that is stuck. */
const NEEDS_SOMEONE: readonly TaskStatus[] = ["active", "blocked", "failed"];
/** Ready tasks named per plan by default (ids only, so a longer list is cheap to read). */
const READY_PER_PLAN = 100;

/**
 * The state of the workspace's work: open plans (and completed ones when asked), newest activity
 * first, each with progress, its tasks and what can start now. Cost depends on what is listed,
 * not on how many tasks the store holds: totals come from per-plan counters.
 *
 * A model polls this between steps, mostly while nothing changed: on SQLite the answer is kept
 * until the database's change mark moves (any commit, by any process) and reused as long as time
 * cannot change it either (no ready candidate held by a live claim; the clock not turned back).
 * Claims' lapses shown beside tasks are worked out by the caller at each call, not kept.
 */
export async function getStatus(ctx: AppContext, q: StatusQuery): Promise<StatusResult> {
  const now = ctx.clock.now();
  const mark = await ctx.store.direct.readChangeMark();
  const key = `${ctx.project}\u0000${q.includeCompleted}\u0000${q.planId ?? ""}\u0000${q.limit}\u0000${q.overviewTasks ?? ""}\u0000${q.readyPerPlan ?? ""}`;
  let kept = mark === undefined ? undefined : keptAnswers.get(ctx.store);
  const hit = kept?.get(key);
  if (hit && hit.mark === mark && now >= hit.at) return hit.result;
  const { result, settled } = await readStatus(ctx, q, now);
  if (mark !== undefined && settled) {
    if (!kept) {
      kept = new Map();
      keptAnswers.set(ctx.store, kept);
    }
    // A few callers' queries per store; a different one past that starts the set again.
    if (kept.size >= KEPT_PER_STORE && !kept.has(key)) kept.clear();
    kept.set(key, { mark, at: now, result });
  }
  return result;
}

interface Kept {
  readonly mark: string;
  /** When it was read: a clock turned back to before it could see a claim live again. */
  readonly at: string;
  readonly result: StatusResult;
}
const keptAnswers = new WeakMap<object, Map<string, Kept>>();
const KEPT_PER_STORE = 16;

async function readStatus(
  ctx: AppContext,
  q: StatusQuery,
  now: string,
): Promise<{ result: StatusResult; settled: boolean }> {
  const ws = ctx.project;
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
    // Plans without pending tasks (their counters say so) have none ready: not asked.
    const waiting = plans.filter((p) => p.counts.pending > 0).map((p) => p.id);
    const ready = await db.findReadyTaskIdsOfPlans(ws, waiting, now, q.readyPerPlan ?? READY_PER_PLAN);
    // With a budget, plans after the first few list no task and cost no query of their own.
    let budget = q.planId ? undefined : q.overviewTasks;
    for (const plan of plans) {
      let tasks: Task[];
      let hiddenTasks: number;
      if (budget === undefined) {
        const page = await db.findPlanTasksPage(ws, plan.id, {
          exclude,
          limit: q.planId ? TASKS_PER_PLAN_ONE : TASKS_PER_PLAN_OVERVIEW,
        });
        tasks = page.tasks;
        hiddenTasks = page.total - tasks.length;
      } else {
        // The counters say which queries can find anything (most plans have no task in progress).
        const c = plan.counts;
        tasks =
          budget > 0 && c.active + c.blocked + c.failed > 0
            ? await db.findPlanTasksWithStatus(ws, plan.id, NEEDS_SOMEONE, budget)
            : [];
        if (budget > tasks.length && c.pending > 0)
          tasks = [
            ...tasks,
            ...(await db.findPlanTasksWithStatus(ws, plan.id, ["pending"], budget - tasks.length)),
          ];
        budget -= tasks.length;
        hiddenTasks = c.total - tasks.length;
      }
      const readyIds = ready.ids.get(plan.id) ?? [];
      listed.push({ plan, progress: progressOf(plan.counts), tasks, readyIds, hiddenTasks });
    }
    return {
      result: { counts, planCounts, plans: listed, morePlans: Math.max(0, inScope - plans.length) },
      settled: ready.settled,
    };
  });
}
