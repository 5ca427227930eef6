import { afterEach, describe, expect, test } from "bun:test";
import { PassThrough } from "node:stream";
import { initializeResult } from "../../src/protocol/handshake.ts";
import { readLines } from "../../src/protocol/line-reader.ts";
import type { ToolListSnapshot } from "../../src/protocol/tool-snapshot.ts";
import { Supervisor } from "../../src/supervisor/supervisor.ts";
import { FakeClock, settle } from "../helpers/fake-clock.ts";
import { answerLine, type FakeWorker, fakeSpawner, textResult } from "../helpers/fake-worker.ts";

// The supervisor in this process, its workers in memory (tests/helpers/fake-worker.ts) and its
// time in the test's hands (tests/helpers/fake-clock.ts): relay, crashes, restarts and refusals
// without a child process or a real sleep. tests/e2e/reboot.test.ts does the same on the binary.

type Json = Record<string, any>;

const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of running.splice(0)) await stop();
});

/**
 * Polls `check` each turn of the event loop. Bounded by wall time, not by turns: some steps wait
 * on real work the fake clock does not drive (a module the supervisor imports on first use), and
 * on a loaded machine that took more turns than any fixed count allowed.
 */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (check()) return;
    await settle(1);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function start(
  opts: {
    maxCrashes?: number;
    maxLineBytes?: number;
    autoAnswer?: boolean;
    holdInitialize?: boolean;
    toolList?: ToolListSnapshot;
  } = {},
) {
  const clock = new FakeClock();
  const { spawn, workers } = fakeSpawner((w) => {
    w.autoAnswer = opts.autoAnswer ?? false;
    w.holdInitialize = opts.holdInitialize ?? false;
  });
  const input = new PassThrough();
  const output = new PassThrough();
  const answers: Json[] = [];
  let log = "";
  readLines(output, { onLine: (line) => answers.push(JSON.parse(line)) });
  const sup = new Supervisor({
    version: "test",
    command: "orchestrator",
    args: ["serve"],
    env: { PATH: "/bin" },
    input,
    output,
    log: (line) => {
      log += line;
    },
    maxLineBytes: opts.maxLineBytes ?? 1024 * 1024,
    maxCrashes: opts.maxCrashes ?? 5,
    spawn,
    clock,
    pid: 4242,
    toolList: opts.toolList,
  });
  const done = sup.run();
  const h = {
    sup,
    clock,
    output,
    workers,
    answers,
    log: () => log,
    worker: (i: number): FakeWorker => workers[i] as FakeWorker,
    line: (text: string) => input.write(`${text}\n`),
    send: (msg: Json) => input.write(`${JSON.stringify({ jsonrpc: "2.0", ...msg })}\n`),
    call: (id: number | string, name: string, args: Json = {}) =>
      h.send({ id, method: "tools/call", params: { name, arguments: args } }),
    async answer(id: number | string | null): Promise<Json> {
      await until(`the answer to ${id}`, () => answers.some((a) => a.id === id));
      return answers.find((a) => a.id === id) as Json;
    },
    /** The client's handshake, and the first worker brought to it. */
    async connect(): Promise<void> {
      h.send({
        id: 0,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
      });
      h.send({ method: "notifications/initialized" });
      await until("a warm worker", () => sup.active?.warm === true && sup.active.initializedSent);
    },
    async stop(): Promise<void> {
      for (const w of workers) for (const id of [...w.held.keys()]) w.reply(id, textResult("late"));
      input.end();
      let finished = false;
      void done.then(() => {
        finished = true;
      });
      for (let i = 0; i < 1000 && !finished; i++) await clock.advance(10);
      await done;
    },
  };
  running.push(() => h.stop());
  return h;
}

const errorCode = (answer: Json): string | undefined =>
  answer.result?._meta?.["orchestrator/error"]?.code ?? answer.error?.data?.code;

