import { afterEach, beforeEach, expect, test } from "bun:test";
import { randomHex } from "../../src/platform/fs.ts";
import { callOk, connectInMemory } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";

/**
 * Artifact ids are 32 random bits (`artifact_<8 hex>`, the upstream shape): a project with tens of
 * thousands of results meets a taken one. The completion draws another id (and path) instead of
 * failing with a unique-constraint INTERNAL error. Real server, real store (either dialect).
 */
let project: { dir: string; cleanup: () => void };
let conn: Awaited<ReturnType<typeof connectInMemory>>;
/** Eight-digit draws forced in this order, then random ones again. */
const forced: string[] = [];

beforeEach(async () => {
  project = makeProject("orch-artifact-ids-");
  conn = await connectInMemory({
    cwd: "/",
    workspace: project.dir,
    random: { hex: (n) => (n === 8 && forced.length > 0 ? (forced.shift() as string) : randomHex(n)) },
  });
});
afterEach(async () => {
  forced.length = 0;
  await conn.close();
  project.cleanup();
});

test("a completion whose drawn artifact id is taken draws another, and stores and reports that one", async () => {
  const plan = await callOk(conn.client, "orchestrator_plan_task", {
    description: "two results",
    subtasks: [
      { title: "one", specialist_type: "implementer" },
      { title: "two", specialist_type: "implementer" },
    ],
  });
  const [a, b] = plan.subtasks.map((s: { task_id: string }) => s.task_id);
  forced.push("deadbeef", "deadbeef", "deadbeef", "cafef00d");
  const first = await callOk(conn.client, "orchestrator_complete_subtask", {
    task_id: a,
    summary: "first",
    detailed_work: "first result",
  });
  expect(first.artifact.artifact_id).toBe("artifact_deadbeef");
  const second = await callOk(conn.client, "orchestrator_complete_subtask", {
    task_id: b,
    summary: "second",
    detailed_work: "second result",
  });
  expect(second.status).toBe("completed");
  expect(second.artifact.artifact_id).toBe("artifact_cafef00d");
  expect(second.artifact.path).toBe(
    `.task_orchestrator/artifacts/${plan.parent_task_id}/${b}/artifact_cafef00d.md`,
  );
  expect(forced).toEqual([]);

  const read = await callOk(conn.client, "orchestrator_get_artifact", { artifact_id: "artifact_cafef00d" });
  expect(read.content).toContain("second result");
  const kept = await callOk(conn.client, "orchestrator_get_artifact", { artifact_id: "artifact_deadbeef" });
  expect(kept.content).toContain("first result");
  expect(kept.content).not.toContain("second result");
});
