import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import fc from "fast-check";
import { readyTasks, unmetDependencies } from "../../src/core/readiness.ts";
import { TASK_STATUSES, type TaskStatus } from "../../src/core/task.ts";
import { openStore } from "../../src/store/open.ts";
import { findReadyTaskIds, findReadyTasksAfter } from "../../src/store/repositories/ready.repository.ts";
import { findTaskForReadiness } from "../../src/store/repositories/task-queries.repository.ts";
import { findPlanTasks } from "../../src/store/repositories/tasks.repository.ts";
import { rawPlanRow } from "../helpers/raw-rows.ts";
import { makeProject } from "../helpers/temp.ts";

const RUNS = Number(process.env.ORCHESTRATOR_PROPERTY_RUNS ?? 300);
const project = makeProject("orch-ready-");
afterAll(() => project.cleanup());

const NOW = "2026-06-01T12:00:00.000Z";
type Store = Awaited<ReturnType<typeof openStore>>;

interface Spec {
  readonly status: TaskStatus;
  readonly deps: readonly number[];
  readonly claim: "none" | "live" | "expired";
}

const specsArb = fc.array(
  fc.record({
    // Pending weighted up: ready tasks (and ready dependents) are what the rules rank.
    status: fc.oneof(
      { arbitrary: fc.constant<TaskStatus>("pending"), weight: 3 },
      { arbitrary: fc.constantFrom(...TASK_STATUSES), weight: 5 },
    ),
    deps: fc.array(fc.nat(9), { maxLength: 3 }),
    claim: fc.constantFrom("none" as const, "live" as const, "expired" as const),
  }),
  { minLength: 1, maxLength: 10 },
);
const danglingArb = fc.array(fc.nat(20), { maxLength: 2 }); // dependencies on tasks that do not exist

let planNo = 0;

/** Writes a plan in the given state as raw rows; returns its id and its tasks' ids by index. */
async function insertPlanState(
  store: Store,
  ws: string,
  specs: readonly Spec[],
  dangling: readonly number[],
): Promise<{ plan: string; id: (i: number) => string }> {
  const plan = `task_p${++planNo}`;
  await store.db
    .insertInto("plans")
    .values(rawPlanRow({ workspace: ws, id: plan, at: NOW }) as never)
    .execute();
  const id = (i: number) => `${plan}_t${i}`;
  const rows = specs.map((s, i) => ({
    workspace: ws,
    id: id(i),
    plan_id: plan,
    position: i,
    title: `t${i}`,
    description: "",
    specialist_type: "tester",
    estimated_effort: "",
    status: s.status,
    archived_from: null,
    summary: null,
    status_note: null,
    claimed_by: s.claim === "none" ? null : "agent",
    claim_expires_at:
      s.claim === "none"
        ? null
        : s.claim === "live"
          ? "2026-06-01T13:00:00.000Z"
          : "2026-06-01T11:00:00.000Z",
    created_at: NOW,
    updated_at: NOW,
    started_at: null,
    completed_at: null,
  }));
  // Each edge's position is its place in its task's list, as insertDependencies writes it.
  const edges = specs.flatMap((s, i) =>
    [
      ...[...new Set(s.deps)]
        .filter((d) => d < specs.length && d !== i)
        .map((d) => ({ workspace: ws, plan_id: plan, task_id: id(i), depends_on: id(d) })),
      ...(i === 0
        ? [...new Set(dangling)].map((d) => ({
            workspace: ws,
            plan_id: plan,
            task_id: id(0),
            depends_on: `gone_${d}`,
          }))
        : []),
    ].map((e, position) => ({ ...e, position })),
  );
  await store.db.connection().execute(async (c) => {
    await c.executeQuery({
      sql: "pragma foreign_keys = off",
      parameters: [],
      query: { kind: "RawNode" },
    } as never);
    // Raw rows: claims and dangling edges are states no single repository call writes.
    await c.insertInto("tasks").values(rows).execute();
    if (edges.length > 0) await c.insertInto("task_dependencies").values(edges).execute();
    await c.executeQuery({
      sql: "pragma foreign_keys = on",
      parameters: [],
      query: { kind: "RawNode" },
    } as never);
  });
  return { plan, id };
}

// get_status finds ready tasks in SQL (so it need not read a plan's other tasks); the rule must
// stay the core's: any plan state gives the same ready tasks, in the same order.
test("the SQL readiness query agrees with core readyTasks on any plan state", async () => {
  const store = await openStore(join(project.dir, "ready.db"));
  try {
    await fc.assert(
      fc.asyncProperty(
        specsArb,
        danglingArb,
        fc.nat(9),
        fc.integer({ min: 1, max: 4 }),
        async (specs, dangling, pick, limit) => {
          const ws = "/ws";
          const { plan, id } = await insertPlanState(store, ws, specs, dangling);
          const all = await findPlanTasks(store.db, ws, plan);
          const expected = readyTasks(all, { now: NOW }).map((t) => t.id);
          const actual = await findReadyTaskIds(store.db, ws, plan, NOW, 1000);
          expect(actual).toEqual(expected);
          // complete_subtask's list: the same rule, the dependents of the task just done first. The
          // task is a done one when there is one, so that its dependents can be ready.
          const done = specs.flatMap((s, i) =>
            s.status === "completed" || s.status === "cancelled" ? [i] : [],
          );
          const after = id(done.length > 0 ? (done[pick % done.length] as number) : pick % specs.length);
          const ranked = readyTasks(all, { now: NOW, justCompleted: after }).map((t) => t.id);
          const listed = async (n: number) =>
            (await findReadyTasksAfter(store.db, ws, plan, after, NOW, n)).map((t) => t.id);
          expect(await listed(1000)).toEqual(ranked);
          expect(await listed(limit)).toEqual(ranked.slice(0, limit));
        },
      ),
      { numRuns: RUNS },
    );
  } finally {
    await store.close();
  }
}, 120_000);

// execute_subtask and complete_subtask read only the tasks that decide whether a task may start or
// complete (issue 16): for any plan state and any task of it, what they conclude must be what the
// whole plan says. (Which tasks are ready after a completion is findReadyTasksAfter's, checked
// against core readyTasks above.)
test("a task's readiness siblings decide exactly as the whole plan", async () => {
  const store = await openStore(join(project.dir, "siblings.db"));
  try {
    await fc.assert(
      fc.asyncProperty(specsArb, danglingArb, fc.nat(9), async (specs, dangling, pick) => {
        const ws = "/ws";
        const { plan, id } = await insertPlanState(store, ws, specs, dangling);
        const target = id(pick % specs.length);
        const all = await findPlanTasks(store.db, ws, plan);
        const whole = all.find((t) => t.id === target)!;
        const byAll = new Map(all.map((t) => [t.id, t]));
        const found = await findTaskForReadiness(store.db, ws, target);
        expect(found?.task).toEqual(whole);
        const siblings = found!.siblings;
        for (const t of siblings) expect(t).toEqual(byAll.get(t.id)!);
        expect(unmetDependencies(whole, new Map(siblings.map((t) => [t.id, t])))).toEqual(
          unmetDependencies(whole, byAll),
        );
        expect(await findTaskForReadiness(store.db, ws, `${plan}_none`)).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  } finally {
    await store.close();
  }
}, 120_000);
