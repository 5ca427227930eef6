import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { BINARY, call, callOk, connectBinary, ROOT, textOf } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";

let project: { dir: string; cleanup: () => void };
beforeEach(() => {
  project = makeProject("orch-reboot-");
});
afterEach(() => project.cleanup());

/** A raw JSON-RPC line client over a spawned `serve`, to count answers per id exactly. */
function rawServer(command: string, extraEnv: Record<string, string> = {}) {
  const child: ChildProcess = spawn(command, ["serve", "--tools", "all"], {
    cwd: project.dir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...extraEnv },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const messages: Record<string, any>[] = [];
  let buf = "";
  child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      messages.push(JSON.parse(buf.slice(0, nl)));
      buf = buf.slice(nl + 1);
      nl = buf.indexOf("\n");
    }
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const send = (m: Record<string, unknown>) =>
    child.stdin!.write(`${JSON.stringify({ jsonrpc: "2.0", ...m })}\n`);
  const waitFor = async (pred: () => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!pred() && Date.now() < end) await Bun.sleep(10);
    return pred();
  };
  const init = () => {
    send({
      id: "init",
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    });
    send({ method: "notifications/initialized" });
  };
  return { child, messages, send, waitFor, init, stderr: () => stderr };
}

describe("restart without dropping the connection", () => {
  test("plan → restart → the same connection keeps working and sees the plan", async () => {
    const { client, close } = await connectBinary({ cwd: project.dir, args: ["--tools", "all"] });
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain("orchestrator_restart_server");
      const plan = await callOk(client, "orchestrator_plan_task", {
        description: "survives",
        subtasks: [{ title: "a", specialist_type: "tester" }],
      });
      const before = await callOk(client, "orchestrator_restart_status", {});
      const r = await callOk(client, "orchestrator_restart_server", { reason: "manual_request" });
      expect(r.success).toBe(true);
      expect(r.new_worker.pid).not.toBe(before.current_status.worker_pid);
      const status = await callOk(client, "orchestrator_get_status", {});
      expect(status.plans[0].parent_task_id).toBe(plan.parent_task_id);
      const after = await callOk(client, "orchestrator_restart_status", {});
      expect(after.total_restarts).toBe(1);
      expect(after.history[0]).toMatchObject({
        result: "success",
        trigger: "tool",
        old_pid: before.current_status.worker_pid,
      });
      const rt = await callOk(client, "orchestrator_reconnect_test", {});
      expect(rt.overall_status).toBe("pass");
      const prep = await callOk(client, "orchestrator_shutdown_prepare", {});
      expect(prep.ready_for_shutdown).toBe(true);
      expect(prep.checks.claimed_tasks).toBe(0);
      expect(prep.checks.database.journal_mode).toBe("wal");
      const light = await callOk(client, "orchestrator_shutdown_prepare", {
        check_active_tasks: false,
        check_database_state: false,
      });
      expect(light.checks).toMatchObject({ claimed_tasks: null, database: null });
      const bare = await callOk(client, "orchestrator_reconnect_test", {
        include_buffer_status: false,
        include_reconnection_stats: false,
      });
      expect(bare.buffer_status).toBeUndefined();
      expect(bare.reconnection_stats).toBeUndefined();
      const noHistory = await callOk(client, "orchestrator_restart_status", { include_history: false });
      expect(noHistory.history).toBeUndefined();
      expect(noHistory.total_restarts).toBe(1);
      const health = await callOk(client, "orchestrator_health_check", {});
      expect(health.supervisor).toMatchObject({ worker_generation: 2, restarts: 1, crash_restarts: 0 });
      expect(health.server.pid).toBe(r.new_worker.pid);
    } finally {
      await close();
    }
  }, 30_000);

  test("a restart with 20 requests in flight answers each exactly once", async () => {
    const s = rawServer(BINARY, { ORCHESTRATOR_TEST_DELAY_MS: "150" });
    try {
      s.init();
      expect(await s.waitFor(() => s.messages.some((m) => m.id === "init"))).toBe(true);
      // initialize is answered by the supervisor at once; an answer from the worker shows it is up.
      s.send({ id: "warm", method: "tools/list", params: {} });
      expect(await s.waitFor(() => s.messages.some((m) => m.id === "warm"))).toBe(true);
      for (let i = 0; i < 20; i++)
        s.send({ id: i, method: "tools/call", params: { name: "orchestrator_get_status", arguments: {} } });
      s.send({
        id: "restart",
        method: "tools/call",
        params: { name: "orchestrator_restart_server", arguments: { graceful: true } },
      });
      for (let i = 20; i < 25; i++)
        s.send({ id: i, method: "tools/call", params: { name: "orchestrator_get_status", arguments: {} } });
      expect(await s.waitFor(() => s.messages.filter((m) => m.id !== undefined).length >= 28, 20_000)).toBe(
        true,
      );
      await Bun.sleep(300);
      const answers = s.messages.filter((m) => m.id !== undefined && m.id !== "init" && m.id !== "warm");
      const ids = answers.map((m) => m.id);
      expect(ids.length).toBe(26);
      expect(new Set(ids).size).toBe(26);
      for (const m of answers) expect(m.result?.isError).toBeFalsy();
      const restart = answers.find((m) => m.id === "restart")!;
      expect(restart.result.structuredContent.requests_finished).toBeGreaterThan(0);
    } finally {
      s.child.kill();
    }
  }, 30_000);

  test("replacing the binary on disk between restarts: restart_status shows the new version", async () => {
    const copy = join(project.dir, "orchestrator-under-test");
    copyFileSync(BINARY, copy);
    const { client, close } = await connectBinary({
      cwd: project.dir,
      args: ["--tools", "all"],
      command: copy,
    });
    try {
      const first = await callOk(client, "orchestrator_restart_server", {});
      const oldVersion = first.new_worker.version;
      const next = join(project.dir, "next-build");
      const b = spawnSync(
        process.execPath,
        ["scripts/build.ts", "--outfile", next, "--version", "9.9.9-test"],
        { cwd: ROOT, encoding: "utf8" },
      );
      expect(b.status).toBe(0);
      renameSync(next, copy); // how an upgrade lands: a new file replaces the old one
      const second = await callOk(client, "orchestrator_restart_server", {});
      expect(second.old_worker.version).toBe(oldVersion);
      expect(second.new_worker.version).toBe("9.9.9-test");
      const status = await callOk(client, "orchestrator_restart_status", {});
      expect(status.current_status.worker_version).toBe("9.9.9-test");
      expect(status.history.map((h: { new_version: string }) => h.new_version)).toEqual([
        oldVersion,
        "9.9.9-test",
      ]);
    } finally {
      await close();
    }
  }, 60_000);

  test("kill -9 of the worker mid-call: that call gets an error result, the next call succeeds", async () => {
    const { client, close } = await connectBinary({
      cwd: project.dir,
      args: ["--tools", "all"],
      env: { ORCHESTRATOR_TEST_DELAY_MS: "400" },
    });
    try {
      const st = await callOk(client, "orchestrator_restart_status", {});
      const pending = call(client, "orchestrator_get_status", {});
      await Bun.sleep(100);
      process.kill(st.current_status.worker_pid, "SIGKILL");
      const r = await pending;
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain("WORKER_CRASHED");
      const next = await call(client, "orchestrator_get_status", {});
      expect(next.isError).toBeFalsy();
      const after = await callOk(client, "orchestrator_restart_status", {});
      expect(after.current_status.worker_pid).not.toBe(st.current_status.worker_pid);
      expect(after.history.at(-1)).toMatchObject({ trigger: "crash", result: "success" });
      const health = await callOk(client, "orchestrator_health_check", {});
      expect(health.supervisor).toMatchObject({ worker_generation: 2, restarts: 1, crash_restarts: 1 });
    } finally {
      await close();
    }
  }, 30_000);

  test("a worker that crashes at every start: the supervisor stays up and answers with a clear error", async () => {
    const s = rawServer(BINARY, { ORCHESTRATOR_TEST_WORKER_CRASH: "1" });
    try {
      s.init();
      expect(await s.waitFor(() => s.messages.some((m) => m.id === "init"))).toBe(true);
      // The supervisor answers initialize itself; the first real request waits for a worker that
      // never comes up, and is answered once the supervisor gives up.
      expect(s.messages.find((m) => m.id === "init")!.result.serverInfo.name).toBe("orchestrator");
      s.send({ id: 1, method: "tools/list", params: {} });
      // Backoff 200, 400, 800, 1600 ms, then it gives up.
      await Bun.sleep(3800);
      s.send({ id: 2, method: "tools/list", params: {} });
      expect(await s.waitFor(() => s.messages.some((m) => m.id === 2))).toBe(true);
      const answer = s.messages.find((m) => m.id === 2)!;
      expect(answer.error.message).toContain("WORKER_FAILED");
      expect(s.messages.find((m) => m.id === 1)!.error.message).toContain("WORKER_FAILED");
      expect(answer.error.message).toContain("crashing at start");
      expect(s.child.exitCode).toBeNull();
    } finally {
      s.child.kill();
    }
  }, 30_000);
});

