import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { call, callOk, connectInMemory, localCopiesWritten, textOf } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";
import { countRows } from "../helpers/test-store.ts";

// request_id makes a write call safe to retry: the first result is stored with the write, in the
// same transaction, and a retry gets it back without writing again.
let project: { dir: string; cleanup: () => void };
beforeEach(() => {
  project = makeProject("orch-reqid-");
});
afterEach(() => project.cleanup());

const plan = (request_id?: string, description = "job") => ({
  description,
  subtasks: [
    { title: "design", specialist_type: "architect" },
    { title: "build", specialist_type: "implementer", dependencies: ["design"] },
  ],
  ...(request_id ? { request_id } : {}),
});

const count = (table: string, where?: string) => countRows(project.dir, table, where);

describe("request_id on orchestrator_plan_task", () => {
  test("a retry with the same request_id returns the first plan and stores no second one", async () => {
    const conn = await connectInMemory({ cwd: project.dir });
    try {
      const first = await callOk(conn.client, "orchestrator_plan_task", plan("req-1"));
      const retry = await call(conn.client, "orchestrator_plan_task", plan("req-1"));
      expect(retry.isError).toBeFalsy();
      expect(retry.structuredContent).toEqual(first);
      expect(textOf(retry)).toContain("nothing was stored again");
      // Argument order does not matter; working_directory is not part of the request.
      const reordered = await callOk(conn.client, "orchestrator_plan_task", {
        working_directory: project.dir,
        request_id: "req-1",
        subtasks: plan().subtasks,
        description: "job",
      });
      expect(reordered.parent_task_id).toBe(first.parent_task_id);
      expect(await count("plans")).toBe(1);
      expect(await count("tasks")).toBe(2);
      // Without request_id nothing is remembered: the same call stores a second plan.
      await callOk(conn.client, "orchestrator_plan_task", plan());
      expect(await count("plans")).toBe(2);
    } finally {
      await conn.close();
    }
  });

  test("two retries racing on two connections store one plan", async () => {
    const a = await connectInMemory({ cwd: project.dir });
    const b = await connectInMemory({ cwd: project.dir });
    try {
      // Both stores open (and the file is migrated) before the race, which is about the write.
      await callOk(a.client, "orchestrator_get_status", {});
      await callOk(b.client, "orchestrator_get_status", {});
      const results = await Promise.all([
        callOk(a.client, "orchestrator_plan_task", plan("race")),
        callOk(b.client, "orchestrator_plan_task", plan("race")),
        callOk(a.client, "orchestrator_plan_task", plan("race")),
      ]);
      expect(new Set(results.map((r) => r.parent_task_id)).size).toBe(1);
      expect(await count("plans")).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("the same request_id with different arguments is refused with REQUEST_ID_REUSED", async () => {
    const conn = await connectInMemory({ cwd: project.dir });
    try {
      await callOk(conn.client, "orchestrator_plan_task", plan("req-2"));
      const other = await call(conn.client, "orchestrator_plan_task", plan("req-2", "another job"));
      expect(other.isError).toBe(true);
      expect(textOf(other)).toContain("REQUEST_ID_REUSED");
      expect(textOf(other)).toContain("req-2");
      expect(await count("plans")).toBe(1);
    } finally {
      await conn.close();
    }
  });

  test("a request_id is forgotten after 24 hours", async () => {
    let nowMs = Date.parse("2026-11-30T09:00:00.000Z");
    const conn = await connectInMemory({ cwd: project.dir, now: () => new Date(nowMs).toISOString() });
    try {
      const first = await callOk(conn.client, "orchestrator_plan_task", plan("old"));
      nowMs += 25 * 3_600_000;
      const later = await callOk(conn.client, "orchestrator_plan_task", plan("old", "new job"));
      expect(later.parent_task_id).not.toBe(first.parent_task_id);
      expect(await count("request_results")).toBe(1);
    } finally {
      await conn.close();
    }
  });

  test("a malformed request_id is refused before anything is written", async () => {
    const conn = await connectInMemory({ cwd: project.dir });
    try {
      for (const bad of ["", "has space", "x".repeat(129), "../../etc"]) {
        const r = await call(conn.client, "orchestrator_plan_task", { ...plan(), request_id: bad });
        expect(textOf(r)).toContain("INVALID_INPUT");
      }
    } finally {
      await conn.close();
    }
  });
});

describe("request_id on orchestrator_complete_subtask", () => {
  test("a retry returns the same artifact and writes no second file or row", async () => {
    const conn = await connectInMemory({ cwd: project.dir });
    try {
      const p = await callOk(conn.client, "orchestrator_plan_task", plan());
      const design = p.subtasks[0].task_id as string;
      await callOk(conn.client, "orchestrator_execute_subtask", { task_id: design });
      const args = {
        task_id: design,
        summary: "designed",
        detailed_work: "the design",
        request_id: "done-1",
      };
      const first = await callOk(conn.client, "orchestrator_complete_subtask", args);
      const retry = await call(conn.client, "orchestrator_complete_subtask", args);
      expect(retry.isError).toBeFalsy();
      expect(retry.structuredContent).toEqual(first);
      expect(textOf(retry)).toContain("nothing was written again");
      expect(await count("artifacts")).toBe(1);
      const folder = join(project.dir, ".task_orchestrator", "artifacts", p.parent_task_id, design);
      await localCopiesWritten();
      expect(readdirSync(folder)).toHaveLength(1);
      const changed = await call(conn.client, "orchestrator_complete_subtask", { ...args, summary: "other" });
      expect(textOf(changed)).toContain("REQUEST_ID_REUSED");
    } finally {
      await conn.close();
    }
  });
});

describe("request_id on orchestrator_cancel_task", () => {
  test("a retried cancel returns the first answer instead of TRANSITION_NOT_ALLOWED", async () => {
    const conn = await connectInMemory({ cwd: project.dir });
    try {
      const p = await callOk(conn.client, "orchestrator_plan_task", plan());
      const design = p.subtasks[0].task_id as string;
      const args = { task_id: design, reason: "not needed", request_id: "cancel-1" };
      const first = await callOk(conn.client, "orchestrator_cancel_task", args);
      expect(first.cancelled).toEqual([design]);
      const retry = await call(conn.client, "orchestrator_cancel_task", args);
      expect(retry.isError).toBeFalsy();
      expect(retry.structuredContent).toEqual(first);
      expect(await count("events", "action = 'cancel'")).toBe(1);
      // Without request_id the same call is refused, as before: the task is already cancelled.
      const plain = await call(conn.client, "orchestrator_cancel_task", { task_id: design });
      expect(textOf(plain)).toContain("TRANSITION_NOT_ALLOWED");
    } finally {
      await conn.close();
    }
  });
});
