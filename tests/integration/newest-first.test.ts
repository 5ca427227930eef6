import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { CompiledQuery, sql } from "kysely";
import type { TaskStatus } from "../../src/core/task.ts";
import type { Executor } from "../../src/store/database.ts";
import { openStore } from "../../src/store/open.ts";
import { searchPageStatement } from "../../src/store/repositories/task-queries.repository.ts";
import { migratedIndexes } from "../helpers/pg-indexes.ts";
import { makeProject } from "../helpers/temp.ts";

// Migration 2026_12_05_000000_newest_first (issue 16, a list of 200): a list over every live
// status walks `tasks_by_created` newest first and stops at the page's end, with no sort; a list
// of some statuses reads each status's newest in order from `tasks_by_status`, and never walks the
// whole store through `tasks_by_created` (a status with no task would read every row); one plan's
// tasks come through the plan's own index, however the statuses are filtered. SQLite's
// planner is deterministic without statistics, so its choices are checked; PostgreSQL gets the
// same indexes.

const project = makeProject("orch-newest-first-");
afterAll(async () => {
  project.cleanup();
});

async function queryPlan(db: Executor, search: { status?: TaskStatus[]; planId?: string }): Promise<string> {
  const q = searchPageStatement(db, "/ws", {
    status: search.status ?? [],
    specialistType: [],
    planId: search.planId,
    limit: 200,
    offset: 0,
  });
  const plan = await db.executeQuery<{ detail: string }>(
    CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]),
  );
  return plan.rows.map((r) => r.detail).join("\n");
}

test("SQLite: lists newest first read their page in index order", async () => {
  const store = await openStore(join(project.dir, "newest.db"));
  try {
    const columns = async (index: string) =>
      (
        await sql<{ name: string; desc: number }>`select name, "desc" from pragma_index_xinfo(${index})
          where key = 1 order by seqno`.execute(store.db)
      ).rows.map((r) => `${r.name}${r.desc ? " desc" : ""}`);
    expect(await columns("tasks_by_created")).toEqual([
      "workspace",
      "created_at desc",
      "plan_id",
      "position",
    ]);
    expect(await columns("tasks_by_status")).toEqual([
      "workspace",
      "status",
      "created_at desc",
      "plan_id",
      "position",
    ]);

    // Every live status (no filter, or all of them named, archived too): one walk, no sort.
    for (const status of [
      [],
      ["pending", "active", "completed", "failed", "blocked", "cancelled", "archived"],
    ]) {
      const walk = await queryPlan(store.db, { status: status as TaskStatus[] });
      expect(walk).toContain("USING INDEX tasks_by_created (workspace=?)");
      expect(walk).not.toContain("TEMP B-TREE");
    }
    // One status: its own range of tasks_by_status, already in order.
    const one = await queryPlan(store.db, { status: ["blocked"] });
    expect(one).toContain("USING INDEX tasks_by_status (workspace=? AND status=?)");
    expect(one).not.toContain("TEMP B-TREE");
    // Some statuses: each part from tasks_by_status in order (only the union's merge sorts).
    const some = await queryPlan(store.db, { status: ["blocked", "pending"] });
    expect(some.match(/USING INDEX tasks_by_status \(workspace=\? AND status=\?\)/g)).toHaveLength(2);
    expect(some).not.toContain("tasks_by_created");
    expect(some).not.toContain("LAST");
    // One plan's tasks (at most 500): through its own index, and sorted, never a walk of the whole
    // store's newer tasks through an index already in order.
    for (const status of [[], ["blocked"], ["blocked", "pending"]]) {
      const inPlan = await queryPlan(store.db, { status: status as TaskStatus[], planId: "task_00000001" });
      expect(inPlan).toContain("USING INDEX tasks_by_plan_status (workspace=? AND plan_id=? AND status=?)");
      expect(inPlan).not.toMatch(/tasks_by_created|tasks_by_status/);
    }
  } finally {
    await store.close();
  }
});

test("PostgreSQL: tasks are indexed newest first, alone and after their status", async () => {
  const indexes = await migratedIndexes("tasks");
  expect(indexes.get("tasks_by_created")).toContain('(workspace, created_at DESC, plan_id, "position")');
  expect(indexes.get("tasks_by_status")).toContain(
    '(workspace, status, created_at DESC, plan_id, "position")',
  );
});