describe("relay", () => {
  test("initialize is answered at once and replayed into the worker; a call and its answer pass through", async () => {
    const h = start({ autoAnswer: true });
    await h.connect();
    expect((await h.answer(0)).result.serverInfo).toMatchObject({ name: "orchestrator", version: "test" });
    const w = h.worker(0);
    expect(w.requests("initialize")).toHaveLength(1);
    expect(w.requests("notifications/initialized")).toHaveLength(1);
    expect(w.env.ORCHESTRATOR_SUPERVISED).toBe("1");
    expect(JSON.parse(w.env.ORCHESTRATOR_SUPERVISOR_INFO as string)).toMatchObject({
      supervisor_pid: 4242,
      worker_generation: 1,
      restarts: 0,
    });
    h.call(1, "orchestrator_get_status");
    expect((await h.answer(1)).result).toEqual(textResult(`answered by ${w.pid}`));
    expect(h.sup.inFlight).toBe(0);
  });

  test("answers a worker writes at once reach the client in one write, each a line, in order", async () => {
    const h = start();
    await h.connect();
    const w = h.worker(0);
    for (const id of [1, 2, 3, "four"]) h.call(id, "orchestrator_get_status");
    await until("the calls in the worker", () => w.held.size === 4);
    const writes: string[] = [];
    const write = h.output.write.bind(h.output);
    h.output.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      writes.push(Buffer.from(chunk).toString("utf8"));
      return write(chunk, ...rest);
    }) as typeof h.output.write;
    // One chunk: three results as the SDK writes them (relayed unparsed) and one with a string id.
    w.stdout.write([3, 1, "four", 2].map((id) => answerLine(id, textResult(`answer ${id} · ok`))).join(""));
    await until("four answers", () => h.answers.length >= 5);
    expect(h.answers.slice(1).map((a) => a.id)).toEqual([3, 1, "four", 2]);
    expect(h.answers[1]?.result).toEqual(textResult("answer 3 · ok"));
    expect(writes).toHaveLength(1);
    expect(h.sup.inFlight).toBe(0);
    // An answer to a request no longer in flight is not relayed twice.
    w.stdout.write(answerLine(1, textResult("again")));
    h.call(5, "orchestrator_get_status");
    await until("the call in the worker", () => w.held.has(5));
    w.reply(5, textResult("five"));
    await h.answer(5);
    expect(h.answers.filter((a) => a.id === 1)).toHaveLength(1);
  });

  test("a worker's request to the client goes out under an id no other worker uses, and the answer comes back", async () => {
    const h = start();
    await h.connect();
    const w = h.worker(0);
    w.send({ jsonrpc: "2.0", id: 0, method: "roots/list" });
    await until("the relayed request", () => h.answers.some((a) => a.method === "roots/list"));
    const ours = h.answers.find((a) => a.method === "roots/list")?.id;
    expect(ours).toBe("w1:0");
    h.send({ id: ours, result: { roots: [] } });
    await until("the routed answer", () => w.received.some((m) => m.id === 0 && m.result));
    expect(w.received.find((m) => m.id === 0 && m.result)?.result).toEqual({ roots: [] });
  });
});

describe("the built-in tools/list", () => {
  const toolList: ToolListSnapshot = {
    tools: [{ name: "t", inputSchema: { type: "object" } }],
    digest: "abc123",
  };
  const handshake = (h: ReturnType<typeof start>): void => {
    h.send({
      id: 0,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    });
    h.send({ method: "notifications/initialized" });
  };

  test("answers a plain tools/list while the first worker loads; once it is warm, the worker answers", async () => {
    const h = start({ holdInitialize: true, toolList });
    handshake(h);
    h.send({ id: 1, method: "tools/list" });
    h.send({ id: 2, method: "tools/list", params: { _meta: { progressToken: 7 } } });
    expect((await h.answer(1)).result).toEqual({ tools: toolList.tools });
    expect((await h.answer(2)).result).toEqual({ tools: toolList.tools });
    const w = h.worker(0);
    expect(w.env.ORCHESTRATOR_LISTED_TOOLS).toBe("abc123");
    expect(w.requests("tools/list")).toHaveLength(0);
    // A request with a parameter the worker must judge (a cursor) waits for the worker.
    h.send({ id: 3, method: "tools/list", params: { cursor: "x" } });
    await until("the held initialize", () => w.held.size === 1);
    const [initId] = [...w.held.keys()];
    w.reply(initId as string, initializeResult("2025-06-18", "fake"));
    await until("a warm worker", () => h.sup.active?.warm === true);
    await until("the relayed tools/list", () => w.requests("tools/list").length === 1);
    w.reply(3, { tools: [] });
    expect((await h.answer(3)).result).toEqual({ tools: [] });
    h.send({ id: 4, method: "tools/list" });
    await until("the second relayed tools/list", () => w.requests("tools/list").length === 2);
    w.reply(4, { tools: [] });
    expect((await h.answer(4)).result).toEqual({ tools: [] });
  });

  test("without one (an unbuilt run) every tools/list goes to the worker", async () => {
    const h = start({ holdInitialize: true });
    handshake(h);
    h.send({ id: 1, method: "tools/list" });
    const w = h.worker(0);
    expect(w.env.ORCHESTRATOR_LISTED_TOOLS).toBeUndefined();
    await until("the held initialize", () => w.held.size === 1);
    const [initId] = [...w.held.keys()];
    w.reply(initId as string, initializeResult("2025-06-18", "fake"));
    await until("the relayed tools/list", () => w.requests("tools/list").length === 1);
    w.reply(1, { tools: [] });
    expect((await h.answer(1)).result).toEqual({ tools: [] });
  });
});

