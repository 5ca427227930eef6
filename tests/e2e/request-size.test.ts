import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { BINARY } from "../helpers/client.ts";
import { rawServer } from "../helpers/raw-server.ts";
import { makeProject } from "../helpers/temp.ts";

let project: { dir: string; cleanup: () => void };
beforeEach(() => {
  project = makeProject("orch-size-");
});
afterEach(() => project.cleanup());

const MiB = 1024 * 1024;

/** A served project with one plan of `n` subtasks; returns the server and the subtask ids. */
async function withPlan(args: string[], env: Record<string, string>, n: number) {
  const s = rawServer({ cwd: project.dir, args, env });
  await s.init();
  s.call("plan", "orchestrator_plan_task", {
    description: "sizes",
    subtasks: Array.from({ length: n }, (_, i) => ({ title: `t${i}`, specialist_type: "tester" })),
  });
  const plan = (await s.answer("plan")).result.structuredContent;
  return { s, tasks: plan.subtasks.map((t: { task_id: string }) => t.task_id) as string[] };
}

const complete = (taskId: string, detailedWork: string) => ({
  task_id: taskId,
  summary: "done",
  detailed_work: detailedWork,
});

for (const [mode, args] of [
  ["supervised", []],
  ["--no-supervisor", ["--no-supervisor"]],
] as const) {
  describe(`request size (${mode})`, () => {
    test("default limit: a 6 MiB detailed_work is stored, an 11 MiB one is ARTIFACT_TOO_LARGE", async () => {
      const { s, tasks } = await withPlan([...args], {}, 2);
      try {
        s.call("six", "orchestrator_complete_subtask", complete(tasks[0]!, "x".repeat(6 * MiB)));
        const six = (await s.answer("six", 60_000)).result;
        expect(six.isError).toBeFalsy();
        s.call("eleven", "orchestrator_complete_subtask", complete(tasks[1]!, "x".repeat(11 * MiB)));
        const eleven = (await s.answer("eleven", 60_000)).result;
        expect(eleven.isError).toBe(true);
        expect(eleven._meta["orchestrator/error"]).toMatchObject({
          code: "ARTIFACT_TOO_LARGE",
          data: { size: 11 * MiB, limit: 10 * MiB },
        });
      } finally {
        s.close();
      }
    }, 60_000);

    test("ORCHESTRATOR_MAX_ARTIFACT_BYTES sets both limits; oversized lines are refused and the server keeps serving", async () => {
      const { s, tasks } = await withPlan([...args], { ORCHESTRATOR_MAX_ARTIFACT_BYTES: String(MiB) }, 2);
      try {
        s.call("pid0", "orchestrator_health_check");
        const pid = (await s.answer("pid0")).result.structuredContent.server.pid;
        // At the limit, even when JSON escapes every byte into six ("\u0001"), it fits in one request.
        // (Not U+0000, which a PostgreSQL store refuses: tests/integration/postgres-text.test.ts.)
        s.call("escaped", "orchestrator_complete_subtask", complete(tasks[0]!, "\u0001".repeat(MiB)));
        expect((await s.answer("escaped", 60_000)).result.isError).toBeFalsy();
        s.call("over", "orchestrator_complete_subtask", complete(tasks[1]!, "x".repeat(MiB + 1)));
        const over = (await s.answer("over", 60_000)).result;
        expect(over._meta["orchestrator/error"].code).toBe("ARTIFACT_TOO_LARGE");
        // 8 MiB is over the request limit (6 × 1 MiB + 1 MiB). The SDK writes the id last.
        const huge = (id: number) =>
          Buffer.concat([
            Buffer.from(
              '{"method":"tools/call","params":{"name":"orchestrator_get_status","arguments":{"x":"',
            ),
            Buffer.alloc(8 * MiB, "y"),
            Buffer.from(`"}},"jsonrpc":"2.0","id":${id}}`),
          ]);
        for (let i = 1; i <= 6; i++) s.sendLine(huge(i));
        for (let i = 1; i <= 6; i++) {
          const a = await s.answer(i, 60_000);
          expect(a.error.code).toBe(-32600);
          expect(a.error.message).toContain("REQUEST_TOO_LARGE");
          expect(a.error.message).toContain(String(7 * MiB));
          expect(a.error.data).toMatchObject({ code: "REQUEST_TOO_LARGE", limit: 7 * MiB });
        }
        s.call("pid1", "orchestrator_health_check");
        const after = (await s.answer("pid1")).result.structuredContent;
        expect(after.server.pid).toBe(pid); // the same worker: nothing crashed
        expect(s.child.exitCode).toBeNull();
      } finally {
        s.close();
      }
    }, 60_000);
  });
}

describe("ORCHESTRATOR_MAX_ARTIFACT_BYTES out of range", () => {
  // 1e99 is a whole number to JavaScript: once accepted, it lifted the request line cap.
  for (const value of ["1e99", String(256 * MiB + 1), "-5", "1.5", "0x10"]) {
    test(`'${value}' is refused before serving, naming the variable and the range`, () => {
      const r = spawnSync(BINARY, ["serve", "--no-supervisor"], {
        cwd: project.dir,
        encoding: "utf8",
        input: "",
        env: { ...process.env, ORCHESTRATOR_MAX_ARTIFACT_BYTES: value },
      });
      expect(r.status).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(
        `ORCHESTRATOR_MAX_ARTIFACT_BYTES must be a whole number from 1 to ${256 * MiB}`,
      );
      expect(lines[0]).toContain(value);
    });
  }

  test("256 MiB, the largest allowed, is accepted", async () => {
    const s = rawServer({
      cwd: project.dir,
      args: [],
      env: { ORCHESTRATOR_MAX_ARTIFACT_BYTES: String(256 * MiB) },
    });
    try {
      await s.init();
      s.call("h", "orchestrator_health_check");
      expect((await s.answer("h")).result.isError).toBeFalsy();
    } finally {
      s.close();
    }
  });
});
