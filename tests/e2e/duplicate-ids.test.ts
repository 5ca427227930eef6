import { afterEach, beforeEach, expect, test } from "bun:test";
import { rawServer } from "../helpers/raw-server.ts";
import { makeProject } from "../helpers/temp.ts";

// Every request a client sends gets an answer, even one under an id it should not use: the id of
// a request still in flight (JSON-RPC names one request per id; MCP forbids reusing one), or an
// id the supervisor keeps for its own requests to the worker. The supervisor ran both kinds and
// then dropped their answers: a plan stored that its caller never heard of.
let project: { dir: string; cleanup: () => void };
beforeEach(() => {
  project = makeProject("orch-dupid-");
});
afterEach(() => project.cleanup());

const DELAY_LINE = "orchestrator test: call waiting";

for (const [mode, args] of [
  ["supervised", []],
  ["--no-supervisor", ["--no-supervisor"]],
] as const) {
  test(`${mode}: two requests under one id in flight are each answered, and nothing runs unanswered`, async () => {
    // The test hook holds each call in the worker, so the first is certainly in flight.
    const s = rawServer({ cwd: project.dir, args: [...args], env: { ORCHESTRATOR_TEST_DELAY_MS: "300" } });
    try {
      await s.init();
      const plan = (id: number, description: string): string =>
        JSON.stringify({
          jsonrpc: "2.0",
          id,
          method: "tools/call",
          params: {
            name: "orchestrator_plan_task",
            arguments: { description, subtasks: [{ title: "a", specialist_type: "tester" }] },
          },
        });
      s.sendLine(`${plan(7, "first")}\n${plan(7, "second")}`);
      expect(await s.waitFor(() => s.stderrCount(DELAY_LINE) >= 1)).toBe(true);
      expect(await s.waitFor(() => s.answers(7).length === 2)).toBe(true);
      s.call("status", "orchestrator_get_status");
      const status = (await s.answer("status")).result.structuredContent;
      const answers = s.answers(7);
      const stored = answers.filter((a) => a.result && !a.result.isError).length;
      // Every plan stored was answered as stored; a refused one was not run.
      expect(status.plans.length).toBe(stored);
      for (const a of answers.filter((x) => x.error)) {
        expect(a.error.code).toBe(-32600);
        expect(a.error.message).toContain("already used by a request in flight");
      }
    } finally {
      s.close();
    }
  }, 30_000);
}

test("supervised: a request under an id of the supervisor's own (orchestrator-supervisor:N) is answered, not swallowed", async () => {
  const s = rawServer({ cwd: project.dir });
  try {
    await s.init();
    for (const id of ["orchestrator-supervisor:1", "orchestrator-supervisor:999"]) {
      s.call(id, "orchestrator_plan_task", {
        description: "reserved id",
        subtasks: [{ title: "a", specialist_type: "tester" }],
      });
      const a = await s.answer(id);
      expect(a.error.code).toBe(-32600);
      expect(a.error.message).toContain("reserved");
    }
    s.call("status", "orchestrator_get_status");
    expect((await s.answer("status")).result.structuredContent.plans).toEqual([]);
  } finally {
    s.close();
  }
}, 30_000);
