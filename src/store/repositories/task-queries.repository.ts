import { type ExpressionBuilder, type RawBuilder, sql } from "kysely";
import {
  DEPENDENCY_SATISFIED,
  type PlanStatus,
  TASK_STATUSES,
  type Task,
  type TaskStatus,
} from "../../core/task.ts";
import type { Database, Executor } from "../database.ts";
import { dialectOf } from "../dialect.ts";
import { listIn, listValues, prepared } from "../prepared.ts";
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

/** Tasks matching every filter of `q`, newest first, and how many match ignoring limit and offset. */
export async function searchTasks(
  db: Executor,
  workspace: string,
  q: TaskSearch,
): Promise<{ tasks: Task[]; total: number }> {
  const pg = dialectOf(db) === "postgres";
  // SQLite's LIKE ignores case for ASCII letters only; PostgreSQL's is case-sensitive and its
  // lower()/ILIKE fold every letter the locale knows. Folding A-Z alone (translate) on PostgreSQL
  // makes both dialects find exactly the same tasks.
  const matches = (column: string, pattern: string) =>
    pg
      ? sql<boolean>`translate(coalesce(${sql.ref(column)}, ''), ${UPPER}, ${LOWER}) like ${pattern} escape '\\'`
      : sql<boolean>`coalesce(${sql.ref(column)}, '') like ${pattern} escape '\\'`;
  const filters = (eb: ExpressionBuilder<Database, "tasks">) => {
    const all = [eb("workspace", "=", workspace)];
    if (q.specialistType.length > 0) all.push(eb("specialist_type", "in", [...q.specialistType]));
    if (q.planId) all.push(eb("plan_id", "=", q.planId));
    if (q.createdAfter) all.push(eb("created_at", ">=", q.createdAfter));
    if (q.createdBefore) all.push(eb("created_at", "<", q.createdBefore));
    if (q.text && q.text.trim() !== "") {
      // LIKE with our own escape character, so % and _ in the search text match themselves.
      const escaped = q.text.trim().replaceAll("\\", "\\\\").replaceAll("%", "\\%").replaceAll("_", "\\_");
      const pattern = `%${asciiLower(escaped)}%`;
      all.push(eb.or(["title", "description", "summary"].map((c) => matches(c, pattern))));
    }
    return all;
  };
  const statuses: TaskStatus[] =
    q.status.length > 0 ? [...new Set(q.status)] : TASK_STATUSES.filter((s) => s !== "archived");
  const counted = await db
    .selectFrom("tasks")
    .select(db.fn.countAll<number>().as("n"))
    .where((eb) => eb.and([...filters(eb), eb("status", "in", statuses)]))
    .executeTakeFirstOrThrow();
  // Newest first over the whole store: one statement sorting every matching row cost 156 ms at
  // 100,000 tasks. Each status's newest come in order from tasks_by_status (workspace, status,
  // created_at), so each part reads about offset + limit rows and the union's few are sorted.
  const newest = (status: TaskStatus) =>
    db
      .selectFrom("tasks")
      .selectAll()
      .where((eb) => eb.and([...filters(eb), eb("status", "=", status)]))
      .orderBy("created_at", "desc")
      .orderBy("plan_id")
      .orderBy("position")
      .limit(q.offset + q.limit);
  const parts = () => statuses.map((status, i) => db.selectFrom(newest(status).as(`s${i}`)).selectAll());
  const rows =
    statuses.length === 1
      ? await newest(statuses[0]!).limit(q.limit).offset(q.offset).execute()
      : await db
          .selectFrom(
            parts()
              .reduce((u, part) => u.unionAll(part))
              .as("u"),
          )
          .selectAll()
          .orderBy("created_at", "desc")
          .orderBy("plan_id")
          .orderBy("position")
          .limit(q.limit)
          .offset(q.offset)
          .execute();
  const deps = await findDependencies(
    db,
    workspace,
    rows.map((r) => r.id),
  );
  return { tasks: rows.map((r) => taskRowToTask(r, deps.get(r.id) ?? [])), total: Number(counted.n) };
}

const selectPendingRows = prepared((db, p: { workspace: string; planId: string }) =>
  db
    .selectFrom("tasks")
    .selectAll()
    .where("workspace", "=", p.workspace)
    .where("plan_id", "=", p.planId)
    .where("status", "=", "pending"),
);

