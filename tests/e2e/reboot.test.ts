import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, renameSync } from "node:fs";
import { join } from "node:path";
import { embeddedToolLists } from "../../scripts/tool-lists.ts";
import { toolListDigest } from "../../src/protocol/tool-snapshot.ts";
import { BINARY, callOk, connectBinary, ROOT } from "../helpers/client.ts";
import { type RawServer, rawServer as raw } from "../helpers/raw-server.ts";
import { makeProject } from "../helpers/temp.ts";
import {
  EXPECTED_JOURNAL_MODE,
  ON_POSTGRES,
  projectKey,
  storeEnv,
  storeRows,
} from "../helpers/test-store.ts";

/** What a worker writes to stderr when a call reaches it under ORCHESTRATOR_TEST_DELAY_MS. */
const DELAY_LINE = "orchestrator test: call waiting";

let project: { dir: string; cleanup: () => void };
beforeEach(() => {
  project = makeProject("orch-reboot-");
});
afterEach(() => project.cleanup());

/** A raw line client on `serve --tools all` in the project. */
function rawServer(command: string, extraEnv: Record<string, string> = {}): RawServer {
  return raw({ cwd: project.dir, args: ["--tools", "all"], env: extraEnv, command });
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
      expect(prep.checks.database.journal_mode).toBe(EXPECTED_JOURNAL_MODE);
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
      await s.init();
      // initialize (and the first tools/list) are answered by the supervisor at once; an answer
      // from the worker shows it is up.
      s.send({ id: "warm", method: "ping" });
      await s.answer("warm");
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
      // A later request's answer comes after any stray second answer would have.
      s.send({ id: "barrier", method: "ping" });
      await s.answer("barrier");
      const answers = s.messages.filter(
        (m) => m.id !== undefined && !["init", "warm", "barrier"].includes(m.id),
      );
      const ids = answers.map((m) => m.id);
      expect(ids.length).toBe(26);
      expect(new Set(ids).size).toBe(26);
      for (const m of answers) expect(m.result?.isError).toBeFalsy();
      const restart = answers.find((m) => m.id === "restart")!;
      expect(restart.result.structuredContent.requests_finished).toBeGreaterThan(0);
    } finally {
      s.close();
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
        // Without the profiling first pass: this tests an upgrade, not the build's memory layout.
        ["scripts/build.ts", "--outfile", next, "--version", "9.9.9-test", "--no-bytecode-order"],
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
    const s = rawServer(BINARY, { ORCHESTRATOR_TEST_DELAY_MS: "1000" });
    try {
      await s.init();
      s.call("st", "orchestrator_restart_status");
      const pid = (await s.answer("st")).result.structuredContent.current_status.worker_pid;
      s.call("mid", "orchestrator_get_status");
      // The worker says when the call reached it: only then is it certainly "mid-call".
      expect(await s.waitFor(() => s.stderrCount(DELAY_LINE) === 1)).toBe(true);
      process.kill(pid, "SIGKILL");
      const r = (await s.answer("mid")).result;
      expect(r.isError).toBe(true);
      expect(r._meta["orchestrator/error"].code).toBe("WORKER_CRASHED");
      expect(r.content[0].text).toContain("outcome is unknown");
      s.call("next", "orchestrator_get_status");
      expect((await s.answer("next")).result.isError).toBeFalsy();
      s.call("after", "orchestrator_restart_status");
      const after = (await s.answer("after")).result.structuredContent;
      expect(after.current_status.worker_pid).not.toBe(pid);
      expect(after.history.at(-1)).toMatchObject({ trigger: "crash", result: "success" });
      s.call("health", "orchestrator_health_check");
      expect((await s.answer("health")).result.structuredContent.supervisor).toMatchObject({
        worker_generation: 2,
        restarts: 1,
        crash_restarts: 1,
      });
    } finally {
      s.close();
    }
  }, 30_000);

  test("a worker that crashes at every start: the supervisor stays up and answers with a clear error", async () => {
    const s = rawServer(BINARY, { ORCHESTRATOR_TEST_WORKER_CRASH: "1" });
    try {
      await s.init();
      // The supervisor answers initialize itself; the first real request waits for a worker that
      // never comes up, and is answered once the supervisor gives up (backoff 200, 400, 800, 1600 ms).
      expect(s.answers("init")[0]!.result.serverInfo.name).toBe("orchestrator");
      s.send({ id: 1, method: "resources/list", params: {} });
      expect((await s.answer(1)).error.message).toContain("WORKER_FAILED");
      s.send({ id: 2, method: "resources/list", params: {} });
      const answer = await s.answer(2);
      expect(answer.error.message).toContain("WORKER_FAILED");
      expect(answer.error.data).toMatchObject({ code: "WORKER_FAILED" });
      expect(answer.error.message).toContain("crashing at start");
      s.call(3, "orchestrator_get_status");
      const tool = (await s.answer(3)).result;
      expect(tool.isError).toBe(true);
      expect(tool._meta["orchestrator/error"].code).toBe("WORKER_FAILED");
      expect(tool.content[0].text).toContain("What to do:");
      expect(s.child.exitCode).toBeNull();
    } finally {
      s.close();
    }
  }, 30_000);
});