describe("crashes", () => {
  test("a worker crash answers its calls WORKER_CRASHED and a new worker starts after the backoff", async () => {
    const h = start();
    await h.connect();
    h.call(1, "orchestrator_plan_task");
    await until("the call in the worker", () => h.worker(0).held.has(1));
    h.worker(0).crash(3);
    const crashed = await h.answer(1);
    expect(crashed.result.isError).toBe(true);
    expect(errorCode(crashed)).toBe("WORKER_CRASHED");
    expect(crashed.result.content[0].text).toContain("outcome is unknown");
    expect(h.sup.phase).toBe("restarting");
    await h.clock.advance(199);
    expect(h.workers).toHaveLength(1);
    await h.clock.advance(1);
    expect(h.workers).toHaveLength(2);
    await until("the new worker serving", () => h.sup.phase === "ready");
    const fresh = h.worker(1);
    expect(fresh.requests("initialize")).toHaveLength(1);
    expect(JSON.parse(fresh.env.ORCHESTRATOR_SUPERVISOR_INFO as string)).toMatchObject({ crash_restarts: 1 });
    expect(fresh.env.ORCHESTRATOR_CONNECTION_ID).toBe(h.worker(0).env.ORCHESTRATOR_CONNECTION_ID);
    h.call(2, "orchestrator_get_status");
    await until("the call in the new worker", () => fresh.held.has(2));
    fresh.reply(2, textResult("after the crash"));
    expect((await h.answer(2)).result).toEqual(textResult("after the crash"));
  });

  test("the workspace the connection bound is replayed into the new worker before any client call", async () => {
    const h = start();
    await h.connect();
    h.call(1, "orchestrator_initialize_session", { working_directory: "/proj" });
    await until("the call in the worker", () => h.worker(0).held.has(1));
    h.worker(0).reply(1, { ...textResult("bound"), structuredContent: { workspace: "/proj" } });
    await h.answer(1);
    expect(h.sup.binding).toBe("/proj");
    h.worker(0).crash();
    await until("restarting", () => h.sup.phase === "restarting");
    h.call(2, "orchestrator_get_status");
    await h.clock.advance(200);
    await until("the call in the new worker", () => h.worker(1).held.has(2));
    const order = h.worker(1).received.map((m) => m.method ?? "answer");
    expect(order.indexOf("orchestrator/restore_session")).toBeLessThan(order.indexOf("tools/call"));
    expect(h.worker(1).requests("orchestrator/restore_session")[0]?.params).toEqual({ workspace: "/proj" });
  });

  test("the backoff doubles with each crash, and after maxCrashes the supervisor answers WORKER_FAILED", async () => {
    const h = start({ maxCrashes: 3 });
    await h.connect();
    h.worker(0).crash();
    await until("restarting", () => h.sup.phase === "restarting");
    await h.clock.advance(200);
    await until("worker 2 serving", () => h.sup.phase === "ready" && h.workers.length === 2);
    h.worker(1).crash();
    await until("restarting", () => h.sup.phase === "restarting");
    await h.clock.advance(399);
    expect(h.workers).toHaveLength(2);
    await h.clock.advance(1);
    await until("worker 3 serving", () => h.sup.phase === "ready" && h.workers.length === 3);
    h.worker(2).crash();
    await until("failed", () => h.sup.phase === "failed");
    await h.clock.advance(10_000);
    expect(h.workers).toHaveLength(3);
    h.call(5, "orchestrator_get_status");
    const tool = await h.answer(5);
    expect(errorCode(tool)).toBe("WORKER_FAILED");
    expect(tool.result._meta["orchestrator/error"].message).toContain("crashed 3 times");
    h.send({ id: 6, method: "resources/list" });
    const rpc = await h.answer(6);
    expect(rpc.error.code).toBe(-32603);
    expect(rpc.error.data).toMatchObject({ code: "WORKER_FAILED", method: "resources/list" });
    expect(rpc.error.data.fix).toBeString();
  });
});

