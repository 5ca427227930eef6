import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { call, callOk, textOf } from "../helpers/client.ts";
import { connectHttp, type HttpServer, startHttpServer, stderrMatch } from "../helpers/http-server.ts";
import { makeProject } from "../helpers/temp.ts";

// Issue 14, item 3: SIGHUP and orchestrator_restart_server restart serve --http's worker while a
// continuous load runs, and no call fails. Six SDK clients write (plan_task) and read (get_task)
// without pause; three restarts (signal, tool, signal) happen while they do, each once the load
// has gone on through the previous worker. Every acknowledged write is then read back.
let project: { dir: string; cleanup: () => void };
let server: HttpServer;

beforeAll(async () => {
  project = makeProject("orch-http-restart-");
  server = await startHttpServer({ cwd: project.dir, args: ["--tools", "all"] });
});
afterAll(async () => {
  expect(await server.stop()).toBe(0);
  project.cleanup();
});

test("three restarts under a continuous load of six clients: 0 failed calls, every write kept", async () => {
  const ws = { working_directory: project.dir };
  const clients: Client[] = [];
  for (let i = 0; i < 6; i++) clients.push(await connectHttp(server.url, undefined, `load-${i}`));
  const control = await connectHttp(server.url, undefined, "control");
  const failures: string[] = [];
  const written: string[] = [];
  let calls = 0;
  let waiters: { at: number; resolve: () => void }[] = [];
  const counted = (): void => {
    calls++;
    for (const w of waiters.filter((x) => calls >= x.at)) w.resolve();
    waiters = waiters.filter((x) => calls < x.at);
  };
  /** Resolves once `n` more calls have been answered (the load went on). */
  const afterCalls = (n: number): Promise<void> =>
    new Promise((resolve) => waiters.push({ at: calls + n, resolve }));
  let running = true;
  const load = clients.map(async (c, i) => {
    for (let k = 0; running; k++) {
      try {
        const plan = await call(c, "orchestrator_plan_task", {
          ...ws,
          description: `load ${i}.${k}`,
          subtasks: [{ title: `t ${i}.${k}`, specialist_type: "implementer" }],
        });
        if (plan.isError) failures.push(textOf(plan));
        else {
          const id = (plan.structuredContent as { subtasks: { task_id: string }[] }).subtasks[0]?.task_id;
          if (id) written.push(id);
        }
        counted();
        const status = await call(c, "orchestrator_get_status", ws);
        if (status.isError) failures.push(textOf(status));
        counted();
      } catch (e) {
        failures.push(String(e));
        counted();
      }
    }
  });

  const workerPid = async (): Promise<number> =>
    ((await callOk(control, "orchestrator_health_check", ws)) as { server: { pid: number } }).server.pid;
  const pids = [await workerPid()];
  const restarts: string[] = [];
  for (const trigger of ["signal", "tool", "signal"] as const) {
    await afterCalls(30);
    const line = stderrMatch(
      server,
      /restarted the HTTP worker \(\w+, [\w]+\): \d+ → (\d+)/g,
      restarts.length + 1,
    );
    if (trigger === "signal") server.child.kill("SIGHUP");
    else {
      const r = await callOk(control, "orchestrator_restart_server", { reason: "configuration_update" });
      expect(r.success).toBe(true);
      expect(r.old_worker.pid).toBe(pids.at(-1));
    }
    const m = await line;
    restarts.push(m[0]);
    await afterCalls(30);
    const pid = await workerPid();
    expect(pid).toBe(Number(m[1]));
    pids.push(pid);
  }
  running = false;
  await Promise.all(load);
  expect(failures).toEqual([]);
  expect(new Set(pids).size).toBe(4);
  expect(restarts).toHaveLength(3);

  // Every acknowledged write is there, read through the last worker.
  for (const id of written) {
    const t = await callOk(control, "orchestrator_get_task", { ...ws, task_id: id });
    expect(t.task.task_id).toBe(id);
  }
  expect(written.length).toBeGreaterThan(45);
  // The old workers exited once idle: only the front's current worker is its child.
  for (const [i, old] of pids.slice(0, 3).entries()) {
    const [, gone] = await stderrMatch(server, /the old HTTP worker (\d+) exited/g, i + 1);
    expect(pids).toContain(Number(gone));
    expect(old).toBeGreaterThan(0);
  }
  for (const c of [...clients, control]) await c.close();
}, 120_000);

test("a worker that dies is replaced; the next calls are answered by the new one", async () => {
  const ws = { working_directory: project.dir };
  const client = await connectHttp(server.url, undefined, "crash");
  try {
    const pid = ((await callOk(client, "orchestrator_health_check", ws)) as { server: { pid: number } })
      .server.pid;
    const replaced = stderrMatch(server, /the HTTP worker (\d+) exited \((\d+)\); starting another/g, 1);
    process.kill(pid, "SIGKILL");
    const [, dead] = await replaced;
    expect(Number(dead)).toBe(pid);
    const after = ((await callOk(client, "orchestrator_health_check", ws)) as { server: { pid: number } })
      .server.pid;
    expect(after).not.toBe(pid);
    await callOk(client, "orchestrator_get_status", ws);
  } finally {
    await client.close();
  }
});

test("a request the old worker still has when its restart timeout runs out is answered RESTART_INTERRUPTED", async () => {
  const { connect } = await import("node:net");
  const { hostname, port } = new URL(server.url);
  // Headers and part of a body: the old worker holds this request, waiting for the rest.
  const stuck = await new Promise<{ answer: Promise<string> }>((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /mcp HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 100\r\n\r\n{"jsonrpc"`,
      );
      let got = "";
      socket.on("data", (d) => {
        got += d.toString();
      });
      resolve({ answer: new Promise((done) => socket.on("close", () => done(got))) });
    });
  });
  const control = await connectHttp(server.url, undefined, "interrupt");
  try {
    const r = await callOk(control, "orchestrator_restart_server", { timeout: 1 });
    expect(r.success).toBe(true);
    // The stuck request plus this restart call itself were on the old worker at the switch.
    expect(r.requests_left_running).toBe(2);
    const answer = await stuck.answer;
    expect(answer).toStartWith("HTTP/1.1 502");
    expect(answer).toContain("RESTART_INTERRUPTED");
    expect(answer).toContain("outcome is unknown");
    await callOk(control, "orchestrator_get_status", { working_directory: project.dir });
  } finally {
    await control.close();
  }
}, 30_000);
