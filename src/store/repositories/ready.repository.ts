import { type RawBuilder, sql } from "kysely";
import { DEPENDENCY_SATISFIED, type TaskRef } from "../../core/task.ts";
import type { Executor } from "../database.ts";
import { dialectOf } from "../dialect.ts";
import { prepared, preparedOverList } from "../prepared.ts";
import { requireRowIds } from "./_row-check.ts";

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

/**
 * The first `limit` tasks of a plan that can start now, the dependents of `after` first (the
 * natural next step once it is done), then plan order: the rule of findReadyTaskIds, in one
 * statement of two limited parts, so a completion's list costs the same in a plan of 10 tasks or
 * of 1,000 (it read every pending task of the plan and their dependencies; issue 16).
 */
export async function findReadyTasksAfter(
  db: Executor,
  workspace: string,
  planId: string,
  after: string,
  now: string,
  limit: number,
): Promise<TaskRef[]> {
  const rows = await selectReadyAfter(db, { workspace, planId, after, now, limit });
  rows.sort((a, b) => Number(a.rank) - Number(b.rank) || Number(a.position) - Number(b.position));
  const seen = new Set<string>();
  const out: TaskRef[] = [];
  for (const r of rows) {
    if (out.length === limit) break;
    if (seen.has(r.id)) continue;
    // Ids a model is told to call with next, from a database others may write: checked as every
    // task row read whole is (taskRowToTask).
    requireRowIds("tasks", { id: r.id });
    seen.add(r.id);
    out.push({ id: r.id, title: r.title, specialistType: r.specialist_type });
  }
  return out;
}

const selectReadyAfter = prepared(
  (db, p: { workspace: string; planId: string; after: string; now: string; limit: number }) => {
    const dependents = readyQuery(db, p.workspace, p.planId, p.now, p.limit).where(
      "t.id",
      "in",
      db
        .selectFrom("task_dependencies as a")
        .select("a.task_id")
        .where("a.workspace", "=", p.workspace)
        .where("a.depends_on", "=", p.after),
    );
    const inOrder = readyQuery(db, p.workspace, p.planId, p.now, p.limit);
    const part = (q: typeof inOrder, rank: number) =>
      db
        .selectFrom(q.as("r"))
        .select((eb) => ["r.id", "r.title", "r.specialist_type", "r.position", eb.lit(rank).as("rank")]);
    return part(dependents, 0).unionAll(part(inOrder, 1));
  },
);

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
  return (await selectReadyOfPlans[ask.claims](db, { workspace, now, limit }, ask.planIds)) as ReadyRow[];
}

type ReadyParams = { workspace: string; now: string; limit: number };
const selectReadyOfPlans = {
  skip: preparedOverList((db, p: ReadyParams, planIds: readonly string[]) =>
    readyOfPlansQuery(db, { ...p, planIds, claims: "skip" }),
  ),
  mark: preparedOverList((db, p: ReadyParams, planIds: readonly string[]) =>
    readyOfPlansQuery(db, { ...p, planIds, claims: "mark" }),
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

/** The ready rule of findReadyTaskIds as a query: the plan's first `limit` ready tasks (exported for the test of its index). */
export function readyQuery(
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
      // What a completion's list of ready tasks shows (findReadyTasksAfter); the row is read anyway.
      "t.title",
      "t.specialist_type",
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
