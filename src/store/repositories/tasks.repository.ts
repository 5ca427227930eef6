import {
  type Claim,
  type ClaimHolder,
  countTasks,
  type Task,
  type TaskCounts,
  type TaskHeader,
  type TaskStatus,
} from "../../core/task.ts";
import type { Executor } from "../database.ts";
import { prepared } from "../prepared.ts";
import type { NewTask, TaskPatch } from "../records.ts";
import type { TaskRow, TaskUpdate } from "../tables/tasks.table.ts";
import { requireIdsToStore, requireRowIds } from "./_row-check.ts";
import { findDependencies, insertDependencies } from "./dependencies.repository.ts";

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
function claimColumns(
  claim: Claim | null,
): Pick<TaskUpdate, "claimed_by" | "claim_expires_at" | "claim_host" | "claim_pid"> {
  return {
    claimed_by: claim?.agentId ?? null,
    claim_expires_at: claim?.expiresAt ?? null,
    claim_host: claim?.holder?.host ?? null,
    claim_pid: claim?.holder?.pid ?? null,
  };
}

/** The columns a domain patch changes; keys left out of the patch stay untouched. */
function taskPatchToColumns(p: TaskPatch): TaskUpdate {
  const out: TaskUpdate = p.claim === undefined ? {} : claimColumns(p.claim);
  if (p.title !== undefined) out.title = p.title;
  if (p.description !== undefined) out.description = p.description;
  if (p.specialistType !== undefined) out.specialist_type = p.specialistType;
  if (p.estimatedEffort !== undefined) out.estimated_effort = p.estimatedEffort;
  if (p.status !== undefined) out.status = p.status;
  if (p.archivedFrom !== undefined) out.archived_from = p.archivedFrom;
  if (p.summary !== undefined) out.summary = p.summary;
  if (p.statusNote !== undefined) out.status_note = p.statusNote;
  if (p.updatedAt !== undefined) out.updated_at = p.updatedAt;
  if (p.startedAt !== undefined) out.started_at = p.startedAt;
  if (p.completedAt !== undefined) out.completed_at = p.completedAt;
  return out;
}

/** One task's row by its key (compiled once: every write call reads one). */
export const selectTaskRow = prepared((db, p: { workspace: string; id: string }) =>
  db.selectFrom("tasks").selectAll().where("workspace", "=", p.workspace).where("id", "=", p.id),
);

