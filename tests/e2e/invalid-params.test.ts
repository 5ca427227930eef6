import { afterEach, beforeEach, expect, test } from "bun:test";
import { rawServer } from "../helpers/raw-server.ts";
import { makeProject } from "../helpers/temp.ts";

// Params that do not fit a method are -32602 Invalid params (JSON-RPC 2.0), naming the field;
// the SDK answered -32603 Internal error with its raw issue list. And an initialize the
// supervisor accepts must never stop the server: it answered it, replayed it into each worker,
// and counted the worker's refusal as a crash until WORKER_FAILED for good.
let project: { dir: string; cleanup: () => void };
beforeEach(() => {
  project = makeProject("orch-params-");
});
afterEach(() => project.cleanup());

const INIT = { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } };

for (const [mode, args] of [
  ["supervised", []],
  ["--no-supervisor", ["--no-supervisor"]],
] as const) {
  test(`${mode}: params of the wrong shape are -32602 naming the field, and the server keeps serving`, async () => {
    const s = rawServer({ cwd: project.dir, args: [...args] });
    try {
      await s.init();
      const cases: [string, string, Record<string, unknown>, string][] = [
        ["a", "tools/call", { name: 5 }, "params.name"],
        ["b", "tools/call", { name: "orchestrator_get_status", arguments: "x" }, "params.arguments"],
        ["c", "resources/read", {}, "params.uri"],
        ["d", "tools/list", { cursor: 5 }, "params.cursor"],
      ];
      for (const [id, method, params] of cases) s.send({ id, method, params });
      for (const [id, method, , field] of cases) {
        const a = await s.answer(id);
        expect(a.error.code).toBe(-32602);
        expect(a.error.message).toContain(`Invalid params for ${method}`);
        expect(a.error.message).toContain(field);
      }
      s.call("ok", "orchestrator_get_status");
      expect((await s.answer("ok")).result.isError).toBeFalsy();
    } finally {
      s.close();
    }
  }, 30_000);

  test(`${mode}: an initialize without protocolVersion is -32602; the client's next, valid one works`, async () => {
    const s = rawServer({ cwd: project.dir, args: [...args] });
    try {
      s.send({ id: 1, method: "initialize", params: {} });
      const bad = await s.answer(1);
      expect(bad.error.code).toBe(-32602);
      expect(bad.error.message).toContain("protocolVersion");
      s.send({ id: 2, method: "initialize", params: INIT });
      expect((await s.answer(2)).result.protocolVersion).toBe("2025-06-18");
      s.send({ method: "notifications/initialized" });
      s.call("ok", "orchestrator_get_status");
      expect((await s.answer("ok")).result.isError).toBeFalsy();
    } finally {
      s.close();
    }
  }, 30_000);
}

test("supervised: an initialize whose capabilities the SDK refuses does not fail the worker, before or after a restart", async () => {
  const s = rawServer({ cwd: project.dir });
  try {
    s.send({
      id: 1,
      method: "initialize",
      params: {
        ...INIT,
        capabilities: { sampling: "yes", roots: 5 },
        clientInfo: { name: "c", version: "1", icons: 7 },
      },
    });
    expect((await s.answer(1)).result).toBeDefined();
    s.send({ method: "notifications/initialized" });
    s.call("first", "orchestrator_get_status");
    expect((await s.answer("first")).result.isError).toBeFalsy();
    s.call("restart", "orchestrator_restart_server", { graceful: true });
    expect((await s.answer("restart")).result.isError).toBeFalsy();
    s.call("after", "orchestrator_get_status");
    expect((await s.answer("after")).result.isError).toBeFalsy();
    s.call("health", "orchestrator_health_check");
    expect((await s.answer("health")).result.structuredContent.supervisor).toMatchObject({
      crash_restarts: 0,
    });
  } finally {
    s.close();
  }
}, 30_000);
