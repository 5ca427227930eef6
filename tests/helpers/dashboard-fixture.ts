import { join } from "node:path";
import type { ProjectScope } from "../../src/dashboard/contract.ts";
import { createDashboardSource, type DashboardSourceOptions } from "../../src/dashboard/source.ts";
import { StoreCache } from "../../src/store/cache.ts";
import { callOk, connectInMemory } from "./client.ts";
import { makeProject } from "./temp.ts";
import { projectKey, testDbUrl } from "./test-store.ts";

/*
 * The dashboard tests' world: projects seeded through the real MCP server (in-memory SDK client)
 * on a clock the test moves, and dashboard sources over the same database (a SQLite file, or the
 * test's PostgreSQL database under test:pg).
 */

export const ALL: ProjectScope = { all: true };
export const LEASE_MS = 30 * 60_000;
export const T0 = Date.parse("2026-12-02T10:00:00.000Z");
export const DETAILED = "# Design\n\nThe API has two endpoints: `GET /a` and `POST /b`.\n";

type Conn = Awaited<ReturnType<typeof connectInMemory>>;
type ConnectExtra = Partial<Parameters<typeof connectInMemory>[0]>;

export interface Seeded {
  readonly planId: string;
  /** The agent id the server gave agent-a. */
  readonly agent: string;
  readonly conn: Conn;
}

export class DashboardWorld {
  nowMs = T0;
  readonly now = (): string => new Date(this.nowMs).toISOString();
  readonly projects: { dir: string; cleanup: () => void }[] = [];
  readonly #conns: Conn[] = [];
  readonly #sources: { close(): Promise<void> }[] = [];
  readonly stores = new StoreCache();

  /** T0 + ms as ISO. */
  at(ms: number): string {
    return new Date(T0 + ms).toISOString();
  }

  project(): string {
    const p = makeProject("orch-dash-");
    this.projects.push(p);
    return p.dir;
  }

  /** The database a project's server writes: the test's PostgreSQL URL, or the workspace's own file. */
  target(dir: string): string {
    return testDbUrl() ?? join(dir, ".task_orchestrator", "orchestrator.db");
  }

  async connect(dir: string, clientName: string, extra: ConnectExtra = {}): Promise<Conn> {
    const c = await connectInMemory({
      cwd: dir,
      clientName,
      now: this.now,
      settings: { leaseMs: LEASE_MS },
      ...extra,
    });
    this.#conns.push(c);
    return c;
  }

  /**
   * Plan "Ship the API": design (done at +120 s, with an artifact) → build (claimed by agent-a at
   * +180 s) → check; write-docs with no dependency (ready). The clock is left at +240 s.
   */
  async seed(dir: string, extra: ConnectExtra = {}): Promise<Seeded> {
    const conn = await this.connect(dir, "agent-a", extra);
    this.nowMs = T0;
    const plan = await callOk(conn.client, "orchestrator_plan_task", {
      description: "Ship the API",
      context: "A small service",
      subtasks: [
        {
          title: "Design it",
          description: "Endpoints and types",
          specialist_type: "architect",
          task_id: "design",
        },
        { title: "Build it", specialist_type: "implementer", task_id: "build", dependencies: ["design"] },
        { title: "Check it", specialist_type: "tester", task_id: "check", dependencies: ["build"] },
        { title: "Write the docs", specialist_type: "documenter", task_id: "write-docs" },
      ],
    });
    this.nowMs = T0 + 60_000;
    const started = await callOk(conn.client, "orchestrator_execute_subtask", { task_id: "design" });
    this.nowMs = T0 + 120_000;
    await callOk(conn.client, "orchestrator_complete_subtask", {
      task_id: "design",
      summary: "Two endpoints",
      detailed_work: DETAILED,
      next_action: "complete",
    });
    this.nowMs = T0 + 180_000;
    await callOk(conn.client, "orchestrator_execute_subtask", { task_id: "build" });
    this.nowMs = T0 + 240_000;
    return { planId: plan.parent_task_id as string, agent: started.claim.agent_id as string, conn };
  }

  /** A dashboard source over `db` (default: the project's database) with the project's checkout. */
  async source(
    dir: string,
    opts: Partial<DashboardSourceOptions> & { readonly db?: string | undefined } = {},
  ) {
    const { db, ...rest } = opts;
    const where = db ?? this.target(dir);
    const s = createDashboardSource({
      store: await this.stores.get(where),
      target: where,
      checkout: { path: dir, project: projectKey(dir) },
      clock: { now: this.now },
      holderGone: () => false,
      ...rest,
    });
    this.#sources.push(s);
    return s;
  }

  async close(): Promise<void> {
    for (const s of this.#sources) await s.close();
    for (const c of this.#conns) await c.close();
    await this.stores.closeAll();
    for (const p of this.projects) p.cleanup();
  }
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error("expected a rejection");
}
