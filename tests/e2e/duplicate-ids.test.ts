import { afterEach, beforeEach, expect, test } from "bun:test";
import { rawServer } from "../helpers/raw-server.ts";
import { makeProject } from "../helpers/temp.ts";

// A client that reuses the id of a request still in flight (JSON-RPC names one request per id;
// MCP forbids reusing one) must still get an answer to every request it sent. The supervisor
// keyed requests in flight by id, so it ran the second one and then dropped its answer as a
// duplicate of the first: a plan stored that its caller never heard of.
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
