import { afterEach, beforeEach, expect, test } from "bun:test";
import { callOk, connectInMemory, textOf } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";

/**
 * get_status's default overview is sized for a model (issue 16: ≤ 8 KB): 10 plans, 5 task briefs
 * over all of them with the ones needing someone first, 3 ready ids per plan; parent_task_id and
 * query_tasks page further. Real server, real store, the SDK's in-memory transport.
 */
let project: { dir: string; cleanup: () => void };
let conn: Awaited<ReturnType<typeof connectInMemory>>;

beforeEach(async () => {
  project = makeProject("orch-status-overview-");
  let tick = Date.parse("2026-11-30T10:00:00.000Z");
  // One second per call, so "latest activity first" has one answer.
  conn = await connectInMemory({
    cwd: "/",
    workspace: project.dir,
    now: () => new Date((tick += 1000)).toISOString(),
  });
});
afterEach(async () => {
  await conn.close();
  project.cleanup();
});

async function makePlans(n: number): Promise<string[][]> {
  const plans: string[][] = [];
  for (let p = 0; p < n; p++) {
    const plan = await callOk(conn.client, "orchestrator_plan_task", {
      description: `Plan ${p}`,
      subtasks: ["a", "b", "c", "d"].map((x) => ({
        title: `${x} of plan ${p}`,
        description: "work",
        specialist_type: "implementer",
      })),
    });
    plans.push([plan.parent_task_id, ...plan.subtasks.map((s: { task_id: string }) => s.task_id)]);
  }
  return plans;
}

test("the overview lists 10 plans, 5 tasks over all of them (work in progress first) and 3 ready ids each, within 8 KB", async () => {
  const plans = await makePlans(12);
  const [oldPlan, , , , last] = plans[0]!;
  await callOk(conn.client, "orchestrator_execute_subtask", { task_id: last, agent_id: "agent-1" });

  const r = await conn.client.callTool({ name: "orchestrator_get_status", arguments: {} });
  const s = r.structuredContent as Record<string, any>;
  expect(s.plans_open).toBe(12);
  expect(s.plans).toHaveLength(10);
  expect(s.more_plans).toBe(2);
  // The claim made plan 0 the latest activity; its task in progress leads, before pending ones.
  expect(s.plans[0].parent_task_id).toBe(oldPlan);
  expect(s.plans[0].tasks[0]).toMatchObject({ task_id: last, status: "active", claimed_by: "agent-1" });
  const listed = s.plans.flatMap((p: any) => p.tasks);
  expect(listed).toHaveLength(5);
  expect(s.plans[0].tasks.slice(1).every((t: any) => t.status === "pending")).toBe(true);
  expect(s.plans[1].tasks).toHaveLength(1);
  expect(s.plans[2].tasks).toEqual([]);
  for (const p of s.plans) {
    expect(p.hidden_tasks).toBe(p.counts.total - p.tasks.length);
    expect(p.ready_tasks).toHaveLength(3);
  }
  expect(s.plans[0].ready_tasks).not.toContain(last);
  const text = textOf(r as any);
  expect(text).toContain("parent_task_id lists a plan's tasks");
  expect(text).toContain("2 more plan(s) not listed");
  expect(Buffer.byteLength(JSON.stringify(r))).toBeLessThanOrEqual(8_000);

  // Paging further: one plan lists every task and all its ready ones; limit raises the plan count.
  const one = await callOk(conn.client, "orchestrator_get_status", { parent_task_id: plans[5]![0] });
  expect(one.plans[0].tasks).toHaveLength(4);
  expect(one.plans[0].ready_tasks).toEqual(plans[5]!.slice(1));
  expect(one.plans[0].hidden_tasks).toBe(0);
  const all = await callOk(conn.client, "orchestrator_get_status", { limit: 20 });
  expect(all.plans).toHaveLength(12);
  expect(all.more_plans).toBe(0);
});

test("a small workspace still sees all of its tasks in the overview", async () => {
  const [[planId, ...tasks]] = await makePlans(1);
  const s = await callOk(conn.client, "orchestrator_get_status", {});
  expect(s.plans.map((p: any) => p.parent_task_id)).toEqual([planId]);
  expect(s.plans[0].tasks.map((t: any) => t.task_id)).toEqual(tasks.slice(0, 4));
  expect(s.plans[0].hidden_tasks).toBe(0);
});
