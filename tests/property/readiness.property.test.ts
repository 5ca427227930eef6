import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import fc from "fast-check";
import { readyTasks } from "../../src/core/readiness.ts";
import { TASK_STATUSES } from "../../src/core/task.ts";
import { openStore } from "../../src/store/open.ts";
import { findReadyTaskIds } from "../../src/store/repositories/task-queries.repository.ts";
import { findPlanTasks } from "../../src/store/repositories/tasks.repository.ts";
import { makeProject } from "../helpers/temp.ts";

const RUNS = Number(process.env.ORCHESTRATOR_PROPERTY_RUNS ?? 300);
const project = makeProject("orch-ready-");
afterAll(() => project.cleanup());

const NOW = "2026-06-01T12:00:00.000Z";

// get_status finds ready tasks in SQL (so it need not read a plan's other tasks); the rule must
// stay the core's: any plan state gives the same ready tasks, in the same order.
test("the SQL readiness query agrees with core readyTasks on any plan state", async () => {
  const store = await openStore(join(project.dir, "ready.db"));
  let planNo = 0;
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            status: fc.constantFrom(...TASK_STATUSES),
            deps: fc.array(fc.nat(9), { maxLength: 3 }),
            claim: fc.constantFrom("none", "live", "expired"),
          }),
          { minLength: 1, maxLength: 10 },
        ),
        fc.array(fc.nat(20), { maxLength: 2 }), // dependencies on tasks that do not exist
        async (specs, dangling) => {
          const plan = `task_p${++planNo}`;
          const ws = "/ws";
          await store.db
            .insertInto("plans")
            .values({
              workspace: ws,
              id: plan,
              description: "p",
              complexity: "simple",
              context: null,
              status: "active",
              n_pending: 0,
              n_active: 0,
              n_blocked: 0,
              n_completed: 0,
              n_failed: 0,
              n_cancelled: 0,
              n_total: 0,
              created_at: NOW,
              updated_at: NOW,
              completed_at: null,
            } as never)
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
          const edges = specs.flatMap((s, i) => [
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
          ]);
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
          const all = await findPlanTasks(store.db, ws, plan);
          const expected = readyTasks(all, { now: NOW }).map((t) => t.id);
          const actual = await findReadyTaskIds(store.db, ws, plan, NOW, 1000);
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: RUNS },
    );
  } finally {
    await store.close();
  }
}, 120_000);
