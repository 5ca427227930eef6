import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { applyTaskAction, requireTask } from "../../src/app/_task-writes.ts";
import type { TaskStatus } from "../../src/core/task.ts";
import { canTransition, derivePlanStatus, type TaskAction } from "../../src/core/transitions.ts";
import { openStore } from "../../src/store/open.ts";
import type { StorePort } from "../../src/store/port.ts";
import { openPostgresStore } from "../../src/store/postgres/open.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { makeProject } from "../helpers/temp.ts";

// applyTaskAction adds each transition to the plan's counters in the UPDATE instead of recounting
// the plan's tasks (issue 16): several stores (each its own connection, as separate processes
// have) changing tasks of one plan at once must leave every counter equal to a recount.
const WS = "/ws";
const PLAN = "task_0000c0de";
const TASKS = 24;
const STEPS = 6;
const AT = "2026-01-01T00:00:00.000Z";

/** The moves the writers cycle through; each task walks its own sequence, archive and restore included. */
const MOVES: readonly TaskAction[] = [
  "start",
  "block",
  "start",
  "archive",
  "restore",
  "release",
  "complete",
  "reopen",
  "cancel",
  "reopen",
  "fail",
  "start",
  "complete",
];

async function seed(store: StorePort): Promise<void> {
  await store.write(async (w) => {
    await w.insertPlan(WS, {
      id: PLAN,
      description: "counters",
      complexity: "simple",
      context: null,
      status: "active",
      createdAt: AT,
      updatedAt: AT,
    });
    await w.insertTasks(
      WS,
      Array.from({ length: TASKS }, (_, i) => ({
        id: `t_${i}`,
        planId: PLAN,
        position: i,
        title: `t${i}`,
        description: "",
        specialistType: "implementer",
        estimatedEffort: "1h",
        status: "pending" as TaskStatus,
        dependencies: [],
        createdAt: AT,
        updatedAt: AT,
      })),
    );
    const counts = await w.countPlanTasks(WS, PLAN);
    await w.updatePlan(WS, PLAN, { counts });
  });
}

/** Every task walks MOVES from its own offset; the stores take turns, all writes in flight at once. */
async function churn(stores: readonly StorePort[]): Promise<void> {
  await Promise.all(
    Array.from({ length: TASKS }, async (_, i) => {
      const store = stores[i % stores.length]!;
      for (let step = 0; step < STEPS; step++) {
        await store.write(async (w) => {
          const task = await requireTask(w, WS, `t_${i}`);
          const action = MOVES.slice((i + step) % MOVES.length).find((a) => canTransition(task.status, a));
          await applyTaskAction(w, WS, task, action ?? "archive", AT);
        });
      }
    }),
  );
}

async function expectExact(store: StorePort): Promise<void> {
  const stored = await store.direct.findPlan(WS, PLAN);
  const recount = await store.direct.countPlanTasks(WS, PLAN);
  expect(stored?.counts).toEqual(recount);
  expect(recount.total).toBeGreaterThan(0);
  expect(stored?.status).toBe(derivePlanStatus("active", recount));
}

describe("plan counters under concurrent writers", () => {
  let project: { dir: string; cleanup: () => void };
  let database: TestDatabase;
  beforeAll(async () => {
    project = makeProject("orch-counters-");
    database = await createTestDatabase();
  }, 60_000);
  afterAll(async () => {
    project.cleanup();
    await database.drop();
  });

  test("SQLite: three connections to one file, every write in flight at once", async () => {
    const path = join(project.dir, "counters.db");
    const stores = [await openStore(path), await openStore(path), await openStore(path)];
    try {
      await seed(stores[0]!);
      await churn(stores);
      await expectExact(stores[0]!);
    } finally {
      for (const s of stores) await s.close();
    }
  }, 60_000);

  test("PostgreSQL: three servers' pools on one database", async () => {
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore(`${database.url}?pool_max=3`)));
    try {
      await seed(stores[0]!);
      await churn(stores);
      await expectExact(stores[0]!);
    } finally {
      for (const s of stores) await s.close();
    }
  }, 120_000);
});