describe("initialize answered by the supervisor", () => {
  /** The initialize result a `serve` with these args gives for a requested protocol version. */
  async function initializeAnswer(args: string[], version: string): Promise<unknown> {
    const child = spawn(BINARY, ["serve", ...args], {
      cwd: project.dir,
      stdio: ["pipe", "pipe", "ignore"],
      env: { ...process.env, ...storeEnv() },
    });
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

describe("tools/list answered by the supervisor while the worker loads", () => {
  test.each([["core"], ["standard"], ["all"]])(
    "%s: the built-in list is exactly the worker's own, and no change is announced",
    async (profile) => {
      const s = raw({ cwd: project.dir, args: ["--tools", profile as string] });
      try {
        await s.init();
        s.send({ id: "early", method: "tools/list" });
        const early = await s.answer("early");
        s.send({ id: "p", method: "ping" }); // answered by the worker: it is warm after this
        await s.answer("p");
        s.send({ id: "live", method: "tools/list" });
        const live = await s.answer("live");
        expect(early.result.tools.length).toBeGreaterThan(0);
        expect(early.result).toEqual(live.result);
        expect(s.messages.filter((m) => m.method === "notifications/tools/list_changed")).toEqual([]);
      } finally {
        s.close();
      }
    },
  );

  /** A worker started the way the supervisor starts it, told `digest` was listed. */
  async function workerNotices(digest: string): Promise<string[]> {
    const s = raw({
      cwd: project.dir,
      args: ["--tools", "all"],
      env: { ORCHESTRATOR_SUPERVISED: "1", ORCHESTRATOR_LISTED_TOOLS: digest },
    });
    try {
      await s.init();
      s.send({ id: "p", method: "ping" });
      await s.answer("p");
      return s.messages.filter((m) => typeof m.method === "string").map((m) => m.method);
    } finally {
      s.close();
    }
  }

  test("a worker whose list differs from what the supervisor listed tells the client to list again", async () => {
    expect(await workerNotices("0000000000000000")).toEqual(["notifications/tools/list_changed"]);
    const all = embeddedToolLists().tools;
    expect(await workerNotices(toolListDigest(all))).toEqual([]);
  });
});

describe("a client that reads slowly", () => {
  test("answers wait (backpressure) and all arrive, once each, when it reads again", async () => {
    const s = rawServer(BINARY);
    try {
      await s.init();
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
      s.send({ id: "barrier", method: "ping" });
      await s.answer("barrier");
      const ids = s.messages.filter((m) => typeof m.id === "number").map((m) => m.id);
      expect(ids.length).toBe(60);
      expect(new Set(ids).size).toBe(60);
      for (const m of s.messages.filter((x) => typeof x.id === "number"))
        expect(m.result?.isError).toBeFalsy();
    } finally {
      s.close();
    }
  }, 60_000);
});

/** Plan descriptions stored in the project's database, read from the SQLite file itself or PostgreSQL. */
async function storedDescriptions(dir: string): Promise<string[]> {
  if (ON_POSTGRES) {
    const rows = await storeRows(dir, "select description from plans where workspace = ?", [projectKey(dir)]);
    return rows.map((r) => String(r.description));
  }
  const file = join(dir, ".task_orchestrator", "orchestrator.db");
  if (!existsSync(file)) return [];
  const db = new Database(file);
  try {
    db.exec("pragma busy_timeout = 10000");
    return db
      .query<{ description: string }, []>("select description from plans")
      .all()
      .map((r) => r.description);
  } finally {
    db.close();
  }
}

describe("a restart with 30 plan_task calls in flight: every answer is true", () => {
  /**
   * Sends 30 plan_task calls, waits until the worker has all 30 running, restarts, then holds each
   * answer against the database: a success is stored; an "outcome unknown" answer is checked as
   * its fix says and retried only when absent; in the end each plan is stored exactly once.
   */
  async function thirtyInFlight(delayMs: number, restart: Record<string, unknown>) {
    const s = rawServer(BINARY, { ORCHESTRATOR_TEST_DELAY_MS: String(delayMs) });
    try {
      await s.init();
      const ids = Array.from({ length: 30 }, (_, i) => `plan-${i}`);
      for (const id of ids)
        s.call(id, "orchestrator_plan_task", {
          description: id,
          subtasks: [{ title: "a", specialist_type: "tester" }],
        });
      expect(await s.waitFor(() => s.stderrCount(DELAY_LINE) === 30)).toBe(true);
      s.call("restart", "orchestrator_restart_server", restart);
      const r = (await s.answer("restart", 60_000)).result;
      expect(r.structuredContent.success).toBe(true);
      for (const id of ids) await s.answer(id, 60_000);
      const stored = await storedDescriptions(project.dir);
      const outcomes = { ok: 0, unknown: 0 };
      const retry: string[] = [];
      for (const id of ids) {
        const [answer, ...more] = s.answers(id);
        expect(more).toEqual([]); // answered once
        const text = answer!.result.content[0].text as string;
        expect(text).not.toContain("did not complete");
        if (!answer!.result.isError) {
          outcomes.ok++;
          expect(stored).toContain(id);
        } else {
          outcomes.unknown++;
          expect(answer!.result._meta["orchestrator/error"].code).toBe("RESTART_INTERRUPTED");
          if (!stored.includes(id)) retry.push(id);
        }
      }
      for (const id of retry)
        s.call(`retry-${id}`, "orchestrator_plan_task", {
          description: id,
          subtasks: [{ title: "a", specialist_type: "tester" }],
        });
      for (const id of retry) expect((await s.answer(`retry-${id}`, 60_000)).result.isError).toBeFalsy();
      const final = (await storedDescriptions(project.dir)).sort();
      expect(final).toEqual([...ids].sort());
      s.call("status", "orchestrator_restart_status");
      const history = (await s.answer("status")).result.structuredContent.history[0];
      return { outcomes, restart: r.structuredContent, history };
    } finally {
      s.close();
    }
  }

  test("graceful: false, time enough: the old worker finishes and answers all 30, each stored once", async () => {
    const { outcomes } = await thirtyInFlight(1500, { graceful: false });
    expect(outcomes).toEqual({ ok: 30, unknown: 0 });
  }, 60_000);

  // Calls of 6 s against a 1 s timeout: the old worker is stopped while it still runs them (unless
  // a cold start of the new worker took longer than 6 s; the truth checks hold either way).
  test("graceful: true, timeout 1 s, calls of 6 s: stopped calls say 'outcome unknown', nothing doubled", async () => {
    const { outcomes, restart, history } = await thirtyInFlight(6000, { graceful: true, timeout: 1 });
    expect(outcomes.unknown).toBeGreaterThan(0);
    expect(outcomes.ok + outcomes.unknown).toBe(30);
    expect(restart.requests_finished + restart.requests_left_running).toBe(30);
    expect(history.requests_interrupted).toBe(outcomes.unknown);
  }, 60_000);

  test("graceful: false, timeout 1 s, calls of 6 s: the same truth", async () => {
    const { outcomes, history } = await thirtyInFlight(6000, { graceful: false, timeout: 1 });
    expect(outcomes.unknown).toBeGreaterThan(0);
    expect(history.requests_interrupted).toBe(outcomes.unknown);
  }, 60_000);
});

describe("the workspace bound by initialize_session survives restarts and crashes", () => {
  test("SIGHUP, then kill -9 of the worker: calls without working_directory stay in the bound workspace", async () => {
    // The server runs in one project (its fallback); the session binds another.
    const other = makeProject("orch-bound-");
    const s = rawServer(BINARY);
    try {
      await s.init();
      s.call("bind", "orchestrator_initialize_session", { working_directory: other.dir });
      expect((await s.answer("bind")).result.structuredContent.workspace).toBe(other.dir);
      const workspaceOfACall = async (id: string): Promise<string> => {
        s.call(id, "orchestrator_get_status");
        const r = (await s.answer(id)).result;
        expect(r.isError).toBeFalsy();
        return r.structuredContent.workspace;
      };
      expect(await workspaceOfACall("before")).toBe(other.dir);
      const workerAfter = async (n: number): Promise<number> => {
        // Asked until the supervisor records the n-th restart: each question is a round trip.
        for (let i = 0; ; i++) {
          s.call(`st-${n}-${i}`, "orchestrator_restart_status");
          const st = (await s.answer(`st-${n}-${i}`)).result.structuredContent;
          if (st.total_restarts >= n && st.current_status.phase === "ready")
            return st.current_status.worker_pid;
        }
      };
      const first = await workerAfter(0);
      process.kill(s.child.pid!, "SIGHUP");
      const second = await workerAfter(1);
      expect(second).not.toBe(first);
      expect(await workspaceOfACall("after-sighup")).toBe(other.dir);
      process.kill(second, "SIGKILL");
      const third = await workerAfter(2);
      expect(third).not.toBe(second);
      expect(await workspaceOfACall("after-crash")).toBe(other.dir);
      // The server's own project was never touched.
      expect(existsSync(join(project.dir, ".task_orchestrator"))).toBe(false);
    } finally {
      s.close();
      other.cleanup();
    }
  }, 30_000);

  test("client roots: a new worker asks the client again and lands in the same root", async () => {
    const root = makeProject("orch-root-");
    const s = raw({
      cwd: project.dir,
      args: ["--tools", "all"],
      capabilities: { roots: {} },
      onServerRequest: (m) => (m.method === "roots/list" ? { roots: [{ uri: `file://${root.dir}` }] } : {}),
    });
    try {
      await s.init();
      s.call("before", "orchestrator_get_status");
      expect((await s.answer("before")).result.structuredContent).toMatchObject({
        workspace: root.dir,
        workspace_source: "client_roots",
      });
      s.call("restart", "orchestrator_restart_server", { graceful: false });
      expect((await s.answer("restart")).result.structuredContent.success).toBe(true);
      s.call("after", "orchestrator_get_status");
      expect((await s.answer("after")).result.structuredContent).toMatchObject({
        workspace: root.dir,
        workspace_source: "client_roots",
      });
      expect(s.messages.filter((m) => m.method === "roots/list").length).toBe(2);
    } finally {
      s.close();
      root.cleanup();
    }
  }, 30_000);
});
