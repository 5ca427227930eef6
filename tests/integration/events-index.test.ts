import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { CompiledQuery, sql } from "kysely";
import { openStore } from "../../src/store/open.ts";
import { migratedIndexes } from "../helpers/pg-indexes.ts";
import { makeProject } from "../helpers/temp.ts";

// Migration 2026_12_04_000000_events_by_plan_task (issue 16): events have no index by task any
// more (each event landed on a random leaf page of it, one more WAL page per event); a task's
// history is read through its plan's index, which carries task_id after seq so that only the
// task's own rows are fetched. SQLite's planner is deterministic without statistics, so its choice
// is checked; PostgreSQL gets the same index.

const project = makeProject("orch-events-index-");
afterAll(async () => {
  project.cleanup();
});

test("SQLite: a task's history walks its plan's events newest first in events_by_plan, with no sort", async () => {
  const store = await openStore(join(project.dir, "events.db"));
  try {
    const indexes = await sql<{ name: string }>`select name from sqlite_master
      where type = 'index' and tbl_name = 'events' and sql is not null order by name`.execute(store.db);
    expect(indexes.rows.map((r) => r.name)).toEqual(["events_by_plan"]);
    const columns = await sql<{ name: string }>`select name from pragma_index_info('events_by_plan')`.execute(
      store.db,
    );
    expect(columns.rows.map((r) => r.name)).toEqual(["workspace", "plan_id", "seq", "task_id"]);

    // The statement findTaskEvents runs, as the store runs it (parameters and all).
    const q = store.db
      .selectFrom("events")
      .selectAll()
      .where("workspace", "=", "/ws")
      .where("plan_id", "=", "task_00000001")
      .where("task_id", "=", "implementer_000001")
      .orderBy("seq", "desc")
      .limit(200)
      .compile();
    const plan = await store.db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]),
    );
    const details = plan.rows.map((r) => r.detail).join("\n");
    expect(details).toContain("USING INDEX events_by_plan (workspace=? AND plan_id=?)");
    expect(details).not.toContain("TEMP B-TREE");
  } finally {
    await store.close();
  }
});

test("PostgreSQL: events are indexed by plan, then seq and task_id, and not by task", async () => {
  const indexes = await migratedIndexes("events");
  expect(indexes.has("events_by_task")).toBe(false);
  expect(indexes.get("events_by_plan")).toContain("(workspace, plan_id, seq, task_id)");
});