describe("initialize answered by the supervisor", () => {
  /** The initialize result a `serve` with these args gives for a requested protocol version. */
  async function initializeAnswer(args: string[], version: string): Promise<unknown> {
    const child = spawn(BINARY, ["serve", ...args], { cwd: project.dir, stdio: ["pipe", "pipe", "ignore"] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buf = "";
        child.stdout!.on("data", (d: Buffer) => {
          buf += d.toString();
          const nl = buf.indexOf("\n");
          if (nl >= 0) resolve(buf.slice(0, nl));
        });
        child.once("error", reject);
        child.stdin!.write(
          `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: version, capabilities: {}, clientInfo: { name: "t", version: "1" } } })}\n`,
        );
      });
      return JSON.parse(line).result;
    } finally {
      child.kill();
    }
  }

  test.each([["2025-11-25"], ["2025-06-18"], ["2024-11-05"], ["1999-01-01"]])(
    "protocol %s: the same answer the worker gives",
    async (version) => {
      const direct = await initializeAnswer(["--no-supervisor"], version as string);
      const supervised = await initializeAnswer([], version as string);
      expect(supervised).toEqual(direct);
    },
  );
});

describe("a client that reads slowly", () => {
  test("answers wait (backpressure) and all arrive, once each, when it reads again", async () => {
    const s = rawServer(BINARY);
    try {
      s.init();
      expect(await s.waitFor(() => s.messages.some((m) => m.id === "init"))).toBe(true);
      // Many plans, so each get_status answer is large.
      for (let i = 0; i < 20; i++)
        s.send({
          id: `p${i}`,
          method: "tools/call",
          params: {
            name: "orchestrator_plan_task",
            arguments: {
              description: `plan ${i}`,
              subtasks: Array.from({ length: 25 }, (_, k) => ({
                title: `t${k} ${"x".repeat(200)}`,
                specialist_type: "tester",
              })),
            },
          },
        });
      expect(
        await s.waitFor(() => s.messages.filter((m) => String(m.id).startsWith("p")).length === 20, 20_000),
      ).toBe(true);
      s.child.stdout!.pause(); // the client stops reading
      for (let i = 0; i < 60; i++)
        s.send({ id: i, method: "tools/call", params: { name: "orchestrator_get_status", arguments: {} } });
      await Bun.sleep(1500);
      s.child.stdout!.resume();
      expect(
        await s.waitFor(() => s.messages.filter((m) => typeof m.id === "number").length >= 60, 30_000),
      ).toBe(true);
      await Bun.sleep(200);
      const ids = s.messages.filter((m) => typeof m.id === "number").map((m) => m.id);
      expect(ids.length).toBe(60);
      expect(new Set(ids).size).toBe(60);
      for (const m of s.messages.filter((x) => typeof x.id === "number"))
        expect(m.result?.isError).toBeFalsy();
    } finally {
      s.child.kill();
    }
  }, 60_000);
});
