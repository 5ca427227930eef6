import { afterAll, expect, test } from "bun:test";
import { PassThrough } from "node:stream";
import { spawnChild, systemClock } from "../../src/supervisor/seams.ts";
import { Supervisor } from "../../src/supervisor/supervisor.ts";
import { BINARY } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";

const project = makeProject("orch-sup-internal-");
afterAll(() => project.cleanup());

/** A Supervisor in this process driving the compiled binary as its worker. */
function startSupervisor(env: Record<string, string> = {}) {
  const input = new PassThrough();
  const output = new PassThrough();
  let log = "";
  const waiters = new Set<() => void>();
  const sup = new Supervisor({
    version: "test",
    command: BINARY,
    args: ["serve"],
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    input,
    output,
    maxLineBytes: 1024 * 1024,
    spawn: spawnChild,
    clock: systemClock,
    pid: process.pid,
    log: (line) => {
      log += line;
      for (const w of [...waiters]) w();
    },
  });
  const running = sup.run();
  const logged = (text: string): Promise<void> =>
    new Promise((resolve) => {
      const check = () => {
        if (!log.includes(text)) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  return {
    sup,
    logged,
    stop: async () => {
      input.end();
      await running;
    },
  };
}

test("internal requests leave no exit listener behind (10,000 shutdown_prepare calls leaked one each)", async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on("warning", onWarning);
  const { sup, stop } = startSupervisor();
  try {
    const w = sup.active!;
    const before = w.child.listenerCount("exit");
    for (let i = 0; i < 200; i++) {
      const reply = await sup.workers.request(w, "ping", {}, 10_000);
      expect(reply.result).toEqual({});
    }
    expect(w.child.listenerCount("exit")).toBe(before);
    expect(sup.workers.pending).toBe(0);
    expect(warnings).not.toContain("MaxListenersExceededWarning");
  } finally {
    process.off("warning", onWarning);
    await stop();
  }
}, 30_000);

test("an internal request the worker dies under is rejected at its exit, not left pending", async () => {
  const { sup, logged, stop } = startSupervisor({ ORCHESTRATOR_TEST_DELAY_MS: "60000" });
  try {
    const w = sup.active!;
    await sup.workers.request(
      w,
      "initialize",
      {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "t", version: "1" },
      },
      10_000,
    );
    const pending = sup.workers.request(
      w,
      "tools/call",
      { name: "orchestrator_get_status", arguments: {} },
      60_000,
    );
    await logged("orchestrator test: call waiting");
    w.child.kill("SIGKILL");
    await expect(pending).rejects.toThrow("exited before answering");
    expect(sup.workers.pending).toBe(0);
  } finally {
    await stop();
  }
}, 30_000);
