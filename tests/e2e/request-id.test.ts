import { afterEach, beforeEach, expect, test } from "bun:test";
import { call, callOk, connectBinary, textOf } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";
import { countRows } from "../helpers/test-store.ts";

let project: { dir: string; cleanup: () => void };
beforeEach(() => {
  project = makeProject("orch-reqid-e2e-");
});
afterEach(() => project.cleanup());

test("a client retrying plan_task with its request_id on a new connection gets the first plan, not a second", async () => {
  const args = {
    description: "retry me",
    subtasks: [{ title: "only", specialist_type: "tester" }],
    request_id: "0b8f3c3e-7c1a-4a53-9d1e-5f1f4c2a9e10",
  };
  const first = await connectBinary({ cwd: project.dir });
  const stored = await callOk(first.client, "orchestrator_plan_task", args);
  await first.close();

  const second = await connectBinary({ cwd: project.dir });
  try {
    const retry = await call(second.client, "orchestrator_plan_task", args);
    expect(retry.isError).toBeFalsy();
    expect((retry.structuredContent as { parent_task_id: string }).parent_task_id).toBe(
      stored.parent_task_id,
    );
    expect(textOf(retry)).toContain("nothing was stored again");
    const reused = await call(second.client, "orchestrator_plan_task", { ...args, description: "other" });
    expect(textOf(reused)).toContain("REQUEST_ID_REUSED");
  } finally {
    await second.close();
  }
  expect(await countRows(project.dir, "plans")).toBe(1);
}, 30_000);
