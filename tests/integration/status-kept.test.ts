import { afterEach, beforeEach, expect, test } from "bun:test";
import { callOk, connectInMemory } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";
import { projectKey, storeExec } from "../helpers/test-store.ts";

/**
 * get_status keeps its answer on SQLite until the database changes (app/get-status.ts): every
 * change must still show in the next call, whoever made it (this server, another server on its
 * own connection, a raw write), and so must a claim lapsing with no write at all, and a clock
 * turned back. On PostgreSQL nothing is kept; the same answers hold. Real servers and stores, the
 * SDK's in-memory transport.
 */
let project: { dir: string; cleanup: () => void };
let clock = Date.parse("2026-11-30T10:00:00.000Z");
const now = () => new Date(clock).toISOString();
let a: Awaited<ReturnType<typeof connectInMemory>>;
let b: Awaited<ReturnType<typeof connectInMemory>>;

beforeEach(async () => {
  project = makeProject("orch-status-kept-");
  clock = Date.parse("2026-11-30T10:00:00.000Z");
  // Two servers on one workspace, each with its own store connection (as two processes have).
  a = await connectInMemory({ cwd: "/", workspace: project.dir, now });
  b = await connectInMemory({ cwd: "/", workspace: project.dir, now });
});
afterEach(async () => {
  await a.close();
  await b.close();
  project.cleanup();
});

const status = (args: Record<string, unknown> = {}) => callOk(a.client, "orchestrator_get_status", args);

test("each change shows in the next get_status: the server's own, another connection's, a raw write", async () => {
  const plan = await callOk(a.client, "orchestrator_plan_task", {
    description: "Kept",
    subtasks: ["one", "two", "three"].map((title) => ({ title, specialist_type: "implementer" })),
  });
  const [t1, t2, t3] = plan.subtasks.map((s: { task_id: string }) => s.task_id);
  const before = await status();
  expect(before.plans[0].ready_tasks).toEqual([t1, t2, t3]);
  expect(await status()).toEqual(before);

  // Another server (another connection) claims and completes: the next call sees each step.
  await callOk(b.client, "orchestrator_execute_subtask", { task_id: t1 });
  const claimed = await status();
  expect(claimed.active_tasks).toBe(1);
  expect(claimed.plans[0].ready_tasks).toEqual([t2, t3]);
  await callOk(b.client, "orchestrator_complete_subtask", {
    task_id: t1,
    summary: "done",
    detailed_work: "x",
  });
  expect((await status()).completed_tasks).toBe(1);

  // This server's own write.
  await callOk(a.client, "orchestrator_execute_subtask", { task_id: t2, agent_id: "a" });
  const own = await status();
  expect(own.active_tasks).toBe(1);
  expect(own.plans[0].tasks[0]).toMatchObject({ task_id: t2, status: "active", claimed_by: "a" });

  // A raw write, as an older binary or a repair would make it; each query is kept apart.
  const one = await status({ parent_task_id: plan.parent_task_id });
  await storeExec(
    project.dir,
    ["update tasks set title = ? where workspace = ? and id = ?"],
    ["renamed", projectKey(project.dir), t3],
  );
  const renamed = await status({ parent_task_id: plan.parent_task_id });
  expect(renamed.plans[0].tasks.find((t: { task_id: string }) => t.task_id === t3).title).toBe("renamed");
  expect(one.plans[0].tasks.find((t: { task_id: string }) => t.task_id === t3).title).toBe("three");
});

test("a pending task's claim keeps it from ready until it lapses, with no write between; a clock turned back sees it again", async () => {
  const plan = await callOk(a.client, "orchestrator_plan_task", {
    description: "Claims",
    subtasks: ["one", "two"].map((title) => ({ title, specialist_type: "implementer" })),
  });
  const [t1, t2] = plan.subtasks.map((s: { task_id: string }) => s.task_id);
  const start = clock;
  const expires = new Date(start + 60_000).toISOString();
  // A pending task holding a claim (none of our tools leaves one, an older version or a copy can).
  await storeExec(
    project.dir,
    ["update tasks set claimed_by = ?, claim_expires_at = ? where workspace = ? and id = ?"],
    ["elsewhere", expires, projectKey(project.dir), t1],
  );
  expect((await status()).plans[0].ready_tasks).toEqual([t2]);
  expect((await status()).plans[0].ready_tasks).toEqual([t2]);
  clock = start + 61_000;
  expect((await status()).plans[0].ready_tasks).toEqual([t1, t2]);
  expect((await status()).plans[0].ready_tasks).toEqual([t1, t2]);
  clock = start;
  expect((await status()).plans[0].ready_tasks).toEqual([t2]);
});
