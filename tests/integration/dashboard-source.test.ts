import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { ProjectScope } from "../../src/dashboard/contract.ts";
import { createDashboardSource } from "../../src/dashboard/source.ts";
import { StoreCache } from "../../src/store/cache.ts";
import { callOk, connectInMemory } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";
import { projectKey, storeExec, testDbUrl } from "../helpers/test-store.ts";

// The dashboard's data source over the real store (SQLite file, or PostgreSQL under test:pg),
// seeded through the real MCP server: every view's content, scoping, actions and the change feed.

const ALL: ProjectScope = { all: true };
const LEASE_MS = 30 * 60_000;
const T0 = Date.parse("2026-12-02T10:00:00.000Z");

let nowMs = T0;
const now = () => new Date(nowMs).toISOString();
const at = (ms: number) => new Date(T0 + ms).toISOString();

type Conn = Awaited<ReturnType<typeof connectInMemory>>;
let project: { dir: string; cleanup: () => void };
let conns: Conn[];
let stores: StoreCache;

beforeEach(() => {
  nowMs = T0;
  project = makeProject("orch-dash-");
  conns = [];
  stores = new StoreCache();
});
afterEach(async () => {
  for (const c of conns) await c.close();
  await stores.closeAll();
  project.cleanup();
});

/** The database the server wrote: the test's PostgreSQL URL, or the workspace's own file. */
function target(dir: string): string {
  return testDbUrl() ?? join(dir, ".task_orchestrator", "orchestrator.db");
}

async function connect(dir: string, clientName: string): Promise<Conn> {
  const c = await connectInMemory({ cwd: dir, clientName, now, settings: { leaseMs: LEASE_MS } });
  conns.push(c);
  return c;
}

const DETAILED = "# Design\n\nThe API has two endpoints: `GET /a` and `POST /b`.\n";

/**
 * Plan "Ship the API": design (done, with an artifact) → build (active, held by agent-a) → check;
 * and write-docs with no dependency (ready). Each call a minute after the one before.
 */
