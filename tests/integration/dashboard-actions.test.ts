import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { join } from "node:path";
import pg from "pg";
import { callOk } from "../helpers/client.ts";
import { ALL, DashboardWorld, LEASE_MS, rejection } from "../helpers/dashboard-fixture.ts";
import { tcpProxy } from "../helpers/tcp-proxy.ts";
import { ON_POSTGRES, projectKey, testDbUrl } from "../helpers/test-store.ts";

// Dashboard actions (recorded under the person's name, refused where the state machine or a live
// claim says no) and the change feed (a write from another store handle or process is heard
// within a second), over the real store: SQLite here, PostgreSQL under test:pg.

let w: DashboardWorld;
beforeEach(() => {
  w = new DashboardWorld();
});
afterEach(() => w.close());

describe("actions", () => {
  test("refused when actions are off, whatever the caller", async () => {
    const dir = w.project();
    await w.seed(dir);
    const s = await w.source(dir);
    const e = await rejection(
      s.act(ALL, { project: projectKey(dir), taskId: "write-docs", action: "cancel" }, "alice"),
    );
    expect(e.code).toBe("DASHBOARD_READ_ONLY");
    expect((await s.task(ALL, projectKey(dir), "write-docs")).task.status).toBe("pending");
    expect((await s.task(ALL, projectKey(dir), "write-docs")).actions).toEqual([]);
  });

  test("cancel and reopen: one transition each, in the history under the person's name with the note", async () => {
    const dir = w.project();
    const { planId } = await w.seed(dir);
    const s = await w.source(dir, { actions: { allowed: true, actor: "alice" } });
    const key = projectKey(dir);
    expect((await s.overview(ALL)).actions).toEqual({ allowed: true, actor: "alice" });
    expect((await s.task(ALL, key, "write-docs")).actions).toEqual(["cancel"]);

    const cancelled = await s.act(
      ALL,
      { project: key, taskId: "write-docs", action: "cancel", note: "not needed" },
      "alice",
    );
    expect(cancelled).toEqual({
      taskId: "write-docs",
      action: "cancel",
      from: "pending",
      to: "cancelled",
      actor: "alice",
    });
    const v = await s.task(ALL, key, "write-docs");
    expect(v.task.status).toBe("cancelled");
    expect(v.task.statusNote).toBe("from the dashboard: not needed");
    expect(v.actions).toEqual(["reopen"]);
    expect(v.history.at(-1)).toMatchObject({
      kind: "task_status_changed",
      action: "cancel",
      from: "pending",
      to: "cancelled",
      agentId: "alice",
      note: "from the dashboard: not needed",
      at: w.now(),
    });
    // The plan's counters follow in the same write.
    expect((await s.plan(ALL, key, planId)).plan.counts).toMatchObject({
      pending: 1,
      cancelled: 1,
      total: 4,
    });

    w.nowMs += 1000;
    const reopened = await s.act(ALL, { project: key, taskId: "write-docs", action: "reopen" }, "bob");
    expect(reopened).toMatchObject({ from: "cancelled", to: "pending", actor: "bob" });
    const again = await s.task(ALL, key, "write-docs");
    expect(again.task.status).toBe("pending");
    expect(again.history.at(-1)).toMatchObject({
      action: "reopen",
      agentId: "bob",
      note: "from the dashboard",
    });
  });

  test("release only a claim that no longer blocks: lease run out, or its holder's process gone", async () => {
    const dir = w.project();
    await w.seed(dir);
    const key = projectKey(dir);
    const s = await w.source(dir, { actions: { allowed: true, actor: "alice" } });
    expect((await s.task(ALL, key, "build")).actions).toEqual(["cancel"]);
    const live = await rejection(s.act(ALL, { project: key, taskId: "build", action: "release" }, "alice"));
    expect(live.code).toBe("CLAIM_NOT_STALE");
    expect(live.message).toContain("Cancel the task");
    expect((await s.task(ALL, key, "build")).task.status).toBe("active");

    w.nowMs += LEASE_MS;
    expect((await s.task(ALL, key, "build")).actions).toEqual(["release", "cancel"]);
    const released = await s.act(
      ALL,
      { project: key, taskId: "build", action: "release", note: "agent died" },
      "alice",
    );
    expect(released).toMatchObject({ from: "active", to: "pending", actor: "alice" });
    const v = await s.task(ALL, key, "build");
    expect(v.task.claim).toBeNull();
    expect(v.task.ready).toBe(true);
    expect(v.history.at(-1)).toMatchObject({
      action: "release",
      agentId: "alice",
      note: "from the dashboard: agent died",
    });
  });

  test("a holder whose process is gone makes its running claim releasable", async () => {
    const dir = w.project();
    await w.seed(dir, { connection: { holder: { host: "builder-host", pid: 424242 } } });
    const key = projectKey(dir);
    const s = await w.source(dir, {
      actions: { allowed: true, actor: "alice" },
      holderGone: (h) => h.host === "builder-host" && h.pid === 424242,
    });
    const before = await s.task(ALL, key, "build");
    expect(before.task.claim).toMatchObject({ stale: true });
    expect(before.task.claim!.remainingMs).toBeGreaterThan(0);
    expect((await s.act(ALL, { project: key, taskId: "build", action: "release" }, "alice")).to).toBe(
      "pending",
    );
  });

  test("the state machine refuses, and nothing is written", async () => {
    const dir = w.project();
    await w.seed(dir);
    const key = projectKey(dir);
    const s = await w.source(dir, { actions: { allowed: true, actor: "alice" } });
    const before = (await s.task(ALL, key, "write-docs")).history.length;
    const reopen = await rejection(
      s.act(ALL, { project: key, taskId: "write-docs", action: "reopen" }, "alice"),
    );
    expect(reopen.code).toBe("TRANSITION_NOT_ALLOWED");
    expect(reopen.message).toContain("it is pending");
    const release = await rejection(
      s.act(ALL, { project: key, taskId: "write-docs", action: "release" }, "alice"),
    );
    expect(release.code).toBe("TRANSITION_NOT_ALLOWED");
    const cancelDone = await rejection(
      s.act(ALL, { project: key, taskId: "design", action: "cancel" }, "alice"),
    );
    expect(cancelDone.code).toBe("TRANSITION_NOT_ALLOWED");
    expect((await s.task(ALL, key, "write-docs")).history.length).toBe(before);
    const unknown = await rejection(s.act(ALL, { project: key, taskId: "nope", action: "cancel" }, "alice"));
    expect(unknown.code).toBe("TASK_NOT_FOUND");
    const bad = await rejection(
      s.act(ALL, { project: key, taskId: "write-docs", action: "delete" } as never, "alice"),
    );
    expect(bad.code).toBe("INVALID_INPUT");
    const nobody = await rejection(s.act(ALL, { project: key, taskId: "write-docs", action: "cancel" }, " "));
    expect(nobody.code).toBe("INVALID_INPUT");
    const spoof = await rejection(
      s.act(ALL, { project: key, taskId: "write-docs", action: "cancel" }, "alice\u001b[2Kroot"),
    );
    expect(spoof.code).toBe("INVALID_INPUT");
    expect((await s.task(ALL, key, "write-docs")).history.length).toBe(before);
  });
});

