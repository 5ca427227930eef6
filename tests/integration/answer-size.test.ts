import { afterEach, beforeEach, expect, test } from "bun:test";
import { call, callOk, connectInMemory, textOf } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";

/**
 * Answers sized for a model (issue 16, target 5). get_status's default overview (≤ 8 KB): 10
 * plans, 5 task briefs over all of them with the ones needing someone first, 3 ready ids per plan;
 * parent_task_id and query_tasks page further. query_tasks lists brief items by default (200 in
 * under 30 KB), every field with verbosity full. Real server, real store, the SDK's in-memory
 * transport.
 */
let project: { dir: string; cleanup: () => void };
let conn: Awaited<ReturnType<typeof connectInMemory>>;

beforeEach(async () => {
  project = makeProject("orch-answer-size-");
  let tick = Date.parse("2026-11-30T10:00:00.000Z");
  // One second per call, so "latest activity first" has one answer.
  conn = await connectInMemory({
    cwd: "/",
    workspace: project.dir,
    now: () => {
      tick += 1000;
      return new Date(tick).toISOString();
    },
  });
});
afterEach(async () => {
  await conn.close();
  project.cleanup();
});

/** Plans of 4 independent tasks with short titles, like the bench's ("b1750"): sizes compare with its figures. */
async function makePlans(n: number): Promise<string[][]> {
  const plans: string[][] = [];
  for (let p = 0; p < n; p++) {
    const plan = await callOk(conn.client, "orchestrator_plan_task", {
      description: `Plan ${p}`,
      subtasks: ["a", "b", "c", "d"].map((x) => ({
        title: `${x}${p}`,
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
  expect(text).toContain("parent_task_id lists a plan in full");
  // A task without a claim leaves the claim fields out; the one in progress names its holder.
  expect(Object.keys(s.plans[0].tasks[1])).not.toContain("claimed_by");
  expect(s.plans[0].tasks[0].claim_expires_at).toEqual(expect.any(String));
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

test("the overview cuts long plan descriptions and task titles; the plan asked for by id shows them whole", async () => {
  const description = `Migrate the billing service ${"with every step spelled out ".repeat(700)}end`;
  const title = `Write the migration ${"carefully ".repeat(40)}`.trim();
  const plan = await callOk(conn.client, "orchestrator_plan_task", {
    description,
    subtasks: [{ title, specialist_type: "implementer" }],
  });
  const r = await conn.client.callTool({ name: "orchestrator_get_status", arguments: {} });
  const s = r.structuredContent as Record<string, any>;
  expect([...s.plans[0].description]).toHaveLength(120);
  expect(s.plans[0].description).toStartWith("Migrate the billing service with every step");
  expect(s.plans[0].description).toEndWith("…");
  expect([...s.plans[0].tasks[0].title]).toHaveLength(80);
  expect(textOf(r as any)).toContain(s.plans[0].description);
  expect(textOf(r as any)).not.toContain("end —");
  expect(Buffer.byteLength(JSON.stringify(r))).toBeLessThan(2_000);

  const one = await callOk(conn.client, "orchestrator_get_status", { parent_task_id: plan.parent_task_id });
  expect(one.plans[0].description).toBe(description);
  expect(one.plans[0].tasks[0].title).toBe(title);
});

test("a small workspace still sees all of its tasks in the overview", async () => {
  const [planId, ...tasks] = (await makePlans(1))[0]!;
  const s = await callOk(conn.client, "orchestrator_get_status", {});
  expect(s.plans.map((p: any) => p.parent_task_id)).toEqual([planId]);
  expect(s.plans[0].tasks.map((t: any) => t.task_id)).toEqual(tasks.slice(0, 4));
  expect(s.plans[0].hidden_tasks).toBe(0);
});

test("query_tasks lists brief tasks by default (200 within 30 KB), every field with verbosity full, and pages", async () => {
  const plans = await makePlans(50);
  const r = await conn.client.callTool({ name: "orchestrator_query_tasks", arguments: { limit: 200 } });
  const s = r.structuredContent as Record<string, any>;
  expect(s.tasks).toHaveLength(200);
  expect(s.total).toBe(200);
  expect(s.has_more).toBe(false);
  expect(Object.keys(s.tasks[0]).sort()).toEqual(["parent_task_id", "status", "task_id", "title"]);
  expect(Buffer.byteLength(JSON.stringify(r))).toBeLessThanOrEqual(30_000);
  // The text names each plan once, above its tasks.
  const text = textOf(r as any);
  expect(text.split(`plan ${plans[7]![0]}:`)).toHaveLength(2);
  expect(text).toContain(`- ${plans[7]![1]} [pending] a7`);

  const full = await callOk(conn.client, "orchestrator_query_tasks", {
    limit: 2,
    offset: 4,
    verbosity: "full",
    parent_task_id: plans[3]![0],
  });
  expect(full.tasks).toEqual([]);
  expect(full.total).toBe(4);
  const page = await callOk(conn.client, "orchestrator_query_tasks", {
    limit: 3,
    verbosity: "full",
    parent_task_id: plans[3]![0],
  });
  expect(page.tasks[0]).toMatchObject({
    parent_task_id: plans[3]![0],
    description: "work",
    specialist_type: "implementer",
    summary: null,
  });
  expect(page).toMatchObject({ total: 4, has_more: true, next_offset: 3 });
});

test("complete_subtask lists at most 10 ready tasks, the completed task's dependents first, and says when more are ready", async () => {
  // One task that five others wait on, then 14 independent ones: completing the first makes 19 ready.
  const plan = await callOk(conn.client, "orchestrator_plan_task", {
    description: "Wide plan",
    subtasks: [
      { title: "root", specialist_type: "architect" },
      ...Array.from({ length: 14 }, (_, i) => ({ title: `free ${i}`, specialist_type: "implementer" })),
      ...Array.from({ length: 5 }, (_, i) => ({
        title: `after root ${i}`,
        specialist_type: "tester",
        dependencies: ["root"],
      })),
    ],
  });
  const ids: string[] = plan.subtasks.map((s: { task_id: string }) => s.task_id);
  const [root] = ids;
  const dependents = ids.slice(15);
  await callOk(conn.client, "orchestrator_execute_subtask", { task_id: root });
  const r = await call(conn.client, "orchestrator_complete_subtask", {
    task_id: root,
    summary: "done",
    detailed_work: "the design",
    next_action: "complete",
  });
  const done = r.structuredContent as {
    ready_tasks: { task_id: string }[];
    more_ready: boolean;
    next_recommended_task: { task_id: string };
  };
  const listed = done.ready_tasks.map((t) => t.task_id);
  expect(listed).toEqual([...dependents, ...ids.slice(1, 6)]);
  expect(done.next_recommended_task.task_id).toBe(dependents[0]!);
  expect(done.more_ready).toBe(true);
  expect(textOf(r)).toContain(
    `and more (orchestrator_get_status with parent_task_id ${plan.parent_task_id} lists them)`,
  );

  // Everything that is ready is one get_status away.
  const status = await callOk(conn.client, "orchestrator_get_status", {
    parent_task_id: plan.parent_task_id,
  });
  expect(status.plans[0].ready_tasks).toHaveLength(19);

  // A plan with fewer ready tasks than the cap lists all of them and says nothing more.
  const small = await callOk(conn.client, "orchestrator_plan_task", {
    description: "Small plan",
    subtasks: ["a", "b", "c"].map((title) => ({ title, specialist_type: "implementer" })),
  });
  const first = small.subtasks[0].task_id;
  await callOk(conn.client, "orchestrator_execute_subtask", { task_id: first });
  const smallDone = await callOk(conn.client, "orchestrator_complete_subtask", {
    task_id: first,
    summary: "done",
    detailed_work: "a",
    next_action: "complete",
  });
  expect(smallDone.ready_tasks).toHaveLength(2);
  expect(smallDone.more_ready).toBe(false);
});
