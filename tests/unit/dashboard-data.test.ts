import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claimView } from "../../src/app/dashboard/_context.ts";
import { actionNote, availableActions } from "../../src/app/dashboard/actions.ts";
import { ACTIVITY_DEFAULT, activityLimit } from "../../src/app/dashboard/activity.ts";
import { progressShare } from "../../src/app/dashboard/overview.ts";
import { isReady } from "../../src/app/dashboard/plan-view.ts";
import { verdict } from "../../src/app/dashboard/task-view.ts";
import type { Task } from "../../src/core/task.ts";
import { createWatcher } from "../../src/dashboard/watch.ts";
import { sqliteChangeFeed } from "../../src/store/changes.ts";
import type { ChangeFeed } from "../../src/store/port.ts";
import { FakeClock } from "../helpers/fake-clock.ts";

const NOW = "2026-12-02T10:00:00.000Z";
const never = () => false;

function task(over: Partial<Task> & { id: string }): Task {
  return {
    planId: "task_aaaaaaaa",
    position: 0,
    title: over.id,
    description: "",
    specialistType: "implementer",
    estimatedEffort: "1h",
    status: "pending",
    archivedFrom: null,
    summary: null,
    statusNote: null,
    dependencies: [],
    claim: null,
    createdAt: NOW,
    updatedAt: NOW,
    startedAt: null,
    completedAt: null,
    ...over,
  };
}

/** A feed the test fires by hand, counting starts and stops. */
function manualFeed() {
  const state = { started: 0, stopped: 0, fire: () => {} };
  const open = (): ChangeFeed => ({
    start: async (onChange) => {
      state.started++;
      state.fire = onChange;
    },
    stop: async () => {
      state.stopped++;
    },
  });
  return { state, open };
}

describe("watcher", () => {
  test("one feed for every subscriber; the first change at once, a burst after it as one", async () => {
    const clock = new FakeClock();
    const { state, open } = manualFeed();
    const w = createWatcher(open, { coalesceMs: 250, timers: clock });
    const a: number[] = [];
    const b: number[] = [];
    const stopA = w.subscribe((v) => a.push(v));
    const stopB = w.subscribe((v) => b.push(v));
    expect(state.started).toBe(1);
    state.fire();
    expect(a).toHaveLength(1);
    expect(b).toEqual(a);
    state.fire();
    state.fire();
    state.fire();
    expect(a).toHaveLength(1);
    await clock.advance(249);
    expect(a).toHaveLength(1);
    await clock.advance(1);
    expect(a).toHaveLength(2);
    expect(a[1]!).toBeGreaterThan(a[0]!);
    await clock.advance(1000);
    expect(a).toHaveLength(2);
    stopA();
    expect(state.stopped).toBe(0);
    stopB();
    expect(state.stopped).toBe(1);
    expect(w.state()).toEqual({ subscribers: 0, running: false });
    // A new subscriber starts a new feed.
    const stopC = w.subscribe(() => {});
    expect(state.started).toBe(2);
    stopC();
  });

  test("a failing subscriber does not keep the others from hearing; a pending change dies with the feed", async () => {
    const clock = new FakeClock();
    const { state, open } = manualFeed();
    const w = createWatcher(open, { coalesceMs: 250, timers: clock });
    const heard: number[] = [];
    w.subscribe(() => {
      throw new Error("closed stream");
    });
    const stop = w.subscribe((v) => heard.push(v));
    state.fire();
    expect(heard).toHaveLength(1);
    state.fire();
    expect(clock.pending).toBe(1);
    await w.close();
    expect(clock.pending).toBe(0);
    expect(state.stopped).toBe(1);
    stop();
    expect(state.stopped).toBe(1);
    // Closed: subscribing starts nothing.
    w.subscribe(() => {});
    expect(state.started).toBe(1);
  });

  test("versions only grow, across watchers of the process", () => {
    const one = manualFeed();
    const two = manualFeed();
    const seen: number[] = [];
    createWatcher(one.open).subscribe((v) => seen.push(v));
    createWatcher(two.open).subscribe((v) => seen.push(v));
    one.state.fire();
    two.state.fire();
    expect(seen[1]!).toBeGreaterThan(seen[0]!);
  });
});

