import { afterEach, beforeEach, expect, test } from "bun:test";
import { call, callOk, connectInMemory, textOf } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";

// execute_subtask without a task id: the first task that can start, oldest open plan first, then
// plan order. The store answers first (findReadyTaskIdsOfPlans) and the full read of the plans
// stays for a role filter and for saying why nothing is ready: both must pick the same task.
let project: { dir: string; cleanup: () => void };
beforeEach(() => {
  project = makeProject("orch-next-ready-");
});
afterEach(() => project.cleanup());

test("the next ready task comes from the oldest plan that has one, in plan order, with or without a role filter", async () => {
  let nowMs = Date.parse("2026-12-02T09:00:00.000Z");
  // A second per call: "oldest plan" is decided by creation time.
  const now = () => {
    nowMs += 1000;
    return new Date(nowMs).toISOString();
  };
  const a = await connectInMemory({ cwd: project.dir, clientName: "agent-a", now });
  const b = await connectInMemory({ cwd: project.dir, clientName: "agent-b", now });
  try {
    await callOk(a.client, "orchestrator_plan_task", {
      description: "older plan",
      subtasks: [
        { title: "first", specialist_type: "implementer", task_id: "old_first" },
        { title: "then", specialist_type: "tester", task_id: "old_then", dependencies: ["old_first"] },
      ],
    });
    await callOk(a.client, "orchestrator_plan_task", {
      description: "newer plan",
      subtasks: [
        { title: "one", specialist_type: "implementer", task_id: "new_one" },
        { title: "two", specialist_type: "tester", task_id: "new_two" },
      ],
    });
    // Agent A holds the older plan's only startable task: its second waits on it.
    expect((await callOk(a.client, "orchestrator_execute_subtask", {})).task_id).toBe("old_first");
    expect((await callOk(b.client, "orchestrator_execute_subtask", {})).task_id).toBe("new_one");
    // With a role filter (the full read): the newer plan's tester, not its implementer.
    expect(
      (await callOk(b.client, "orchestrator_execute_subtask", { specialist_type: "tester" })).task_id,
    ).toBe("new_two");
    // Nothing left that can start: the full read says why.
    const none = textOf(await call(b.client, "orchestrator_execute_subtask", {}));
    expect(none).toContain("NO_READY_TASK");
    expect(none).toContain("pending on dependencies");
    // Once the older plan's first is done, its second is the oldest plan's next: it comes first.
    await callOk(a.client, "orchestrator_complete_subtask", {
      task_id: "old_first",
      summary: "ok",
      detailed_work: "x",
    });
    expect((await callOk(b.client, "orchestrator_execute_subtask", {})).task_id).toBe("old_then");
  } finally {
    await a.close();
    await b.close();
  }
});