describe("restarts", () => {
  test("graceful: the old worker finishes its calls before the switch; new calls wait for the new worker", async () => {
    const h = start();
    await h.connect();
    const old = h.worker(0);
    h.call(1, "orchestrator_plan_task");
    await until("the call in the old worker", () => old.held.has(1));
    h.call(2, "orchestrator_restart_server", { graceful: true, timeout: 5 });
    await until("the new worker warm", () => h.workers.length === 2 && h.sup.workers.all[1]?.warm === true);
    h.call(3, "orchestrator_get_status");
    await settle();
    expect(old.requests("tools/call", "orchestrator_get_status")).toHaveLength(0);
    expect(h.sup.queued).toBe(1);
    old.reply(1, textResult("finished by the old worker"));
    await h.clock.advance(5);
    const restart = await h.answer(2);
    expect(restart.result.structuredContent).toMatchObject({
      success: true,
      graceful: true,
      requests_finished: 1,
      requests_left_running: 0,
      old_worker: { pid: old.pid },
      new_worker: { pid: h.worker(1).pid },
    });
    expect((await h.answer(1)).result).toEqual(textResult("finished by the old worker"));
    await until("the queued call in the new worker", () => h.worker(1).held.has(3));
    await until("the old worker gone", () => old.exited);
  });

  test("not graceful: the switch is at once; a call still running at the timeout is answered RESTART_INTERRUPTED", async () => {
    const h = start();
    await h.connect();
    const old = h.worker(0);
    h.call(1, "orchestrator_plan_task");
    await until("the call in the old worker", () => old.held.has(1));
    h.call(2, "orchestrator_restart_server", { graceful: false, timeout: 1 });
    const restart = await h.answer(2);
    expect(restart.result.structuredContent).toMatchObject({ success: true, requests_left_running: 1 });
    h.call(3, "orchestrator_get_status");
    await until("the new call in the new worker", () => h.worker(1).held.has(3));
    expect(old.exited).toBe(false);
    await h.clock.advance(1000);
    const interrupted = await h.answer(1);
    expect(errorCode(interrupted)).toBe("RESTART_INTERRUPTED");
    expect(interrupted.result.content[0].text).toContain("outcome is unknown");
    h.call(4, "orchestrator_restart_status", {});
    const status = (await h.answer(4)).result.structuredContent;
    expect(status.total_restarts).toBe(1);
    expect(status.last_restart).toMatchObject({ trigger: "tool", requests_interrupted: 1 });
    expect(status.current_status).toMatchObject({ phase: "ready", supervisor_pid: 4242, worker_pid: 1002 });
  });

  test("reboot tool arguments are checked by the contract's schema", async () => {
    const h = start();
    await h.connect();
    h.call(1, "orchestrator_restart_server", { timeout: 900, reason: "because" });
    const refused = await h.answer(1);
    expect(errorCode(refused)).toBe("INVALID_INPUT");
    expect(refused.result._meta["orchestrator/error"].message).toContain("timeout");
    expect(h.workers).toHaveLength(1);
  });
});

describe("what the worker never sees", () => {
  test("a line over the limit is dropped unread and answered REQUEST_TOO_LARGE; the next is relayed", async () => {
    const h = start({ maxLineBytes: 1000, autoAnswer: true });
    await h.connect();
    h.call(7, "orchestrator_plan_task", { detailed_work: "x".repeat(5000) });
    const big = await h.answer(7);
    expect(big.error.code).toBe(-32600);
    expect(big.error.data).toMatchObject({ code: "REQUEST_TOO_LARGE", limit: 1000 });
    expect(h.worker(0).requests("tools/call")).toHaveLength(0);
    h.call(8, "orchestrator_get_status");
    expect((await h.answer(8)).result).toBeDefined();
  });

  test("malformed messages get their JSON-RPC errors from the supervisor", async () => {
    const h = start();
    await h.connect();
    const seen = h.worker(0).received.length;
    h.line("{not json");
    h.line('[{"jsonrpc":"2.0","id":1,"method":"ping"}]');
    h.line('{"jsonrpc":"1.0","id":"a","method":"ping"}');
    h.line('{"jsonrpc":"2.0","id":5,"result":{},"error":{}}');
    h.send({ id: "r", method: "orchestrator/restore_session", params: { workspace: "/elsewhere" } });
    await until("four answers", () => h.answers.filter((a) => a.error).length >= 4);
    const errors = h.answers.filter((a) => a.error);
    expect(errors.map((a) => [a.id, a.error.code])).toEqual([
      [null, -32700],
      [null, -32600],
      ["a", -32600],
      ["r", -32601],
    ]);
    expect(h.log()).toContain("ignored a malformed message");
    expect(h.worker(0).received.length).toBe(seen);
  });
});