/** Resolves with the first change version told after now; rejects after `ms`. */
function nextChange(
  s: { watch(f: (v: number) => void): () => void },
  ms = 3000,
): Promise<{ version: number; at: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no change within ${ms} ms`));
    }, ms);
    const stop = s.watch((version) => {
      clearTimeout(timer);
      stop();
      resolve({ version, at: performance.now() });
    });
  });
}

describe("watch", () => {
  test("a write through another store handle is told within a second", async () => {
    const dir = w.project();
    const { conn } = await w.seed(dir);
    const s = await w.source(dir);
    // Subscribed before the write; the feed needs a moment to take its first reading.
    const first = nextChange(s);
    await s.listening();
    const wrote = performance.now();
    await callOk(conn.client, "orchestrator_complete_subtask", {
      task_id: "build",
      summary: "built",
      detailed_work: "done",
      next_action: "complete",
    });
    const heard = await first;
    expect(heard.at - wrote).toBeLessThan(1000);
    const second = nextChange(s);
    await s.listening();
    await callOk(conn.client, "orchestrator_cancel_task", { task_id: "write-docs" });
    expect((await second).version).toBeGreaterThan(heard.version);
  });

  test("a write by another process is told within a second", async () => {
    const dir = w.project();
    await w.seed(dir);
    const s = await w.source(dir);
    const heard = nextChange(s, 15_000);
    await s.listening();
    const child = spawn(process.execPath, ["-e", childWrite(dir, w.target(dir))], {
      cwd: join(import.meta.dir, "..", ".."),
      stdio: ["ignore", "pipe", "pipe"],
      env: process.env,
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const done = new Promise<number>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        if (d.toString().includes("committed")) resolve(performance.now());
      });
      child.on("exit", (code) => (code === 0 ? undefined : reject(new Error(`child failed: ${err}`))));
    });
    const [event, committed] = await Promise.all([heard, done]);
    expect(event.at - committed).toBeLessThan(1000);
  }, 20_000);

  test("one feed however many subscribers; it stops with the last one and on close", async () => {
    const dir = w.project();
    const { conn } = await w.seed(dir);
    let opened = 0;
    let stopped = 0;
    const { openChangeFeed } = await import("../../src/store/changes.ts");
    const s = await w.source(dir, {
      changes: () => {
        opened++;
        const feed = openChangeFeed(w.target(dir));
        return {
          start: (f) => feed.start(f),
          stop: async () => {
            stopped++;
            await feed.stop();
          },
        };
      },
    });
    const a = nextChange(s);
    const b = nextChange(s);
    await s.listening();
    await callOk(conn.client, "orchestrator_cancel_task", { task_id: "write-docs" });
    const [va, vb] = await Promise.all([a, b]);
    expect(va.version).toBe(vb.version);
    expect(opened).toBe(1);
    expect(stopped).toBe(1);
    const stop = s.watch(() => {});
    expect(opened).toBe(2);
    await s.close();
    expect(stopped).toBe(2);
    stop();
    expect(stopped).toBe(2);
  });

  test.skipIf(!ON_POSTGRES)(
    "PostgreSQL: a lost LISTEN connection is reconnected and tells one change for what it may have missed",
    async () => {
      const dir = w.project();
      const { conn } = await w.seed(dir);
      const s = await w.source(dir);
      try {
        const first = nextChange(s, 5000);
        await s.listening();
        const killed = await terminateListeners();
        expect(killed).toBe(1);
        await first;
        // Listening again: the next write is heard.
        const next = nextChange(s, 5000);
        await s.listening();
        await callOk(conn.client, "orchestrator_cancel_task", { task_id: "write-docs" });
        await next;
      } finally {
        // Its feed's connection would otherwise outlive the test and meet the next one's.
        await s.close();
      }
    },
    15_000,
  );

  test.skipIf(!ON_POSTGRES)(
    "PostgreSQL: a LISTEN connection that goes silent (no reset) is found by its probe and replaced",
    async () => {
      const dir = w.project();
      const { conn } = await w.seed(dir);
      const proxy = await tcpProxy(testDbUrl()!);
      const { postgresChangeFeed } = await import("../../src/store/postgres/changes.ts");
      const s = await w.source(dir, {
        changes: () => postgresChangeFeed(proxy.url, { probeEveryMs: 100, probeTimeoutMs: 300 }),
      });
      try {
        const first = nextChange(s, 5000);
        await s.listening();
        expect(proxy.connections()).toBe(1);
        // The route goes dead: nothing passes, nothing is reset.
        proxy.freeze();
        await first;
        expect(proxy.connections()).toBe(2);
        const next = nextChange(s, 5000);
        // The replacement's LISTEN first: a NOTIFY sent before it is not heard (as in the test above).
        await s.listening();
        await callOk(conn.client, "orchestrator_cancel_task", { task_id: "write-docs" });
        await next;
      } finally {
        await s.close();
        proxy.close();
      }
    },
    15_000,
  );
});

async function terminateListeners(): Promise<number> {
  const client = new pg.Client({ connectionString: testDbUrl()! });
  await client.connect();
  try {
    const r = await client.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name like '%(dashboard changes)'",
    );
    return r.rowCount ?? 0;
  } finally {
    await client.end();
  }
}

/** A script for another process: the real MCP server on the same database completes `build`. */
function childWrite(dir: string, db: string): string {
  return `
    const { connectInMemory, callOk } = await import("./tests/helpers/client.ts");
    const c = await connectInMemory({ cwd: ${JSON.stringify(dir)}, db: ${JSON.stringify(db)}, clientName: "other-process" });
    await callOk(c.client, "orchestrator_complete_subtask", { task_id: "write-docs", summary: "s", detailed_work: "w", next_action: "complete" });
    console.log("committed");
    await c.close();
  `;
}
