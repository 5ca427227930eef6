import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { call, callOk, connectInMemory, textOf } from "../helpers/client.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { makeProject } from "../helpers/temp.ts";

// Several servers, each with its own connection pool (as separate processes or machines would
// have), on one PostgreSQL database: SERIALIZABLE writes re-run on conflict must leave no task
// claimed twice and every plan counter exact (issue 13 item 4).
let database: TestDatabase;
let project: { dir: string; cleanup: () => void };
beforeAll(async () => {
  database = await createTestDatabase();
  project = makeProject("orch-pg-conc-");
});
afterAll(async () => {
  project.cleanup();
  await database.drop();
});

describe("concurrent servers on one PostgreSQL database", () => {
  test("next-ready claims never hand one task to two agents; counters stay exact", async () => {
    const db = `${database.url}?pool_max=3`;
    const servers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        connectInMemory({ cwd: project.dir, workspace: project.dir, db, clientName: `agent-${i}` }),
      ),
    );
    try {
      const first = servers[0]!;
      const plan = await callOk(first.client, "orchestrator_plan_task", {
        description: "pool",
        subtasks: Array.from({ length: 30 }, (_, i) => ({ title: `t${i}`, specialist_type: "implementer" })),
      });
      const claimed: string[][] = await Promise.all(
        servers.map(async ({ client }) => {
          const mine: string[] = [];
          for (;;) {
            const r = await call(client, "orchestrator_execute_subtask", {});
            if (r.isError) {
              expect(textOf(r)).toContain("NO_READY_TASK");
              return mine;
            }
            mine.push((r.structuredContent as { task_id: string }).task_id);
          }
        }),
      );
      const all = claimed.flat();
      expect(all).toHaveLength(30);
      expect(new Set(all).size).toBe(30);
      // More than one server won claims: the race was real.
      expect(claimed.filter((c) => c.length > 0).length).toBeGreaterThan(1);

      await Promise.all(
        servers.map(({ client }, i) =>
          Promise.all(
            (claimed[i] ?? []).map((id) =>
              callOk(client, "orchestrator_complete_subtask", {
                task_id: id,
                summary: "ok",
                detailed_work: "ok",
              }),
            ),
          ),
        ),
      );
      const status = await callOk(servers[5]!.client, "orchestrator_get_status", {
        parent_task_id: plan.parent_task_id,
        include_completed: true,
      });
      expect(status.plans[0].status).toBe("completed");
      expect(status.plans[0].progress).toMatchObject({ completed: 30, total: 30 });
      // health_check on PostgreSQL: reachable, migrations applied, no SQLite journal complaint.
      const health = await callOk(first.client, "orchestrator_health_check", {});
      expect(health.database).toMatchObject({ reachable: true, quick_check: "ok", journal_mode: "postgres" });
      expect(health.problems).toEqual([]);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  }, 120_000);
});
