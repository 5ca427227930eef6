import { afterEach, beforeEach, expect, test } from "bun:test";
import { callOk, connectBinary } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";

/**
 * get_status keeps its answer until the database changes (app/get-status.ts, SQLite's
 * data_version): two `serve` processes of the compiled binary on one workspace, one polling while
 * the other writes, must never see an answer older than the last write acknowledged to the other.
 * On PostgreSQL nothing is kept and the same must hold.
 */
let project: { dir: string; cleanup: () => void };
let servers: Awaited<ReturnType<typeof connectBinary>>[] = [];

beforeEach(() => {
  project = makeProject("orch-status-kept-e2e-");
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  project.cleanup();
});

test("a server polling get_status sees every write another server process acknowledged", async () => {
  const [poller, writer] = await Promise.all(
    [0, 1].map(() => connectBinary({ cwd: project.dir, args: ["--workspace", project.dir] })),
  );
  servers = [poller!, writer!];
  const status = () => callOk(poller!.client, "orchestrator_get_status", {});
  const plan = await callOk(writer!.client, "orchestrator_plan_task", {
    description: "Polled",
    subtasks: Array.from({ length: 6 }, (_, i) => ({ title: `step ${i}`, specialist_type: "implementer" })),
  });
  expect((await status()).pending_tasks).toBe(6);
  for (let i = 0; i < 6; i++) {
    // The same answer twice in a row (kept), then the other process's write must show.
    expect((await status()).completed_tasks).toBe(i);
    const started = await callOk(writer!.client, "orchestrator_execute_subtask", {});
    const during = await status();
    expect(during.active_tasks).toBe(1);
    expect(during.plans[0].tasks[0]).toMatchObject({ task_id: started.task_id, status: "active" });
    expect(during.plans[0].ready_tasks).not.toContain(started.task_id);
    await callOk(writer!.client, "orchestrator_complete_subtask", {
      task_id: started.task_id,
      summary: `done ${i}`,
      detailed_work: "x",
    });
    const after = await status();
    expect(after.active_tasks).toBe(0);
    // Counts cover open plans: the last completion closes the plan.
    expect(after.completed_tasks).toBe(i < 5 ? i + 1 : 0);
  }
  const done = await status();
  expect(done.plans_open).toBe(0);
  expect(done.plans_completed).toBe(1);
  expect(plan.subtasks).toHaveLength(6);
}, 60_000);
