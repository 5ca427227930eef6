import type { TaskStatus } from "../../core/task.ts";
import type { Executor } from "../database.ts";
import type { ActivityRecord, CompletionRecord, HeldClaim, ProjectFilter } from "../records.ts";
import { requireRowIds } from "./_row-check.ts";
import { eventRowToEvent } from "./events.repository.ts";

/*
 * The dashboard's reads (issue 15): grouped counts over a page of plans and reads across the
 * projects of a database. Each one stays on an index prefix or a bounded window of the history,
 * so a view's cost follows what it shows, not how many tasks the database holds.
 */

/** SQLite binds at most 32k parameters per statement; lists of ids go in slices well under that. */
const SLICE = 500;

function slices<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += SLICE) out.push(items.slice(i, i + SLICE));
  return out;
}

/** Every project key that has plans in this database, sorted. */
export async function findPlanProjects(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom("plans").select("workspace").distinct().orderBy("workspace").execute();
  return rows.map((r) => r.workspace);
}

/** Tasks per role of each plan, archived ones left out (plans without tasks are absent). */
export async function countTasksByRole(
  db: Executor,
  workspace: string,
  planIds: readonly string[],
): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  for (const ids of slices(planIds)) {
    const rows = await db
      .selectFrom("tasks")
      .select(["plan_id", "specialist_type", (eb) => eb.fn.countAll<number>().as("n")])
      .where("workspace", "=", workspace)
      .where("plan_id", "in", ids)
      .where("status", "!=", "archived")
      .groupBy(["plan_id", "specialist_type"])
      .execute();
    for (const r of rows) {
      const roles = out.get(r.plan_id) ?? {};
      roles[r.specialist_type] = Number(r.n);
      out.set(r.plan_id, roles);
    }
  }
  return out;
}

/**
 * Claims whose lease runs past `now`, per plan. Only active tasks hold claims (every other
 * transition clears the claim), so the (workspace, plan_id, status) index bounds the read.
 */
export async function countClaimsByPlan(
  db: Executor,
  workspace: string,
  planIds: readonly string[],
  now: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const ids of slices(planIds)) {
    const rows = await db
      .selectFrom("tasks")
      .select(["plan_id", (eb) => eb.fn.countAll<number>().as("n")])
      .where("workspace", "=", workspace)
      .where("plan_id", "in", ids)
      .where("status", "=", "active")
      .where("claimed_by", "is not", null)
      .where("claim_expires_at", ">", now)
      .groupBy("plan_id")
      .execute();
    for (const r of rows) out.set(r.plan_id, Number(r.n));
  }
  return out;
}

/** The time of each plan's newest history event (plans without events are absent). */
export async function findLastActivity(
  db: Executor,
  workspace: string,
  planIds: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const ids of slices(planIds)) {
    // max(seq) is read from the (workspace, plan_id, seq) index alone; only the newest rows are visited.
    const newest = await db
      .selectFrom("events")
      .select(["plan_id", (eb) => eb.fn.max("seq").as("seq")])
      .where("workspace", "=", workspace)
      .where("plan_id", "in", ids)
      .groupBy("plan_id")
      .execute();
    const seqs = newest.map((r) => Number(r.seq));
    if (seqs.length === 0) continue;
    const rows = await db.selectFrom("events").select(["plan_id", "at"]).where("seq", "in", seqs).execute();
    for (const r of rows) out.set(r.plan_id, r.at);
  }
  return out;
}

/** How many artifacts each of `taskIds` has (tasks without any are absent). */
export async function countArtifactsByTask(
  db: Executor,
  workspace: string,
  taskIds: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const ids of slices(taskIds)) {
    const rows = await db
      .selectFrom("artifacts")
      .select(["task_id", (eb) => eb.fn.countAll<number>().as("n")])
      .where("workspace", "=", workspace)
      .where("task_id", "in", ids)
      .groupBy("task_id")
      .execute();
    for (const r of rows) out.set(r.task_id, Number(r.n));
  }
  return out;
}

/**
 * The newest `limit` history events of the projects (all, or `plan` only), newest first, with
 * the plan's description and the task's title when those rows still exist.
 */
