import {
  type Complexity,
  EMPTY_COUNTS,
  type Plan,
  type PlanStatus,
  type TaskCounts,
} from "../../core/task.ts";
import type { Executor } from "../database.ts";
import { listIn, listValues, prepared } from "../prepared.ts";
import type { NewPlan, PlanCounters, PlanPatch } from "../records.ts";
import type { PlanRow, PlanUpdate } from "../tables/plans.table.ts";
import { requireIdsToStore, requireRowIds } from "./_row-check.ts";

/** Maps a plans row to the domain Plan. */
export function planRowToPlan(row: PlanRow): Plan {
  requireRowIds("plans", { id: row.id });
  return {
    id: row.id,
    description: row.description,
    complexity: row.complexity as Complexity,
    context: row.context,
    status: row.status as PlanStatus,
    counts: {
      pending: row.n_pending,
      active: row.n_active,
      blocked: row.n_blocked,
      completed: row.n_completed,
      failed: row.n_failed,
      cancelled: row.n_cancelled,
      total: row.n_total,
    },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
  };
}

/** The counter columns for `counts`. */
function countsToColumns(c: TaskCounts): Required<Pick<PlanUpdate, `n_${keyof TaskCounts}`>> {
  return {
    n_pending: c.pending,
    n_active: c.active,
    n_blocked: c.blocked,
    n_completed: c.completed,
    n_failed: c.failed,
    n_cancelled: c.cancelled,
    n_total: c.total,
  };
}

/** Inserts a plan with zero counters (refreshPlan counts its tasks once they are in). */
export async function insertPlan(db: Executor, workspace: string, plan: NewPlan): Promise<void> {
  requireIdsToStore("plans", { id: plan.id });
  await db
    .insertInto("plans")
    .values({
      workspace,
      id: plan.id,
      description: plan.description,
      complexity: plan.complexity,
      context: plan.context,
      status: plan.status,
      ...countsToColumns(EMPTY_COUNTS),
      created_at: plan.createdAt,
      updated_at: plan.updatedAt,
    })
    .execute();
}

/** Removes a plan row; its tasks, their edges and artifact rows go with it (ON DELETE CASCADE). */
export async function deletePlan(db: Executor, workspace: string, id: string): Promise<void> {
  await db.deleteFrom("plans").where("workspace", "=", workspace).where("id", "=", id).execute();
}

/** Ids of the active plans (or just `only`, when it is active), oldest first. */
export async function findActivePlanIds(
  db: Executor,
  workspace: string,
  opts: { readonly only?: string | undefined; readonly limit: number },
): Promise<string[]> {
  let q = db
    .selectFrom("plans")
    .select("id")
    .where("workspace", "=", workspace)
    .where("status", "=", "active");
  if (opts.only) q = q.where("id", "=", opts.only);
  return (await q.orderBy("created_at").limit(opts.limit).execute()).map((r) => r.id);
}

/** Every plan's stored counters, read without the id check (validate_structure recounts them). */
export async function findPlanCounters(db: Executor, workspace: string): Promise<PlanCounters[]> {
  const rows = await db.selectFrom("plans").selectAll().where("workspace", "=", workspace).execute();
  return rows.map((r) => ({
    id: r.id,
    counts: {
      pending: r.n_pending,
      active: r.n_active,
      blocked: r.n_blocked,
      completed: r.n_completed,
      failed: r.n_failed,
      cancelled: r.n_cancelled,
      total: r.n_total,
    },
  }));
}

export async function findPlan(db: Executor, workspace: string, id: string): Promise<Plan | undefined> {
  const [row] = await selectPlanRow(db, { workspace, id });
  return row ? planRowToPlan(row) : undefined;
}

const selectPlanRow = prepared((db, p: { workspace: string; id: string }) =>
  db.selectFrom("plans").selectAll().where("workspace", "=", p.workspace).where("id", "=", p.id),
);

export async function planExists(db: Executor, workspace: string, id: string): Promise<boolean> {
  const row = await db
    .selectFrom("plans")
    .select("id")
    .where("workspace", "=", workspace)
    .where("id", "=", id)
    .executeTakeFirst();
  return row !== undefined;
}

/** Plans with one of `statuses`, most recently updated first. */
export async function findPlans(
  db: Executor,
  workspace: string,
  statuses: readonly PlanStatus[],
  limit: number,
): Promise<Plan[]> {
  const rows = await selectPlanRows(
    db,
    { workspace, limit, ...listValues("status", statuses) },
    String(statuses.length),
  );
  return rows.map(planRowToPlan);
}

// get_status and the other overviews (compiled once per number of statuses).
const selectPlanRows = prepared((db, p: { workspace: string; limit: number }) =>
  db
    .selectFrom("plans")
    .selectAll()
    .where("workspace", "=", p.workspace)
    .where("status", "in", listIn<PlanStatus>(p, "status"))
    .orderBy("updated_at", "desc")
    .orderBy("id")
    .limit(p.limit),
);

