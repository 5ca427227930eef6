import { afterAll, beforeAll, expect, test } from "bun:test";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { call, callOk, connectInMemory, textOf } from "../helpers/client.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { makeProject } from "../helpers/temp.ts";

// PostgreSQL text cannot hold U+0000, which SQLite's can: such a value is a clear INVALID_INPUT
// that stores nothing (it was INTERNAL, "invalid byte sequence for encoding UTF8: 0x00", found
// by request-size.test.ts under test:pg). Every other character is stored exactly.
let database: TestDatabase;
let project: { dir: string; cleanup: () => void };
beforeAll(async () => {
  database = await createTestDatabase();
  project = makeProject("orch-pg-text-");
}, 60_000);
afterAll(async () => {
  project.cleanup();
  await database.drop();
});

const codeOf = (r: CallToolResult): string | undefined =>
  (r._meta as Record<string, { code: string }> | undefined)?.["orchestrator/error"]?.code;

test("NUL in a plan or a result is INVALID_INPUT naming it, nothing is stored; control characters are kept exactly", async () => {
  const conn = await connectInMemory({ cwd: project.dir, workspace: project.dir, db: database.url });
  try {
    const bad = await call(conn.client, "orchestrator_plan_task", {
      description: "nul\u0000plan",
      subtasks: [{ title: "a", specialist_type: "tester" }],
    });
    expect(codeOf(bad)).toBe("INVALID_INPUT");
    expect(textOf(bad)).toContain("NUL character (U+0000)");
    const none = await callOk(conn.client, "orchestrator_get_status", { include_completed: true });
    expect(none.plans).toEqual([]);

    const plan = await callOk(conn.client, "orchestrator_plan_task", {
      description: "text",
      subtasks: [{ title: "a", specialist_type: "tester", task_id: "a" }],
    });
    await callOk(conn.client, "orchestrator_execute_subtask", { task_id: "a" });
    const nul = await call(conn.client, "orchestrator_complete_subtask", {
      task_id: "a",
      summary: "done",
      detailed_work: "binary\u0000work",
    });
    expect(codeOf(nul)).toBe("INVALID_INPUT");
    expect(textOf(nul)).toContain("nothing of this call was stored");
    const still = await callOk(conn.client, "orchestrator_get_task", { task_id: "a" });
    expect(still.task.status).toBe("active");

    const controls = `bell\u0007 escape\u001b unit\u001f del\u007f ${"\u0001".repeat(10)} é 🎉`;
    const done = await callOk(conn.client, "orchestrator_complete_subtask", {
      task_id: "a",
      summary: "done",
      detailed_work: controls,
    });
    const art = await callOk(conn.client, "orchestrator_get_artifact", {
      artifact_id: done.artifact.artifact_id,
    });
    expect(art.content).toContain(controls);
    expect(art.checksum_ok).toBe(true);
    const status = await callOk(conn.client, "orchestrator_get_status", {
      parent_task_id: plan.parent_task_id,
      include_completed: true,
    });
    expect(status.plans[0].status).toBe("completed");
  } finally {
    await conn.close();
  }
});
