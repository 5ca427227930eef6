import { sql } from "kysely";
import { type Claim, DEPENDENCY_SATISFIED, type Task, type TaskStatus } from "../../core/task.ts";
import type { Executor } from "../database.ts";
import type { NewTaskRow, TaskRow, TaskUpdate } from "../tables/tasks.table.ts";
import { requireIdsToStore, requireRowIds } from "./_row-check.ts";

/** Maps a row (and its dependency ids) to the domain Task; snake_case stops here. */
export function taskRowToTask(row: TaskRow, dependencies: readonly string[]): Task {
  requireRowIds("tasks", { id: row.id, plan_id: row.plan_id });
  return {
    id: row.id,
    planId: row.plan_id,
    position: row.position,
    title: row.title,
    description: row.description,
    specialistType: row.specialist_type,
    estimatedEffort: row.estimated_effort,
    status: row.status as TaskStatus,
    archivedFrom: row.archived_from as TaskStatus | null,
    summary: row.summary,
    statusNote: row.status_note,
    dependencies,
    claim:
      row.claimed_by !== null && row.claim_expires_at !== null
        ? {
            agentId: row.claimed_by,
            expiresAt: row.claim_expires_at,
            holder:
              row.claim_host !== null && row.claim_pid !== null
                ? { host: row.claim_host, pid: row.claim_pid }
                : null,
          }
        : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
  };
}

/**
 * The columns of a claim (or of none). Every write that claims a task goes through here, so a
 * claim never carries the holder process of an earlier one (a cleared claim's holder is ignored).
 */
export function claimColumns(
  claim: Claim | null,
): Pick<TaskUpdate, "claimed_by" | "claim_expires_at" | "claim_host" | "claim_pid"> {
  return {
    claimed_by: claim?.agentId ?? null,
    claim_expires_at: claim?.expiresAt ?? null,
    claim_host: claim?.holder?.host ?? null,
    claim_pid: claim?.holder?.pid ?? null,
  };
}

/** Dependency ids of each of `taskIds`, in insertion order. */
export async function findDependencies(
  db: Executor,
  workspace: string,
  taskIds: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(taskIds.map((id) => [id, []]));
  if (taskIds.length === 0) return out;
  for (let i = 0; i < taskIds.length; i += 500) {
    const rows = await db
      .selectFrom("task_dependencies")
      .select(["task_id", "depends_on"])
      .where("workspace", "=", workspace)
      .where("task_id", "in", taskIds.slice(i, i + 500))
      .orderBy(sql`rowid`)
      .execute();
    for (const r of rows) out.get(r.task_id)?.push(r.depends_on);
  }
  return out;
}

/** One task with its dependencies, or undefined. */
export async function findTask(db: Executor, workspace: string, id: string): Promise<Task | undefined> {
  const row = await db
    .selectFrom("tasks")
    .selectAll()
    .where("workspace", "=", workspace)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) return undefined;
  const deps = await findDependencies(db, workspace, [id]);
  return taskRowToTask(row, deps.get(id) ?? []);
}

/** Every task of a plan in plan order, with dependencies. */
export async function findPlanTasks(db: Executor, workspace: string, planId: string): Promise<Task[]> {
  return (await findTasksOfPlans(db, workspace, [planId])).get(planId) ?? [];
}

/**
 * The tasks of several plans in plan order, with dependencies, in two queries whatever the
 * number of plans (each uses an index prefix, so the cost follows the plans' size, not the store's).
 */
export async function findTasksOfPlans(
  db: Executor,
  workspace: string,
  planIds: readonly string[],
): Promise<Map<string, Task[]>> {
  const out = new Map<string, Task[]>(planIds.map((id) => [id, []]));
  if (planIds.length === 0) return out;
  const rows = await db
    .selectFrom("tasks")
    .selectAll()
    .where("workspace", "=", workspace)
    .where("plan_id", "in", planIds)
    .orderBy("plan_id")
    .orderBy("position")
    .execute();
  const edges = await db
    .selectFrom("task_dependencies")
    .select(["task_id", "depends_on"])
    .where("workspace", "=", workspace)
    .where("plan_id", "in", planIds)
    .orderBy(sql`rowid`)
    .execute();
  const deps = new Map<string, string[]>();
  for (const e of edges) deps.set(e.task_id, [...(deps.get(e.task_id) ?? []), e.depends_on]);
  for (const r of rows) out.get(r.plan_id)?.push(taskRowToTask(r, deps.get(r.id) ?? []));
  return out;
}