/** One task with its dependencies, or undefined. */
export async function findTask(db: Executor, workspace: string, id: string): Promise<Task | undefined> {
  const [row] = await selectTaskRow(db, { workspace, id });
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
    .orderBy("position")
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

/** Inserts tasks and their dependency edges (in the order given, which is the order read back). */
export async function insertTasks(db: Executor, workspace: string, tasks: readonly NewTask[]): Promise<void> {
  for (const t of tasks) requireIdsToStore("tasks", { id: t.id, plan_id: t.planId });
  const rows = tasks.map((t) => ({
    workspace,
    id: t.id,
    plan_id: t.planId,
    position: t.position,
    title: t.title,
    description: t.description,
    specialist_type: t.specialistType,
    estimated_effort: t.estimatedEffort,
    status: t.status,
    summary: t.summary ?? null,
    status_note: t.statusNote ?? null,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    completed_at: t.completedAt ?? null,
  }));
  const edges = tasks.flatMap((t) =>
    t.dependencies.map((d, position) => ({ planId: t.planId, taskId: t.id, dependsOn: d, position })),
  );
  for (const e of edges)
    requireIdsToStore("task_dependencies", { task_id: e.taskId, depends_on: e.dependsOn });
  // 18 columns per row; stay well under SQLite's 32k bound parameters per statement.
  for (let i = 0; i < rows.length; i += 100)
    await db
      .insertInto("tasks")
      .values(rows.slice(i, i + 100))
      .execute();
  await insertDependencies(db, workspace, edges);
}

/** Updates one task. */
export async function updateTask(
  db: Executor,
  workspace: string,
  id: string,
  patch: TaskPatch,
): Promise<void> {
  const set = taskPatchToColumns(patch);
  // Compiled once per set of changed columns (a handful of shapes: start, complete, claim, ...).
  await updateTaskRow(db, { ...set, workspace, id } as UpdateParams, Object.keys(set).join(","));
}

type UpdateParams = TaskUpdate & { workspace: string; id: string };
const updateTaskRow = prepared((db, { workspace, id, ...set }: UpdateParams) =>
  db.updateTable("tasks").set(set).where("workspace", "=", workspace).where("id", "=", id),
);

/** Removes one task row (its artifact rows and dependency edges go with it, by cascade). */
export async function deleteTask(db: Executor, workspace: string, id: string): Promise<void> {
  await db.deleteFrom("tasks").where("workspace", "=", workspace).where("id", "=", id).execute();
}

const selectTaskHeader = prepared((db, p: { workspace: string; id: string }) =>
  db
    .selectFrom("tasks")
    .select(["id", "plan_id", "title"])
    .where("workspace", "=", p.workspace)
    .where("id", "=", p.id),
);

/**
 * What names a task (its id, plan and title) without its dependencies: one indexed row read, for
 * a check before a write that reads the task whole inside its transaction anyway.
 */
export async function findTaskHeader(
  db: Executor,
  workspace: string,
  id: string,
): Promise<TaskHeader | undefined> {
  const [row] = await selectTaskHeader(db, { workspace, id });
  if (!row) return undefined;
  // A shared database's row: its ids name folders, so they are checked as taskRowToTask checks them.
  requireRowIds("tasks", { id: row.id, plan_id: row.plan_id });
  return { id: row.id, planId: row.plan_id, title: row.title };
}

/** The plan a task belongs to, or undefined when there is no such task. */
export async function findTaskPlanId(
  db: Executor,
  workspace: string,
  id: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom("tasks")
    .select("plan_id")
    .where("workspace", "=", workspace)
    .where("id", "=", id)
    .executeTakeFirst();
  return row?.plan_id;
}

const countPlanRows = prepared((db, p: { workspace: string; planId: string }) =>
  db
    .selectFrom("tasks")
    .select(["status", db.fn.countAll<number>().as("n")])
    .where("workspace", "=", p.workspace)
    .where("plan_id", "=", p.planId)
    .groupBy("status"),
);

/** A plan's tasks counted by status (index-only: proportional to the plan's size, not the store's). */
export async function countPlanTasks(db: Executor, workspace: string, planId: string): Promise<TaskCounts> {
  const rows = await countPlanRows(db, { workspace, planId });
  return countTasks(rows.map((r) => [r.status as TaskStatus, Number(r.n)] as const));
}

/** Every plan's tasks counted by status, by plan id (plans without tasks are absent). */
export async function countTasksByPlan(db: Executor, workspace: string): Promise<Map<string, TaskCounts>> {
  const rows = await db
    .selectFrom("tasks")
    .select(["plan_id", "status", db.fn.countAll<number>().as("n")])
    .where("workspace", "=", workspace)
    .groupBy(["plan_id", "status"])
    .execute();
  const groups = new Map<string, (readonly [TaskStatus, number])[]>();
  for (const r of rows)
    groups.set(r.plan_id, [...(groups.get(r.plan_id) ?? []), [r.status as TaskStatus, Number(r.n)] as const]);
  return new Map([...groups].map(([id, g]) => [id, countTasks(g)]));
}

/**
 * Extends the live claims of `agentIds` to `expiresAt`, held from now on by `holder` when given:
 * a connection's activity shows its agents are alive.
 */
export async function renewClaims(
  db: Executor,
  workspace: string,
  renewal: {
    readonly agentIds: readonly string[];
    readonly now: string;
    readonly expiresAt: string;
    readonly holder?: ClaimHolder | undefined;
  },
): Promise<void> {
  if (renewal.agentIds.length === 0) return;
  await db
    .updateTable("tasks")
    .set({
      claim_expires_at: renewal.expiresAt,
      ...(renewal.holder ? { claim_host: renewal.holder.host, claim_pid: renewal.holder.pid } : {}),
    })
    .where("workspace", "=", workspace)
    .where("claimed_by", "in", [...renewal.agentIds])
    .where("claim_expires_at", ">", renewal.now)
    .execute();
}

/** How many tasks of every project in the database are claimed under a lease still running at `now`. */
export async function countHeldClaims(db: Executor, now: string): Promise<number> {
  const r = await db
    .selectFrom("tasks")
    .select((eb) => eb.fn.countAll<number | string | bigint>().as("n"))
    .where("claimed_by", "is not", null)
    .where("claim_expires_at", ">", now)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** How many tasks are claimed, and how many of those claims have run out by `now`. */
export async function countClaims(
  db: Executor,
  workspace: string,
  now: string,
): Promise<{ open: number; expired: number }> {
  const r = await db
    .selectFrom("tasks")
    .select((eb) => [
      eb.fn.countAll<number>().as("open"),
      eb.fn.sum<number>(eb.case().when("claim_expires_at", "<=", now).then(1).else(0).end()).as("expired"),
    ])
    .where("workspace", "=", workspace)
    .where("claimed_by", "is not", null)
    .executeTakeFirstOrThrow();
  return { open: Number(r.open), expired: Number(r.expired ?? 0) };
}