async function seed(dir: string) {
  const a = await connect(dir, "agent-a");
  const plan = await callOk(a.client, "orchestrator_plan_task", {
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
  nowMs = T0 + 60_000;
  const started = await callOk(a.client, "orchestrator_execute_subtask", { task_id: "design" });
  const agent = started.claim.agent_id as string;
  nowMs = T0 + 120_000;
  await callOk(a.client, "orchestrator_complete_subtask", {
    task_id: "design",
    summary: "Two endpoints",
    detailed_work: DETAILED,
    next_action: "complete",
  });
  nowMs = T0 + 180_000;
  await callOk(a.client, "orchestrator_execute_subtask", { task_id: "build" });
  nowMs = T0 + 240_000;
  return { planId: plan.parent_task_id as string, agent, client: a.client };
}

async function source(dir: string, opts: Partial<Parameters<typeof createDashboardSource>[0]> = {}) {
  const store = await stores.get(target(dir));
  const s = createDashboardSource({
    store,
    target: target(dir),
    checkout: { path: dir, project: projectKey(dir) },
    clock: { now },
    holderGone: () => false,
    ...opts,
  });
  return s;
}

describe("read models", () => {
  test("overview: each plan's counts, progress, roles, running claims and last activity", async () => {
    const { planId } = await seed(project.dir);
    const s = await source(project.dir);
    try {
      const o = await s.overview(ALL);
      const key = projectKey(project.dir);
      const mine = o.projects.find((p) => p.id === key);
      expect(mine).toBeDefined();
      expect(o.now).toBe(now());
      expect(o.store.dialect).toBe(testDbUrl() ? "postgres" : "sqlite");
      expect(o.actions).toEqual({ allowed: false, actor: null });
      expect(mine!.morePlans).toBeUndefined();
      expect(mine!.plans).toEqual([
        {
          id: planId,
          title: "Ship the API",
          status: "active",
          createdAt: at(0),
          updatedAt: at(180_000),
          completedAt: null,
          lastActivity: at(180_000),
          counts: { pending: 2, active: 1, blocked: 0, completed: 1, failed: 0, cancelled: 0, total: 4 },
          progress: 0.25,
          roles: { architect: 1, implementer: 1, tester: 1, documenter: 1 },
          claimed: 1,
        },
      ]);
    } finally {
      await s.close();
    }
  });

  test("plan: the dependency graph with status, role, holder, lease left and ready tasks", async () => {
    const { planId, agent } = await seed(project.dir);
    const s = await source(project.dir);
    try {
      const v = await s.plan(ALL, projectKey(project.dir), planId);
      expect(v.project).toBe(projectKey(project.dir));
      expect(v.plan.complexity).toBe("moderate");
      expect(v.plan.claimed).toBe(1);
      const brief = v.tasks.map((t) => ({
        id: t.id,
        role: t.role,
        status: t.status,
        deps: t.dependencies,
        ready: t.ready,
        artifacts: t.artifactCount,
      }));
      expect(brief).toEqual([
        { id: "design", role: "architect", status: "completed", deps: [], ready: false, artifacts: 1 },
        { id: "build", role: "implementer", status: "active", deps: ["design"], ready: false, artifacts: 0 },
        { id: "check", role: "tester", status: "pending", deps: ["build"], ready: false, artifacts: 0 },
        { id: "write-docs", role: "documenter", status: "pending", deps: [], ready: true, artifacts: 0 },
      ]);
      const build = v.tasks[1]!;
      // Claimed at +180 s with a 30 min lease, seen at +240 s.
      expect(build.claim).toEqual({
        agentId: agent,
        expiresAt: at(180_000 + LEASE_MS),
        remainingMs: LEASE_MS - 60_000,
        stale: false,
      });
      expect(v.tasks[0]!.claim).toBeNull();
      expect(v.tasks[0]!.completedAt).toBe(at(120_000));
    } finally {
      await s.close();
    }
  });

  test("task: fields, dependencies and dependents, prompt, history with who and when, verified artifacts", async () => {
    const { planId, agent } = await seed(project.dir);
    const s = await source(project.dir);
    try {
      const key = projectKey(project.dir);
      const design = await s.task(ALL, key, "design");
      expect(design.planId).toBe(planId);
      expect(design.planTitle).toBe("Ship the API");
      expect(design.task).toMatchObject({
        id: "design",
        title: "Design it",
        description: "Endpoints and types",
        role: "architect",
        status: "completed",
        summary: "Two endpoints",
        claim: null,
        ready: false,
        startedAt: at(60_000),
        completedAt: at(120_000),
      });
      expect(design.dependencies).toEqual([]);
      expect(design.dependents).toEqual([{ id: "build", title: "Build it", status: "active" }]);
      expect(design.actions).toEqual([]);
      const transitions = design.history.filter((h) => h.kind === "task_status_changed");
      expect(transitions.map((h) => [h.action, h.from, h.to, h.agentId, h.at])).toEqual([
        ["start", "pending", "active", agent, at(60_000)],
        ["complete", "active", "completed", agent, at(120_000)],
      ]);
      expect(design.artifacts).toHaveLength(1);
      const art = design.artifacts[0]!;
      expect(art.checksum).toBe("ok");
      expect(art.problem).toBeNull();
      expect(art.content).toContain(DETAILED.trim());
      expect(art.sha256).toBe(createHash("sha256").update(art.content!).digest("hex"));
      expect(art.size).toBe(Buffer.byteLength(art.content!));

      const build = await s.task(ALL, key, "build");
      expect(build.dependencies).toEqual([{ id: "design", title: "Design it", status: "completed" }]);
      expect(build.dependents).toEqual([
        { id: "check", title: "Build it".replace("Build", "Check"), status: "pending" },
      ]);
      expect(build.task.claim?.agentId).toBe(agent);
      // The prompt execute_subtask gave: the role, the task, and what its dependency produced.
      expect(build.prompt).toContain("- Task ID: build");
      expect(build.prompt).toContain(`- Workspace: ${project.dir}`);
      expect(build.prompt).toContain("The API has two endpoints");
      expect(build.promptNote).toBeNull();
    } finally {
      await s.close();
    }
  });

  test("an artifact text altered in the store is shown flagged as a mismatch", async () => {
    await seed(project.dir);
    await storeExec(
      project.dir,
      ["update artifacts set content = ? where workspace = ? and task_id = ?"],
      ["# Tampered\n", projectKey(project.dir), "design"],
    );
    const s = await source(project.dir);
    try {
      const [art] = (await s.task(ALL, projectKey(project.dir), "design")).artifacts;
      expect(art!.checksum).toBe("mismatch");
      expect(art!.content).toBe("# Tampered\n");
      expect(art!.problem).toContain("does not match the size and sha256");
    } finally {
      await s.close();
    }
  });
});