describe("SQLite change feed", () => {
  test("a database created after the feed started is a change, then every commit of another connection", async () => {
    const dir = mkdtempSync(join(tmpdir(), "orch-feed-"));
    const path = join(dir, "x.db");
    const feed = sqliteChangeFeed(path, 10);
    let changes = 0;
    let wake = () => {};
    const next = () =>
      new Promise<void>((resolve) => {
        wake = resolve;
      });
    try {
      const created = next();
      await feed.start(() => {
        changes++;
        wake();
      });
      expect(changes).toBe(0);
      const db = new Database(path, { create: true });
      db.exec("pragma journal_mode = wal; create table t (x integer)");
      await created;
      expect(changes).toBe(1);
      const wrote = next();
      db.exec("insert into t values (1)");
      await wrote;
      expect(changes).toBe(2);
      db.close();
    } finally {
      await feed.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("pure parts", () => {
  test("actions a task allows: release only a lapsed claim of an active task", () => {
    const live = { agentId: "a", expiresAt: "2026-12-02T11:00:00.000Z", holder: { host: "h", pid: 7 } };
    expect(availableActions(task({ id: "t", status: "active", claim: live }), NOW, never)).toEqual([
      "cancel",
    ]);
    expect(availableActions(task({ id: "t", status: "active", claim: live }), NOW, () => true)).toEqual([
      "release",
      "cancel",
    ]);
    const late = "2026-12-02T11:00:00.000Z";
    expect(availableActions(task({ id: "t", status: "active", claim: live }), late, never)).toEqual([
      "release",
      "cancel",
    ]);
    expect(availableActions(task({ id: "t", status: "active" }), NOW, never)).toEqual(["release", "cancel"]);
    expect(availableActions(task({ id: "t", status: "pending" }), NOW, never)).toEqual(["cancel"]);
    expect(availableActions(task({ id: "t", status: "failed" }), NOW, never)).toEqual(["cancel", "reopen"]);
    expect(availableActions(task({ id: "t", status: "completed" }), NOW, never)).toEqual(["reopen"]);
    expect(availableActions(task({ id: "t", status: "archived" }), NOW, never)).toEqual([]);
  });

  test("the history note says where an action came from", () => {
    expect(actionNote(undefined)).toBe("from the dashboard");
    expect(actionNote("  ")).toBe("from the dashboard");
    expect(actionNote(" stuck ")).toBe("from the dashboard: stuck");
  });

  test("activity limits are whole, 1 to 1000, the default for anything else", () => {
    expect(activityLimit(50)).toBe(50);
    expect(activityLimit(0)).toBe(1);
    expect(activityLimit(-5)).toBe(1);
    expect(activityLimit(10.7)).toBe(10);
    expect(activityLimit(5000)).toBe(1000);
    expect(activityLimit(Number.NaN)).toBe(ACTIVITY_DEFAULT);
    expect(activityLimit(Number.POSITIVE_INFINITY)).toBe(ACTIVITY_DEFAULT);
  });

  test("progress counts completed and cancelled work of the total", () => {
    const c = { pending: 1, active: 1, blocked: 0, completed: 1, failed: 0, cancelled: 1, total: 4 };
    expect(progressShare(c)).toBe(0.5);
    expect(progressShare({ ...c, pending: 0, active: 0, completed: 0, cancelled: 0, total: 0 })).toBe(0);
  });

  test("ready: pending, dependencies done (an archived or missing one is not), no blocking claim", () => {
    const done = task({ id: "done", status: "completed" });
    const dropped = task({ id: "dropped", status: "cancelled" });
    const shelved = task({ id: "shelved", status: "archived" });
    const byId = new Map([done, dropped, shelved].map((t) => [t.id, t]));
    expect(isReady(task({ id: "x", dependencies: ["done", "dropped"] }), byId, NOW, never)).toBe(true);
    expect(isReady(task({ id: "x", dependencies: ["shelved"] }), byId, NOW, never)).toBe(false);
    expect(isReady(task({ id: "x", dependencies: ["gone"] }), byId, NOW, never)).toBe(false);
    expect(isReady(task({ id: "x", status: "blocked" }), byId, NOW, never)).toBe(false);
    const claim = { agentId: "a", expiresAt: "2026-12-02T10:30:00.000Z", holder: { host: "h", pid: 1 } };
    expect(isReady(task({ id: "x", claim }), byId, NOW, never)).toBe(false);
    expect(isReady(task({ id: "x", claim }), byId, NOW, () => true)).toBe(true);
    expect(isReady(task({ id: "x", claim }), byId, "2026-12-02T10:30:00.000Z", never)).toBe(true);
  });

  test("a claim's view: time left, none once run out, stale when it no longer blocks", () => {
    const claim = { agentId: "a", expiresAt: "2026-12-02T10:05:00.000Z" };
    expect(claimView(claim, NOW, never)).toEqual({
      agentId: "a",
      expiresAt: claim.expiresAt,
      remainingMs: 300_000,
      stale: false,
    });
    expect(claimView(claim, "2026-12-02T10:06:00.000Z", never)).toMatchObject({
      remainingMs: 0,
      stale: true,
    });
  });

  test("an artifact's verdict: ok, mismatch (shown), missing (with why)", () => {
    expect(verdict({ text: "t", from: "store", checksumOk: true }, undefined)).toEqual({
      content: "t",
      checksum: "ok",
      problem: null,
    });
    expect(verdict({ text: "t", from: "file", checksumOk: false }, undefined)).toMatchObject({
      content: "t",
      checksum: "mismatch",
    });
    expect(verdict({ problem: "altered_in_store", detail: "changed" }, "evil")).toEqual({
      content: "evil",
      checksum: "mismatch",
      problem: "changed",
    });
    expect(verdict({ problem: "file_unreadable", detail: "ENOENT" }, undefined)).toEqual({
      content: null,
      checksum: "missing",
      problem: "ENOENT",
    });
    expect(verdict(undefined, undefined).checksum).toBe("missing");
  });
});