/**
 * The first `limit` tasks of a plan in plan order (leaving out `exclude` statuses), with their
 * dependencies, and how many tasks the plan holds in all. One index range, bounded by `limit`:
 * what get_status lists costs the same whether the plan has 10 tasks or 500.
 */
export async function findPlanTasksPage(
  db: Executor,
  workspace: string,
  planId: string,
  opts: { readonly exclude: readonly TaskStatus[]; readonly limit: number },
): Promise<{ tasks: Task[]; total: number }> {
  let q = db.selectFrom("tasks").selectAll().where("workspace", "=", workspace).where("plan_id", "=", planId);
  if (opts.exclude.length > 0) q = q.where("status", "not in", [...opts.exclude]);
  const rows = await q.orderBy("position").limit(opts.limit).execute();
  const total = await db
    .selectFrom("tasks")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("workspace", "=", workspace)
    .where("plan_id", "=", planId)
    .executeTakeFirst();
  const deps = await findDependencies(
    db,
    workspace,
    rows.map((r) => r.id),
  );
  return { tasks: rows.map((r) => taskRowToTask(r, deps.get(r.id) ?? [])), total: Number(total?.n ?? 0) };
}

/**
 * The tasks of a plan that can start now, in plan order: pending, every dependency completed or
 * cancelled (a dependency whose task is gone never is), and no live claim. The same rule as
 * core/readiness.ts readyTasks, in SQL so the plan's other tasks are not read.
 */
export async function findReadyTaskIds(
  db: Executor,
  workspace: string,
  planId: string,
  now: string,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom("tasks as t")
    .select("t.id")
    .where("t.workspace", "=", workspace)
    .where("t.plan_id", "=", planId)
    .where("t.status", "=", "pending")
    .where((eb) =>
      eb.or([
        eb("t.claimed_by", "is", null),
        eb("t.claim_expires_at", "is", null),
        eb("t.claim_expires_at", "<=", now),
      ]),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("task_dependencies as d")
            .leftJoin("tasks as dt", (j) =>
              j.onRef("dt.workspace", "=", "d.workspace").onRef("dt.id", "=", "d.depends_on"),
            )
            .select(sql<number>`1`.as("unmet"))
            .whereRef("d.workspace", "=", "t.workspace")
            .whereRef("d.task_id", "=", "t.id")
            .where((e) =>
              e.or([e("dt.id", "is", null), e("dt.status", "not in", [...DEPENDENCY_SATISFIED])]),
            ),
        ),
      ),
    )
    .orderBy("t.position")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Ids among `ids` that already exist in the workspace. */
export async function findExistingTaskIds(
  db: Executor,
  workspace: string,
  ids: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom("tasks")
      .select("id")
      .where("workspace", "=", workspace)
      .where("id", "in", ids.slice(i, i + 500))
      .execute();
    for (const r of rows) found.add(r.id);
  }
  return found;
}

/** Inserts tasks and their dependency edges. */
export async function insertTasks(
  db: Executor,
  rows: readonly NewTaskRow[],
  edges: readonly { workspace: string; plan_id: string; task_id: string; depends_on: string }[],
): Promise<void> {
  for (const r of rows) requireIdsToStore("tasks", { id: r.id, plan_id: r.plan_id });
  for (const e of edges)
    requireIdsToStore("task_dependencies", { task_id: e.task_id, depends_on: e.depends_on });
  // 18 columns per row; stay well under SQLite's 32k bound parameters per statement.
  for (let i = 0; i < rows.length; i += 100)
    await db
      .insertInto("tasks")
      .values(rows.slice(i, i + 100))
      .execute();
  for (let i = 0; i < edges.length; i += 300) {
    await db
      .insertInto("task_dependencies")
      .values(edges.slice(i, i + 300))
      .execute();
  }
}

/** Updates one task's columns. */
export async function updateTask(
  db: Executor,
  workspace: string,
  id: string,
  patch: TaskUpdate,
): Promise<void> {
  await db.updateTable("tasks").set(patch).where("workspace", "=", workspace).where("id", "=", id).execute();
}

/** Ids of the tasks that depend on `id`. */
export async function findDependents(db: Executor, workspace: string, id: string): Promise<string[]> {
  const rows = await db
    .selectFrom("task_dependencies")
    .select("task_id")
    .where("workspace", "=", workspace)
    .where("depends_on", "=", id)
    .execute();
  return rows.map((r) => r.task_id);
}