export async function findRecentEvents(
  db: Executor,
  q: {
    readonly projects: ProjectFilter;
    readonly planId?: string | undefined;
    readonly limit: number;
  },
): Promise<ActivityRecord[]> {
  if (q.projects !== null && q.projects.length === 0) return [];
  let query = db
    .selectFrom("events as e")
    .leftJoin("plans as p", (j) => j.onRef("p.workspace", "=", "e.workspace").onRef("p.id", "=", "e.plan_id"))
    .leftJoin("tasks as t", (j) => j.onRef("t.workspace", "=", "e.workspace").onRef("t.id", "=", "e.task_id"))
    .selectAll("e")
    .select(["p.description as plan_title", "t.title as task_title"]);
  if (q.projects !== null) query = query.where("e.workspace", "in", [...q.projects]);
  if (q.planId !== undefined) query = query.where("e.plan_id", "=", q.planId);
  const rows = await query.orderBy("e.seq", "desc").limit(q.limit).execute();
  return rows.map((r) => ({
    project: r.workspace,
    event: eventRowToEvent(r),
    planTitle: r.plan_title,
    taskTitle: r.task_title,
  }));
}

/**
 * Every recorded claim (running or lapsed) of the projects, soonest expiry first. Only active
 * tasks hold claims, so the (workspace, status) index bounds the read.
 */
export async function findHeldClaims(
  db: Executor,
  q: { readonly projects: ProjectFilter; readonly limit: number },
): Promise<HeldClaim[]> {
  if (q.projects !== null && q.projects.length === 0) return [];
  let query = db
    .selectFrom("tasks")
    .select([
      "workspace",
      "id",
      "plan_id",
      "title",
      "status",
      "claimed_by",
      "claim_expires_at",
      "claim_host",
      "claim_pid",
    ])
    .where("status", "=", "active")
    .where("claimed_by", "is not", null)
    .where("claim_expires_at", "is not", null);
  if (q.projects !== null) query = query.where("workspace", "in", [...q.projects]);
  const rows = await query.orderBy("claim_expires_at").orderBy("id").limit(q.limit).execute();
  return rows.map((r) => {
    requireRowIds("tasks", { id: r.id, plan_id: r.plan_id });
    return {
      project: r.workspace,
      planId: r.plan_id,
      taskId: r.id,
      title: r.title,
      status: r.status as TaskStatus,
      claim: {
        agentId: r.claimed_by!,
        expiresAt: r.claim_expires_at!,
        holder:
          r.claim_host !== null && r.claim_pid !== null ? { host: r.claim_host, pid: r.claim_pid } : null,
      },
    };
  });
}

/** The newest `window` events of the projects: the bounded slice of history the agents view reads. */
function recentWindow(db: Executor, projects: ProjectFilter, window: number) {
  return db
    .selectFrom("events")
    .selectAll()
    .$if(projects !== null, (w) => w.where("workspace", "in", [...(projects ?? [])]))
    .orderBy("seq", "desc")
    .limit(window);
}

/**
 * Completions naming their agent among the newest `window` events since `since`, newest first:
 * a bounded read however long the history is (an agent quiet for longer drops out, as intended).
 */
export async function findRecentCompletions(
  db: Executor,
  q: { readonly projects: ProjectFilter; readonly since: string; readonly window: number },
): Promise<CompletionRecord[]> {
  if (q.projects !== null && q.projects.length === 0) return [];
  const rows = await db
    .selectFrom(recentWindow(db, q.projects, q.window).as("e"))
    .leftJoin("tasks as t", (j) => j.onRef("t.workspace", "=", "e.workspace").onRef("t.id", "=", "e.task_id"))
    .select(["e.workspace", "e.plan_id", "e.task_id", "e.agent_id", "e.at", "e.seq", "t.title"])
    .where("e.kind", "=", "task_status_changed")
    .where("e.to_status", "=", "completed")
    .where("e.agent_id", "is not", null)
    .where("e.task_id", "is not", null)
    .where("e.at", ">=", q.since)
    .orderBy("e.seq", "desc")
    .execute();
  return rows.map((r) => ({
    project: r.workspace,
    planId: r.plan_id,
    taskId: r.task_id!,
    title: r.title,
    agentId: r.agent_id!,
    at: r.at,
  }));
}

/** Each agent's newest event among the newest `window` events of the projects. */
export async function findAgentsLastSeen(
  db: Executor,
  q: { readonly projects: ProjectFilter; readonly window: number },
): Promise<Map<string, string>> {
  if (q.projects !== null && q.projects.length === 0) return new Map();
  const rows = await db
    .selectFrom(recentWindow(db, q.projects, q.window).as("e"))
    .select(["e.agent_id", (eb) => eb.fn.max("e.at").as("at")])
    .where("e.agent_id", "is not", null)
    .groupBy("e.agent_id")
    .execute();
  return new Map(rows.map((r) => [r.agent_id!, String(r.at)]));
}