/** How many plans are in each status (from the counts the plans table's triggers keep: no plan is read). */
export async function countPlans(db: Executor, workspace: string): Promise<Record<PlanStatus, number>> {
  const rows = await selectPlanCounts(db, { workspace });
  const out: Record<PlanStatus, number> = { active: 0, completed: 0, cancelled: 0, archived: 0 };
  for (const r of rows) if (Object.hasOwn(out, r.status)) out[r.status as PlanStatus] = Number(r.n);
  return out;
}

const selectPlanCounts = prepared((db, p: { workspace: string }) =>
  db.selectFrom("plan_counts").select(["status", "n"]).where("workspace", "=", p.workspace),
);

/** Updates one plan. */
export async function updatePlan(
  db: Executor,
  workspace: string,
  id: string,
  patch: PlanPatch,
): Promise<void> {
  const set: PlanUpdate = patch.counts ? countsToColumns(patch.counts) : {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.updatedAt !== undefined) set.updated_at = patch.updatedAt;
  if (patch.completedAt !== undefined) set.completed_at = patch.completedAt;
  // Compiled once per set of changed columns (every write call recounts its plan).
  await updatePlanRow(db, { ...set, workspace, id } as UpdateParams, Object.keys(set).join(","));
}

type UpdateParams = PlanUpdate & { workspace: string; id: string };
const updatePlanRow = prepared((db, { workspace, id, ...set }: UpdateParams) =>
  db.updateTable("plans").set(set).where("workspace", "=", workspace).where("id", "=", id),
);

/**
 * Adds `delta` to a plan's counters and sets its updated_at, in one statement that returns the
 * plan as it is then (undefined: no such plan). The sum is taken in the UPDATE, under the row's
 * write lock, so two writers changing tasks of one plan never lose each other's change as a read
 * followed by a write of the counts could; and no task is read (a recount reads the plan's index).
 */
export async function shiftPlanCounts(
  db: Executor,
  workspace: string,
  id: string,
  delta: TaskCounts,
  updatedAt: string,
): Promise<Plan | undefined> {
  const [row] = await shiftPlanRow(db, { workspace, id, updatedAt, ...delta });
  return row ? planRowToPlan(row) : undefined;
}

// Every write call's plan update: one shape, compiled once.
const shiftPlanRow = prepared(
  (db, p: Record<keyof TaskCounts, number> & { workspace: string; id: string; updatedAt: string }) =>
    db
      .updateTable("plans")
      .set((eb) => ({
        n_pending: eb("n_pending", "+", p.pending),
        n_active: eb("n_active", "+", p.active),
        n_blocked: eb("n_blocked", "+", p.blocked),
        n_completed: eb("n_completed", "+", p.completed),
        n_failed: eb("n_failed", "+", p.failed),
        n_cancelled: eb("n_cancelled", "+", p.cancelled),
        n_total: eb("n_total", "+", p.total),
        updated_at: p.updatedAt,
      }))
      .where("workspace", "=", p.workspace)
      .where("id", "=", p.id)
      .returningAll(),
);

/** Sums task counters over plans with one of `statuses` (cheap: one row per plan, no task scan). */
export async function sumTaskCounts(
  db: Executor,
  workspace: string,
  statuses: readonly PlanStatus[],
): Promise<TaskCounts> {
  const [r] = await selectTaskSums(
    db,
    { workspace, ...listValues("status", statuses) },
    String(statuses.length),
  );
  return {
    pending: Number(r?.pending ?? 0),
    active: Number(r?.active ?? 0),
    blocked: Number(r?.blocked ?? 0),
    completed: Number(r?.completed ?? 0),
    failed: Number(r?.failed ?? 0),
    cancelled: Number(r?.cancelled ?? 0),
    total: Number(r?.total ?? 0),
  };
}

const selectTaskSums = prepared((db, p: { workspace: string }) =>
  db
    .selectFrom("plans")
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<number>("n_pending"), eb.lit(0)).as("pending"),
      eb.fn.coalesce(eb.fn.sum<number>("n_active"), eb.lit(0)).as("active"),
      eb.fn.coalesce(eb.fn.sum<number>("n_blocked"), eb.lit(0)).as("blocked"),
      eb.fn.coalesce(eb.fn.sum<number>("n_completed"), eb.lit(0)).as("completed"),
      eb.fn.coalesce(eb.fn.sum<number>("n_failed"), eb.lit(0)).as("failed"),
      eb.fn.coalesce(eb.fn.sum<number>("n_cancelled"), eb.lit(0)).as("cancelled"),
      eb.fn.coalesce(eb.fn.sum<number>("n_total"), eb.lit(0)).as("total"),
    ])
    .where("workspace", "=", p.workspace)
    .where("status", "in", listIn<PlanStatus>(p, "status")),
);
