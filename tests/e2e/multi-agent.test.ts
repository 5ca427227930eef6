import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { call, callOk, connectBinary, textOf } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";
import { countRows, projectKey, storeNumber } from "../helpers/test-store.ts";

// Several compiled server processes on one workspace, as several clients or agents would run them.
let project: { dir: string; cleanup: () => void };
beforeEach(() => {
  project = makeProject("orch-multi-");
});
afterEach(() => project.cleanup());

describe("many agents, one plan", () => {
  test("two processes race for one ready task: exactly one claim wins, the loser is told who holds it", async () => {
    const a = await connectBinary({ cwd: project.dir, clientName: "agent-a" });
    const b = await connectBinary({ cwd: project.dir, clientName: "agent-b" });
    try {
      for (let round = 0; round < 10; round++) {
        await callOk(a.client, "orchestrator_plan_task", {
          description: `race ${round}`,
          subtasks: [{ title: "only", specialist_type: "tester", task_id: `race_${round}` }],
        });
        const [ra, rb] = await Promise.all([
          call(a.client, "orchestrator_execute_subtask", { task_id: `race_${round}` }),
          call(b.client, "orchestrator_execute_subtask", { task_id: `race_${round}` }),
        ]);
        const winners = [ra, rb].filter((r) => !r.isError);
        const losers = [ra, rb].filter((r) => r.isError);
        expect(winners).toHaveLength(1);
        expect(losers).toHaveLength(1);
        const winner = (winners[0]!.structuredContent as { claim: { agent_id: string } }).claim.agent_id;
        expect(textOf(losers[0]!)).toContain("TASK_CLAIMED");
        expect(textOf(losers[0]!)).toContain(winner);
      }
    } finally {
      await a.close();
      await b.close();
    }
  }, 30_000);

  test("next-ready-task claims never hand one task to two agents", async () => {
    const a = await connectBinary({ cwd: project.dir, clientName: "agent-a" });
    const b = await connectBinary({ cwd: project.dir, clientName: "agent-b" });
    try {
      await callOk(a.client, "orchestrator_plan_task", {
        description: "pool",
        subtasks: Array.from({ length: 20 }, (_, i) => ({ title: `t${i}`, specialist_type: "implementer" })),
      });
      const got: string[] = [];
      const worker = async (client: typeof a.client) => {
        for (;;) {
          const r = await call(client, "orchestrator_execute_subtask", {});
          if (r.isError) {
            expect(textOf(r)).toContain("NO_READY_TASK");
            return;
          }
          got.push((r.structuredContent as { task_id: string }).task_id);
        }
      };
      await Promise.all([worker(a.client), worker(b.client), worker(a.client), worker(b.client)]);
      expect(got).toHaveLength(20);
      expect(new Set(got).size).toBe(20);
    } finally {
      await a.close();
      await b.close();
    }
  }, 30_000);

  test("an expired lease can be taken over; a live one cannot be completed by someone else", async () => {
    const a = await connectBinary({ cwd: project.dir, clientName: "agent-a", args: ["--lease", "1500ms"] });
    const b = await connectBinary({ cwd: project.dir, clientName: "agent-b", args: ["--lease", "1500ms"] });
    try {
      await callOk(a.client, "orchestrator_plan_task", {
        description: "lease",
        subtasks: [{ title: "one", specialist_type: "tester", task_id: "leased" }],
      });
      await callOk(a.client, "orchestrator_execute_subtask", { task_id: "leased" });
      const early = await call(b.client, "orchestrator_complete_subtask", {
        task_id: "leased",
        summary: "x",
        detailed_work: "x",
      });
      expect(textOf(early)).toContain("TASK_CLAIMED");
      await Bun.sleep(1700);
      const taken = await callOk(b.client, "orchestrator_execute_subtask", { task_id: "leased" });
      expect(taken.claim.agent_id).toContain("agent-b");
      expect(taken.started).toBe(true);
      expect(taken.taken_over_from).toContain("agent-a");
      const late = await call(a.client, "orchestrator_complete_subtask", {
        task_id: "leased",
        summary: "x",
        detailed_work: "x",
      });
      expect(textOf(late)).toContain("TASK_CLAIMED");
      await callOk(b.client, "orchestrator_complete_subtask", {
        task_id: "leased",
        summary: "done by b",
        detailed_work: "x",
      });
    } finally {
      await a.close();
      await b.close();
    }
  }, 30_000);

  test("four processes × 100 plan → execute → complete cycles: no errors, exact counts", async () => {
    const agents = await Promise.all(
      [0, 1, 2, 3].map((i) => connectBinary({ cwd: project.dir, clientName: `agent-${i}` })),
    );
    try {
      const errors: string[] = [];
      await Promise.all(
        agents.map(async ({ client }, i) => {
          for (let n = 0; n < 100; n++) {
            try {
              const plan = await callOk(client, "orchestrator_plan_task", {
                description: `agent ${i} job ${n}`,
                subtasks: [{ title: "work", specialist_type: "implementer" }],
              });
              const id = plan.subtasks[0].task_id;
              await callOk(client, "orchestrator_execute_subtask", { task_id: id });
              await callOk(client, "orchestrator_complete_subtask", {
                task_id: id,
                summary: `s${n}`,
                detailed_work: `w${i}-${n}`,
              });
            } catch (e) {
              errors.push(String(e));
            }
          }
        }),
      );
      expect(errors).toEqual([]);
    } finally {
      await Promise.all(agents.map((a) => a.close()));
    }
    // A fresh reader after every process has exited.
    const q = (table: string, where?: string) => countRows(project.dir, table, where);
    expect(await q("plans", "status = 'completed'")).toBe(400);
    expect(await q("tasks", "status = 'completed'")).toBe(400);
    expect(await q("artifacts")).toBe(400);
    expect(await q("events", "kind = 'task_status_changed'")).toBe(800);
    const counted = "select sum(n_completed) as n from plans where workspace = ?";
    expect(await storeNumber(project.dir, counted, [projectKey(project.dir)])).toBe(400);
    expect(await q("tasks", "claimed_by is not null")).toBe(0);
  }, 120_000);
});