/**
 * A task and the part of its plan that decides readiness, in plan order with dependencies: the
 * task and the tasks it depends on, and with `pending` also every pending task of the plan and
 * theirs, which is all core/readiness.ts `readyTasks` looks at. A write on one task of a plan of
 * hundreds then reads a handful of rows instead of all of them (issue 16). Each query is a key or
 * index lookup (one OR over the plan's rows was a scan of all of them). Undefined: no such task.
 */
export async function findTaskForReadiness(
  db: Executor,
  workspace: string,
  id: string,
  opts: { readonly pending: boolean },
): Promise<{ task: Task; siblings: Task[] } | undefined> {
  const [row] = await selectTaskRow(db, { workspace, id });
  if (!row) return undefined;
  const rows = new Map<string, TaskRow>([[row.id, row]]);
  if (opts.pending) {
    for (const r of await selectPendingRows(db, { workspace, planId: row.plan_id })) rows.set(r.id, r);
  }
  const deps = await findDependencies(db, workspace, [...rows.keys()]);
  // Dependencies name siblings only: one in another plan is not one (as over the whole plan).
  const missing = [...new Set([...deps.values()].flat())].filter((d) => !rows.has(d));
  for (let i = 0; i < missing.length; i += 500) {
    const more = await db
      .selectFrom("tasks")
      .selectAll()
      .where("workspace", "=", workspace)
      .where("id", "in", missing.slice(i, i + 500))
      .where("plan_id", "=", row.plan_id)
      .execute();
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
  const rows = await readyQuery(db, workspace, planId, now, limit).execute();
  return rows.map((r) => r.id);
}

/**
 * findReadyTaskIds for several plans in one statement (each plan's limited query, so each still
 * stops at `limit`: a UNION ALL on SQLite, one part joined laterally on PostgreSQL): get_status's
 * overview asks for up to 10 plans, and one statement costs less than ten. Plans with none are
 * absent.
 *
 * The statement leaves claims out of the rule and marks the candidates whose claim is live at
 * `now`: when no candidate listed holds a live claim, the answer is the rule's and stays so as
 * time passes (claims only lapse), which is what lets get_status keep it until the data changes
 * (`settled`). Plans with a live claim among their first candidates (rare: a pending task keeps no
 * claim) are asked again with the whole rule.
 */
export async function findReadyTaskIdsOfPlans(
  db: Executor,
  workspace: string,
  planIds: readonly string[],
  now: string,
  limit: number,
): Promise<ReadyOfPlans> {
  const ids = new Map<string, string[]>();
  if (planIds.length === 0) return { ids, settled: true };
  const rows = await readyRows(db, { workspace, planIds, now, limit, claims: "mark" });
  const claimed = new Set(rows.filter((r) => Number(r.live) === 1).map((r) => r.plan_id));
  const kept = claimed.size === 0 ? rows : rows.filter((r) => !claimed.has(r.plan_id));
  if (claimed.size > 0)
    kept.push(...(await readyRows(db, { workspace, planIds: [...claimed], now, limit, claims: "skip" })));
  // UNION ALL keeps no order across its parts: plan order is restored here.
  kept.sort((a, b) => Number(a.position) - Number(b.position));
  for (const r of kept) {
    const list = ids.get(r.plan_id);
    if (list) list.push(r.id);
    else ids.set(r.plan_id, [r.id]);
  }
  return { ids, settled: claimed.size === 0 };
}

/** Ready ids by plan, and whether they stay so while the data does not change (see above). */
export interface ReadyOfPlans {
  readonly ids: Map<string, string[]>;
  readonly settled: boolean;
}

/**
 * How a ready query treats claims: `skip` leaves out tasks with a live claim (the rule), `mark`
 * lists them with `live` = 1.
 */
type ClaimRule = "skip" | "mark";
interface ReadyRow {
  readonly id: string;
  readonly plan_id: string;
  readonly position: number;
  readonly live: number;
}

/** One ready query over several plans. */
interface ReadyAsk {
  readonly workspace: string;
  readonly planIds: readonly string[];
  readonly now: string;
  readonly limit: number;
  readonly claims: ClaimRule;
}

async function readyRows(db: Executor, ask: ReadyAsk): Promise<ReadyRow[]> {
  const { workspace, now, limit } = ask;
  if (dialectOf(db) === "postgres") {
    // PostgreSQL plans each statement it is sent, and planning a UNION of ten correlated parts took
    // longer than running it (~2 ms of a 4 ms get_status): one part joined laterally to the list
    // of plans is planned once, and one statement serves every length.
    const p = { workspace, now, limit, planIds: [...ask.planIds] };
    return (await selectReadyOfPlansLateral[ask.claims](db, p)) as ReadyRow[];
  }
  // The overview's lists (up to 10 plans) are compiled once per length (building and compiling the
  // UNION was two thirds of a get_status call at 100,000 tasks); longer lists, rare and each SQL
  // text kept by the driver's statement cache too, are built per call.
  if (ask.planIds.length > COMPILED_READY_PLANS)
    return (await readyOfPlansQuery(db, ask).execute()) as ReadyRow[];
  const p = { workspace, now, limit, ...listValues("plan", ask.planIds) };
  return (await selectReadyOfPlans[ask.claims](db, p, String(ask.planIds.length))) as ReadyRow[];
}

const COMPILED_READY_PLANS = 10;

type ReadyParams = { workspace: string; now: string; limit: number };
const selectReadyOfPlans = {
  skip: prepared((db, p: ReadyParams) =>
    readyOfPlansQuery(db, { ...p, planIds: listIn<string>(p, "plan"), claims: "skip" }),
  ),
  mark: prepared((db, p: ReadyParams) =>
    readyOfPlansQuery(db, { ...p, planIds: listIn<string>(p, "plan"), claims: "mark" }),
  ),
};

type LateralParams = ReadyParams & { planIds: string[] };
const selectReadyOfPlansLateral = {
  skip: prepared((db, p: LateralParams) => readyOfPlansLateral(db, { ...p, claims: "skip" })),
  mark: prepared((db, p: LateralParams) => readyOfPlansLateral(db, { ...p, claims: "mark" })),
};

/** PostgreSQL: each plan of the list (one array parameter) joined to its own limited ready query. */
function readyOfPlansLateral(db: Executor, ask: ReadyAsk) {
  const part = readyQuery(db, ask.workspace, sql.ref<string>("p.p"), ask.now, ask.limit, ask.claims);
  return db
    .selectFrom(sql<{ p: string }>`unnest(${ask.planIds}::text[])`.as("p"))
    .innerJoinLateral(part.as("r"), (j) => j.onTrue())
    .select(["r.id", "r.plan_id", "r.position", "r.live"]);
}

function readyOfPlansQuery(db: Executor, ask: ReadyAsk) {
  const parts = ask.planIds.map((id, i) =>
    db
      .selectFrom(readyQuery(db, ask.workspace, id, ask.now, ask.limit, ask.claims).as(`r${i}`))
      .select(["id", "plan_id", "position", "live"]),
  );
  return parts.slice(1).reduce((q, part) => q.unionAll(part), parts[0]!);
}

/** The ready rule of findReadyTaskIds as a query: the plan's first `limit` ready tasks. */
function readyQuery(
  db: Executor,
  workspace: string,
  planId: string | RawBuilder<string>,
  now: string,
  limit: number,
  claims: ClaimRule = "skip",
) {
  const q = db
    .selectFrom("tasks as t")
    .select((eb) => [
      "t.id",
      "t.plan_id",
      "t.position",
      (claims === "mark"
        ? eb
            .case()
            .when(
              eb.and([
                eb("t.claimed_by", "is not", null),
                eb("t.claim_expires_at", "is not", null),
                eb("t.claim_expires_at", ">", now),
              ]),
            )
            .then(eb.lit(1))
            .else(eb.lit(0))
            .end()
        : eb.lit(0)
      ).as("live"),
    ])
    .where("t.workspace", "=", workspace)
    .where("t.plan_id", "=", planId)
    .where("t.status", "=", "pending");
  return (
    claims === "skip"
      ? q.where((eb) =>
          eb.or([
            eb("t.claimed_by", "is", null),
            eb("t.claim_expires_at", "is", null),
            eb("t.claim_expires_at", "<=", now),
          ]),
        )
      : q
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
    .limit(limit);
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
