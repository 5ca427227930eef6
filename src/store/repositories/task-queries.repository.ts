import { type CompiledQuery, type ExpressionBuilder, sql } from "kysely";
import {
  type PlanStatus,
  TASK_STATUSES,
  type Task,
  type TaskBrief,
  type TaskStatus,
} from "../../core/task.ts";
import type { Database, Executor } from "../database.ts";
import { dialectOf } from "../dialect.ts";
import { listIn, listValues, prepared, preparedOverList } from "../prepared.ts";
import type { CleanupCandidate, TaskSearch } from "../records.ts";
import type { TaskRow } from "../tables/tasks.table.ts";
import { findDependencies } from "./dependencies.repository.ts";
import { selectTaskRow, taskRowToTask } from "./tasks.repository.ts";

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = UPPER.toLowerCase();

/** `s` with A-Z lowered and every other character kept (what SQLite's LIKE folds). */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The columns a brief list reads (the ordering's too): no long text, which it does not show. */
const BRIEF_COLUMNS = ["id", "plan_id", "title", "status", "created_at", "position"] as const;

/** Tasks matching every filter of `q`, newest first, and how many match ignoring limit and offset. */
export async function searchTasks(
  db: Executor,
  workspace: string,
  q: TaskSearch,
): Promise<{ tasks: Task[]; total: number }> {
  const { rows, total } = await searchRows(db, workspace, q, "all");
  const deps = await findDependencies(
    db,
    workspace,
    rows.map((r) => r.id),
  );
  return { tasks: rows.map((r) => taskRowToTask(r, deps.get(r.id) ?? [])), total };
}

/**
 * `searchTasks` for a brief list (query_tasks' default): the same tasks in the same order, read
 * without their descriptions, summaries and dependencies, which a brief list does not show.
 */
export async function searchTaskBriefs(
  db: Executor,
  workspace: string,
  q: TaskSearch,
): Promise<{ tasks: TaskBrief[]; total: number }> {
  const { rows, total } = await searchRows(db, workspace, q, "brief");
  return {
    tasks: rows.map((r) => ({ id: r.id, planId: r.plan_id, title: r.title, status: r.status as TaskStatus })),
    total,
  };
}

type BriefRow = Pick<TaskRow, (typeof BRIEF_COLUMNS)[number]>;

/** Every status but archived: what a search without a status filter covers. */
const LIVE_STATUSES: readonly TaskStatus[] = TASK_STATUSES.filter((s) => s !== "archived");

/**
 * A search over every live status (and maybe archived too): its page is one walk of the newest
 * tasks, whatever their status. Only these: a walk for a few statuses would read past every task
 * of the others (a status with no task would read the whole store).
 */
function walksNewest(statuses: readonly TaskStatus[]): boolean {
  return LIVE_STATUSES.every((s) => statuses.includes(s));
}

/**
 * A search's statements over `statuses`: how many tasks match, and the page, newest first, as one
 * walk (`walk`, for every live status) or per status (`page`). Values come from `p` (workspace,
 * planId when `withPlan`, the page's limit and offset, `top` when `page` has several statuses) and
 * the statuses, so the statements compile once per shape (prepared.ts); `more` adds the filters
 * that vary per call (roles, dates, text), built per call.
 */
function searchStatements(columns: "all" | "brief", withPlan: boolean, more?: Filters) {
  const where = (eb: ExpressionBuilder<Database, "tasks">, p: Record<string, unknown>) => {
    const all = [eb("workspace", "=", p.workspace as string)];
    if (withPlan) all.push(eb("plan_id", "=", p.planId as string));
    if (more) all.push(...more(eb));
    return all;
  };
  const count = (db: Executor, p: Record<string, unknown>, statuses: readonly TaskStatus[]) =>
    db
      .selectFrom("tasks")
      .select(db.fn.countAll<number>().as("n"))
      .where((eb) => eb.and([...where(eb, p), eb("status", "in", [...statuses])]));
  const newest = (db: Executor, p: Record<string, unknown>, statuses: readonly TaskStatus[]) =>
    (columns === "all"
      ? db.selectFrom("tasks").selectAll()
      : db.selectFrom("tasks").select([...BRIEF_COLUMNS])
    )
      .where((eb) =>
        eb.and([
          ...where(eb, p),
          statuses.length === 1 ? eb("status", "=", statuses[0]!) : eb("status", "in", [...statuses]),
        ]),
      )
      // One plan's tasks (at most MAX_SUBTASKS) are found through its own index and sorted. SQLite's
      // planner, which has no statistics here, would rather walk an index already in this order
      // (tasks_by_created, tasks_by_status) through the whole store's newer tasks: `+created_at` is
      // not a column, so no index offers the order and it picks by the plan's equalities.
      .orderBy(withPlan && dialectOf(db) === "sqlite" ? sql`+created_at` : sql.ref("created_at"), "desc")
      .orderBy("plan_id")
      .orderBy("position");
  // The page as one statement. Every live status: tasks_by_created (workspace, created_at desc,
  // plan_id, position) gives the newest in order, so the walk reads offset + limit rows (and the
  // archived ones among them). One status: its own range of tasks_by_status, in the same order.
  // One plan: its tasks through tasks_by_plan_status, sorted (see `newest`).
  const walk = (db: Executor, p: Record<string, unknown>, statuses: readonly TaskStatus[]) =>
    newest(db, p, statuses)
      .limit(p.limit as number)
      .offset(p.offset as number);
  // Some statuses: one statement sorting every matching row cost 156 ms at 100,000 tasks, and a
  // walk of the newest would read past every task of the other statuses. Each status's newest come
  // in order from tasks_by_status (workspace, status, created_at desc, plan_id, position), so each
  // part reads about offset + limit rows and the union's few are sorted.
  const page = (db: Executor, p: Record<string, unknown>, statuses: readonly TaskStatus[]) => {
    if (statuses.length === 1) return walk(db, p, statuses);
    return db
      .selectFrom(
        statuses
          .map((status, i) =>
            db
              .selectFrom(
                newest(db, p, [status])
                  .limit(p.top as number)
                  .as(`s${i}`),
              )
              .selectAll(),
          )
          .reduce((u, part) => u.unionAll(part))
          .as("u"),
      )
      .selectAll()
      .orderBy("created_at", "desc")
      .orderBy("plan_id")
      .orderBy("position")
      .limit(p.limit as number)
      .offset(p.offset as number);
  };
  return { count, page, walk };
}

type Filters = (
  eb: ExpressionBuilder<Database, "tasks">,
) => ReturnType<ExpressionBuilder<Database, "tasks">["and"]>[];

/**
 * The searches without per-call filters (every task, by status, of one plan: query_tasks' usual
 * calls), compiled once per shape: building and compiling the union of six statuses was about a
 * tenth of a list call's CPU (issue 16).
 */
const COMPILED = {
  all: [compiledSearch("all", false), compiledSearch("all", true)],
  brief: [compiledSearch("brief", false), compiledSearch("brief", true)],
} as const;

function compiledSearch(columns: "all" | "brief", withPlan: boolean) {
  const { count, page, walk } = searchStatements(columns, withPlan);
  return { count: preparedOverList(count), page: preparedOverList(page), walk: preparedOverList(walk) };
}

async function searchRows(
  db: Executor,
  workspace: string,
  q: TaskSearch,
  columns: "all",
): Promise<{ rows: TaskRow[]; total: number }>;
async function searchRows(
  db: Executor,
  workspace: string,
  q: TaskSearch,
  columns: "brief",
): Promise<{ rows: BriefRow[]; total: number }>;
async function searchRows(
  db: Executor,
  workspace: string,
  q: TaskSearch,
  columns: "all" | "brief",
): Promise<{ rows: BriefRow[]; total: number }> {
  const { statuses, walks, withPlan, filtered, p } = searchValues(workspace, q);
  const more = perCallFilters(db, q);
  if (!more) {
    const compiled = COMPILED[columns][withPlan ? 1 : 0];
    const [counted] = await compiled.count(db, filtered, statuses);
    const rows = (await (walks ? compiled.walk : compiled.page)(db, p, statuses)) as BriefRow[];
    return { rows, total: Number((counted as { n: number | string }).n) };
  }
  const { count, page, walk } = searchStatements(columns, withPlan, more);
  const counted = await count(db, p, statuses).executeTakeFirstOrThrow();
  const rows = (await (walks ? walk : page)(db, p, statuses).execute()) as BriefRow[];
  return { rows, total: Number(counted.n) };
}

/** What a search's statements are built from: its statuses, which statement pages, and their values. */
function searchValues(workspace: string, q: TaskSearch) {
  const statuses: readonly TaskStatus[] = q.status.length > 0 ? [...new Set(q.status)] : LIVE_STATUSES;
  const withPlan = q.planId !== undefined && q.planId !== "";
  // One plan's tasks are one statement whatever the statuses: few, found through its own index.
  const walks = withPlan || walksNewest(statuses);
  // Only the values a statement uses: a compiled statement checks each one lands as a parameter.
  const filtered: Record<string, unknown> = { workspace, ...(withPlan ? { planId: q.planId } : {}) };
  const p: Record<string, unknown> = {
    ...filtered,
    limit: q.limit,
    offset: q.offset,
    ...(!walks && statuses.length > 1 ? { top: q.offset + q.limit } : {}),
  };
  return { statuses, walks, withPlan, filtered, p };
}

/**
 * The page statement a search without per-call filters runs, compiled with its values: for tests
 * that ask the database how it would run it (which index, whether it sorts).
 */
export function searchPageStatement(db: Executor, workspace: string, q: TaskSearch): CompiledQuery {
  const { statuses, walks, withPlan, p } = searchValues(workspace, q);
  const { page, walk } = searchStatements("brief", withPlan);
  return (walks ? walk : page)(db, p, statuses).compile();
}

/** The filters that vary per call (roles, dates, text), or undefined when the search has none. */
function perCallFilters(db: Executor, q: TaskSearch): Filters | undefined {
  const text = q.text?.trim() ?? "";
  if (q.specialistType.length === 0 && !q.createdAfter && !q.createdBefore && text === "") return undefined;
  const pg = dialectOf(db) === "postgres";
  // SQLite's LIKE ignores case for ASCII letters only; PostgreSQL's is case-sensitive and its
  // lower()/ILIKE fold every letter the locale knows. Folding A-Z alone (translate) on PostgreSQL
  // makes both dialects find exactly the same tasks.
  const matches = (column: string, pattern: string) =>
    pg
      ? sql<boolean>`translate(coalesce(${sql.ref(column)}, ''), ${UPPER}, ${LOWER}) like ${pattern} escape '\\'`
      : sql<boolean>`coalesce(${sql.ref(column)}, '') like ${pattern} escape '\\'`;
  return (eb) => {
    const all = [];
    if (q.specialistType.length > 0) all.push(eb("specialist_type", "in", [...q.specialistType]));
    if (q.createdAfter) all.push(eb("created_at", ">=", q.createdAfter));
    if (q.createdBefore) all.push(eb("created_at", "<", q.createdBefore));
    if (text !== "") {
      // LIKE with our own escape character, so % and _ in the search text match themselves.
      const escaped = text.replaceAll("\\", "\\\\").replaceAll("%", "\\%").replaceAll("_", "\\_");
      const pattern = `%${asciiLower(escaped)}%`;
      all.push(eb.or(["title", "description", "summary"].map((c) => matches(c, pattern))));
    }
    return all;
  };
}

/** Tasks of a plan by id; a few (a task's dependencies, read for readiness) compiled per count. */
const selectSiblingRows = preparedOverList(
  (db, p: { workspace: string; planId: string }, ids: readonly string[]) =>
    db
      .selectFrom("tasks")
      .selectAll()
      .where("workspace", "=", p.workspace)
      .where("id", "in", ids)
      .where("plan_id", "=", p.planId),
);

/**
 * A task and the part of its plan that decides whether it may start or complete, in plan order
 * with dependencies: the task and the tasks it depends on, all core/readiness.ts
 * `unmetDependencies` looks at. A write on one task of a plan of hundreds then reads a handful of
 * rows instead of all of them (issue 16); which tasks are ready after it, the store answers
 * itself (`findReadyTasksAfter`). Each query is a key or index lookup. Undefined: no such task.
 */
export async function findTaskForReadiness(
  db: Executor,
  workspace: string,
  id: string,
): Promise<{ task: Task; siblings: Task[] } | undefined> {
  const [row] = await selectTaskRow(db, { workspace, id });
  if (!row) return undefined;
  const rows = new Map<string, TaskRow>([[row.id, row]]);
  const deps = await findDependencies(db, workspace, [...rows.keys()]);
  // Dependencies name siblings only: one in another plan is not one (as over the whole plan).
  const missing = [...new Set([...deps.values()].flat())].filter((d) => !rows.has(d));
  for (let i = 0; i < missing.length; i += 500) {
    const more = await selectSiblingRows(db, { workspace, planId: row.plan_id }, missing.slice(i, i + 500));
    for (const r of more) rows.set(r.id, r);
  }
  const missingDeps = await findDependencies(
    db,
    workspace,
    missing.filter((d) => rows.has(d)),
  );
  const siblings = [...rows.values()]
    .sort((a, b) => a.position - b.position)
    .map((r) => taskRowToTask(r, deps.get(r.id) ?? missingDeps.get(r.id) ?? []));
  return { task: siblings.find((t) => t.id === id)!, siblings };
}

/**
 * What scan_cleanup looks at: open tasks with no activity since `staleBefore`, claims expired
 * by `now`, and open work left in a plan that was cancelled or archived (orphans). Dependencies
 * are not read (cleanup does not need them).
 */
export async function findCleanupCandidates(
  db: Executor,
  workspace: string,
  opts: { readonly now: string; readonly staleBefore: string; readonly taskId?: string | undefined },
): Promise<CleanupCandidate[]> {
  let q = db
    .selectFrom("tasks as t")
    .innerJoin("plans as p", (j) =>
      j.onRef("p.workspace", "=", "t.workspace").onRef("p.id", "=", "t.plan_id"),
    )
    .selectAll("t")
    .select("p.status as plan_status")
    .where("t.workspace", "=", workspace)
    .where((eb) =>
      eb.or([
        eb.and([
          eb("t.status", "in", ["pending", "active", "blocked"]),
          eb("t.updated_at", "<", opts.staleBefore),
        ]),
        eb.and([eb("t.claimed_by", "is not", null), eb("t.claim_expires_at", "<", opts.now)]),
        eb.and([
          eb("t.status", "in", ["pending", "active", "blocked", "failed"]),
          eb("p.status", "in", ["cancelled", "archived"]),
        ]),
      ]),
    );
  if (opts.taskId) q = q.where("t.id", "=", opts.taskId);
  const rows = await q.execute();
  return rows.map((r) => ({ task: taskRowToTask(r, []), planStatus: r.plan_status as PlanStatus }));
}

/** The first `limit` tasks of a plan with one of `statuses`, in plan order. */
export async function findPlanTasksWithStatus(
  db: Executor,
  workspace: string,
  planId: string,
  statuses: readonly TaskStatus[],
  limit: number,
): Promise<Task[]> {
  const rows = await selectPlanRowsWithStatus(
    db,
    { workspace, planId, limit, ...listValues("status", statuses) },
    String(statuses.length),
  );
  if (rows.length === 0) return [];
  const deps = await findDependencies(
    db,
    workspace,
    rows.map((r) => r.id),
  );
  return rows.map((r) => taskRowToTask(r, deps.get(r.id) ?? []));
}

// get_status's overview (compiled once per number of statuses).
const selectPlanRowsWithStatus = prepared((db, p: { workspace: string; planId: string; limit: number }) =>
  db
    .selectFrom("tasks")
    .selectAll()
    .where("workspace", "=", p.workspace)
    .where("plan_id", "=", p.planId)
    .where("status", "in", listIn<TaskStatus>(p, "status"))
    .orderBy("position")
    .limit(p.limit),
);
