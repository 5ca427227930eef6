import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { CompiledQuery, sql } from "kysely";
import { openStore } from "../../src/store/open.ts";
import { readyQuery } from "../../src/store/repositories/ready.repository.ts";
import { migratedIndexes } from "../helpers/pg-indexes.ts";
import { makeProject } from "../helpers/temp.ts";

// Migration 2026_12_03_000000_ready_order (issue 16): a plan's ready query walks the plan's
// pending tasks in position order straight from `tasks_by_plan_status`, instead of every task of
// the plan through `tasks_by_plan` with a row read each for its status. Both dialects get the
// same index; SQLite's planner is deterministic without statistics, so its choice is checked too.

const project = makeProject("orch-ready-order-");
afterAll(async () => {
  project.cleanup();
});

test("SQLite: the ready query of a plan reads its pending tasks in position order from tasks_by_plan_status", async () => {
  const store = await openStore(join(project.dir, "ready.db"));
  try {
    const columns = await sql<{
      name: string;
    }>`select name from pragma_index_info('tasks_by_plan_status')`.execute(store.db);
    expect(columns.rows.map((r) => r.name)).toEqual(["workspace", "plan_id", "status", "position"]);

    for (const claims of ["skip", "mark"] as const) {
      const q = readyQuery(
        store.db,
        "/ws",
        "task_00000001",
        "2026-01-01T00:00:00.000Z",
        10,
        claims,
      ).compile();
      const plan = await store.db.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]),
      );
      const details = plan.rows.map((r) => r.detail);
      // The outer scan: the plan's pending rows through the index, already in position order.
      expect(details[0]).toContain(
        "USING INDEX tasks_by_plan_status (workspace=? AND plan_id=? AND status=?)",
      );
      expect(details.join("\n")).not.toContain("TEMP B-TREE");
    }
  } finally {
    await store.close();
  }
});

test("PostgreSQL: tasks_by_plan_status carries position after the plan and status", async () => {
  const indexes = await migratedIndexes("tasks");
  expect(indexes.get("tasks_by_plan_status")).toContain('(workspace, plan_id, status, "position")');
});
