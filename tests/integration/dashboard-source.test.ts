import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { NO_CHECKOUT_NOTE } from "../../src/app/dashboard/task-view.ts";
import type { ProjectScope } from "../../src/dashboard/contract.ts";
import { callOk } from "../helpers/client.ts";
import { ALL, DashboardWorld, DETAILED, LEASE_MS, rejection } from "../helpers/dashboard-fixture.ts";
import { projectKey, storeExec, testDbUrl } from "../helpers/test-store.ts";

// The dashboard's read models over the real store (a SQLite file, or PostgreSQL under test:pg),
// seeded through the real MCP server: every view's content, scoping and not-found answers.
// Actions and the change feed: dashboard-actions.test.ts.

let w: DashboardWorld;
beforeEach(() => {
  w = new DashboardWorld();
});
afterEach(() => w.close());

describe("read models", () => {
  test("overview: each plan's counts, progress, roles, running claims and last activity", async () => {
    const dir = w.project();
    const { planId } = await w.seed(dir);
    const s = await w.source(dir);
    const o = await s.overview(ALL);
    expect(o.now).toBe(w.now());
    expect(o.store.dialect).toBe(testDbUrl() ? "postgres" : "sqlite");
    expect(o.store.location).not.toContain("password");
    expect(o.actions).toEqual({ allowed: false, actor: null });
    expect(o.projects.map((p) => p.id)).toContain(projectKey(dir));
    const mine = o.projects.find((p) => p.id === projectKey(dir))!;
    expect(mine.morePlans).toBeUndefined();
    expect(mine.plans).toEqual([
      {
        id: planId,
        title: "Ship the API",
        status: "active",
        createdAt: w.at(0),
        updatedAt: w.at(180_000),
        completedAt: null,
        lastActivity: w.at(180_000),
        counts: { pending: 2, active: 1, blocked: 0, completed: 1, failed: 0, cancelled: 0, total: 4 },
        progress: 0.25,
        roles: { architect: 1, implementer: 1, tester: 1, documenter: 1 },
        claimed: 1,
      },
    ]);
  });

  test("plan: the dependency graph with status, role, holder, lease left and ready tasks", async () => {
    const dir = w.project();
    const { planId, agent } = await w.seed(dir);
    const s = await w.source(dir);
    const v = await s.plan(ALL, projectKey(dir), planId);
    expect(v.project).toBe(projectKey(dir));
    expect(v.plan.complexity).toBe("moderate");
    expect(v.plan.claimed).toBe(1);
    expect(
      v.tasks.map((t) => ({
        id: t.id,
        title: t.title,
        role: t.role,
        status: t.status,
        deps: t.dependencies,
        ready: t.ready,
        artifacts: t.artifactCount,
      })),
    ).toEqual([
      {
        id: "design",
        title: "Design it",
        role: "architect",
        status: "completed",
        deps: [],
        ready: false,
        artifacts: 1,
      },
      {
        id: "build",
        title: "Build it",
        role: "implementer",
        status: "active",
        deps: ["design"],
        ready: false,
        artifacts: 0,
      },
      {
        id: "check",
        title: "Check it",
        role: "tester",
        status: "pending",
        deps: ["build"],
        ready: false,
        artifacts: 0,
      },
      {
        id: "write-docs",
        title: "Write the docs",
        role: "documenter",
        status: "pending",
        deps: [],
        ready: true,
        artifacts: 0,
      },
    ]);
    // Claimed at +180 s with a 30 min lease, seen at +240 s.
    expect(v.tasks[1]!.claim).toEqual({
      agentId: agent,
      expiresAt: w.at(180_000 + LEASE_MS),
      remainingMs: LEASE_MS - 60_000,
      stale: false,
    });
    expect(v.tasks[0]!.claim).toBeNull();
    expect(v.tasks[0]!.completedAt).toBe(w.at(120_000));

    // Past the lease the claim no longer blocks: stale, no time left, and not counted as claimed.
    w.nowMs += LEASE_MS;
    const later = await s.plan(ALL, projectKey(dir), planId);
    expect(later.tasks[1]!.claim).toMatchObject({ stale: true, remainingMs: 0 });
    expect(later.plan.claimed).toBe(0);
  });

  test("archived tasks are left out of the graph, its edges and its counts", async () => {
    const dir = w.project();
    const { planId, conn } = await w.seed(dir);
    await callOk(conn.client, "orchestrator_update_task", { task_id: "check", status: "archived" });
    const s = await w.source(dir);
    const v = await s.plan(ALL, projectKey(dir), planId);
    expect(v.tasks.map((t) => t.id)).toEqual(["design", "build", "write-docs"]);
    expect(v.plan.counts.total).toBe(3);
    expect(v.plan.roles).toEqual({ architect: 1, implementer: 1, documenter: 1 });
    const o = await s.overview(ALL);
    expect(o.projects.find((p) => p.id === projectKey(dir))!.plans[0]!.counts.total).toBe(3);
  });

  test("task: fields, dependencies and dependents, prompt, history with who and when, verified artifacts", async () => {
    const dir = w.project();
    const { planId, agent } = await w.seed(dir);
    const s = await w.source(dir);
    const key = projectKey(dir);
    const design = await s.task(ALL, key, "design");
    expect(design.now).toBe(w.now());
    expect(design.project).toBe(key);
    expect(design.planId).toBe(planId);
    expect(design.planTitle).toBe("Ship the API");
    expect(design.task).toEqual({
      id: "design",
      title: "Design it",
      description: "Endpoints and types",
      role: "architect",
      status: "completed",
      estimatedEffort: design.task.estimatedEffort,
      summary: "Two endpoints",
      statusNote: null,
      claim: null,
      ready: false,
      createdAt: w.at(0),
      updatedAt: w.at(120_000),
      startedAt: w.at(60_000),
      completedAt: w.at(120_000),
    });
    expect(design.dependencies).toEqual([]);
    expect(design.dependents).toEqual([{ id: "build", title: "Build it", status: "active" }]);
    expect(design.actions).toEqual([]);
    const transitions = design.history.filter((h) => h.kind === "task_status_changed");
    expect(transitions.map((h) => [h.action, h.from, h.to, h.agentId, h.at])).toEqual([
      ["start", "pending", "active", agent, w.at(60_000)],
      ["complete", "active", "completed", agent, w.at(120_000)],
    ]);
    const seqs = design.history.map((h) => h.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(design.artifacts).toHaveLength(1);
    const art = design.artifacts[0]!;
    expect(art.checksum).toBe("ok");
    expect(art.problem).toBeNull();
    expect(art.type).toBe("general");
    expect(art.summary).toBe("Two endpoints");
    expect(art.content).toContain(DETAILED.trim());
    expect(art.sha256).toBe(createHash("sha256").update(art.content!).digest("hex"));
    expect(art.size).toBe(Buffer.byteLength(art.content!));

    const build = await s.task(ALL, key, "build");
    expect(build.dependencies).toEqual([{ id: "design", title: "Design it", status: "completed" }]);
    expect(build.dependents).toEqual([{ id: "check", title: "Check it", status: "pending" }]);
    expect(build.task.claim?.agentId).toBe(agent);
    // The prompt execute_subtask gave: the role, the task, and what its dependency produced.
    expect(build.prompt).toContain("- Task ID: build");
    expect(build.prompt).toContain(`- Workspace: ${dir}`);
    expect(build.prompt).toContain("The API has two endpoints");
    expect(build.promptNote).toBeNull();
    const ready = await s.task(ALL, key, "write-docs");
    expect(ready.task.ready).toBe(true);
  });

  test("without a local checkout: built-in roles, the note saying so, and an export naming only the project", async () => {
    const dir = w.project();
    const { planId } = await w.seed(dir);
    const s = await w.source(dir, { checkout: undefined });
    const key = projectKey(dir);
    const build = await s.task(ALL, key, "build");
    expect(build.promptNote).toBe(NO_CHECKOUT_NOTE);
    expect(build.prompt).toContain("The API has two endpoints");
    expect(build.prompt).not.toContain(dir);
    const md = await s.exportPlan(ALL, key, planId, "md");
    expect(md.body.split("\n")[0]).toBe(`# Orchestrator export: project ${key}`);
    const json = JSON.parse((await s.exportPlan(ALL, key, planId, "json")).body);
    expect(json.workspace).toBeNull();
    expect(json.project).toBe(key);
  });

  test("an artifact text altered in the store is shown, flagged as a mismatch", async () => {
    const dir = w.project();
    await w.seed(dir);
    await storeExec(
      dir,
      ["update artifacts set content = ? where workspace = ? and task_id = ?"],
      ["# Tampered\n", projectKey(dir), "design"],
    );
    const s = await w.source(dir);
    const [art] = (await s.task(ALL, projectKey(dir), "design")).artifacts;
    expect(art!.checksum).toBe("mismatch");
    expect(art!.content).toBe("# Tampered\n");
    expect(art!.problem).toContain("does not match the size and sha256");
  });

  test("synthesis and export: the report as it stands, and the export command's documents", async () => {
    const dir = w.project();
    const { planId } = await w.seed(dir);
    const s = await w.source(dir);
    const key = projectKey(dir);
    const syn = await s.synthesis(ALL, key, planId);
    expect(syn).toMatchObject({ project: key, planId, allCompleted: false });
    expect(syn.markdown).toContain("Design it");
    expect(syn.markdown).toContain("Two endpoints");
    // The outstanding work is named, never reported as done.
    expect(syn.markdown).toContain("Build it");

    const md = await s.exportPlan(ALL, key, planId, "md");
    expect(md.filename).toBe(`${planId}.md`);
    expect(md.contentType).toBe("text/markdown; charset=utf-8");
    expect(md.body.split("\n")[0]).toBe(`# Orchestrator export: ${dir} (project ${key})`);
    expect(md.body).toContain("# Ship the API");
    const json = await s.exportPlan(ALL, key, planId, "json");
    expect(json.filename).toBe(`${planId}.json`);
    expect(json.contentType).toBe("application/json; charset=utf-8");
    const doc = JSON.parse(json.body);
    expect(doc.workspace).toBe(dir);
    expect(doc.plans).toHaveLength(1);
    expect(doc.plans[0].parent_task_id).toBe(planId);
    expect(doc.plans[0].tasks[0].artifacts[0].content).toContain(DETAILED.trim());
  });

  test("agents: claims held (running, expiring soon, stale), recent completions and last seen", async () => {
    const dir = w.project();
    const { planId, agent } = await w.seed(dir);
    const s = await w.source(dir);
    const key = projectKey(dir);
    const v = await s.agents(ALL);
    const a = v.agents.find((x) => x.agentId === agent)!;
    expect(a).toEqual({
      agentId: agent,
      holding: [
        {
          project: key,
          planId,
          taskId: "build",
          title: "Build it",
          status: "active",
          claim: {
            agentId: agent,
            expiresAt: w.at(180_000 + LEASE_MS),
            remainingMs: LEASE_MS - 60_000,
            stale: false,
          },
          expiringSoon: false,
        },
      ],
      recentCompletions: [{ project: key, planId, taskId: "design", title: "Design it", at: w.at(120_000) }],
      lastSeen: w.at(180_000),
    });
    w.nowMs = Date.parse(w.at(180_000 + LEASE_MS - 60_000));
    const soon = (await s.agents(ALL)).agents.find((x) => x.agentId === agent)!.holding[0]!;
    expect(soon.expiringSoon).toBe(true);
    expect(soon.claim.stale).toBe(false);
    w.nowMs = Date.parse(w.at(180_000 + LEASE_MS + 1));
    const lapsed = (await s.agents(ALL)).agents.find((x) => x.agentId === agent)!.holding[0]!;
    expect(lapsed.claim.stale).toBe(true);
    expect(lapsed.expiringSoon).toBe(false);
    // A day later the completion is no longer recent; the (lapsed) claim is still recorded.
    w.nowMs = Date.parse(w.at(180_000 + 25 * 3600_000));
    const dayLater = (await s.agents(ALL)).agents.find((x) => x.agentId === agent)!;
    expect(dayLater.recentCompletions).toEqual([]);
    expect(dayLater.holding).toHaveLength(1);
  });

  test("activity: newest first across plans with titles, filtered by plan, limit clamped", async () => {
    const dir = w.project();
    const { planId, agent, conn } = await w.seed(dir);
    w.nowMs = Date.parse(w.at(300_000));
    const other = await callOk(conn.client, "orchestrator_plan_task", {
      description: "Another job",
      subtasks: [{ title: "Only step", specialist_type: "researcher", task_id: "only" }],
    });
    const s = await w.source(dir);
    const key = projectKey(dir);
    const all = await s.activity(ALL, { limit: 1000, project: key });
    const seqs = all.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(all.events.map((e) => e.project))).toEqual(new Set([key]));
    expect(all.events[0]).toMatchObject({
      planId: other.parent_task_id,
      planTitle: "Another job",
      at: w.at(300_000),
    });
    const start = all.events.find((e) => e.taskId === "build" && e.action === "start")!;
    expect(start).toMatchObject({
      kind: "task_status_changed",
      from: "pending",
      to: "active",
      agentId: agent,
      planId,
      planTitle: "Ship the API",
      taskTitle: "Build it",
      at: w.at(180_000),
    });
    const one = await s.activity(ALL, { limit: 1000, project: key, planId });
    expect(one.events.length).toBeGreaterThan(0);
    expect(one.events.every((e) => e.planId === planId)).toBe(true);
    expect(one.events.length).toBe(all.events.filter((e) => e.planId === planId).length);
    expect((await s.activity(ALL, { limit: 2, project: key })).events.map((e) => e.seq)).toEqual(
      seqs.slice(0, 2),
    );
    expect((await s.activity(ALL, { limit: 0, project: key })).events).toHaveLength(1);
    expect((await s.activity(ALL, { limit: Number.NaN, project: key })).events).toHaveLength(
      Math.min(200, seqs.length),
    );
  });
});

describe("scope", () => {
  /** Two projects in one database (--db): A with the usual plan, B with one secret plan. */
  async function twoProjects() {
    const a = w.project();
    const b = w.project();
    const db = testDbUrl() ?? join(a, "shared.db");
    const seeded = await w.seed(a, { db });
    const bConn = await w.connect(b, "agent-b", { db });
    const secret = await callOk(bConn.client, "orchestrator_plan_task", {
      description: "Secret project B work",
      subtasks: [{ title: "Hidden step", specialist_type: "researcher", task_id: "hidden" }],
    });
    await callOk(bConn.client, "orchestrator_execute_subtask", { task_id: "hidden" });
    return {
      a,
      b,
      db,
      keyA: projectKey(a),
      keyB: projectKey(b),
      seeded,
      secretPlan: secret.parent_task_id as string,
    };
  }

  test("every project of a database, or only those of the scope or the dashboard's own", async () => {
    const { a, db, keyA, keyB } = await twoProjects();
    const s = await w.source(a, { db });
    const ids = (await s.overview(ALL)).projects.map((p) => p.id);
    expect(ids).toContain(keyA);
    expect(ids).toContain(keyB);
    const onlyA: ProjectScope = { all: false, projects: [keyA] };
    expect((await s.overview(onlyA)).projects.map((p) => p.id)).toEqual([keyA]);
    expect((await s.overview({ all: false, projects: [] })).projects).toEqual([]);
    const own = await w.source(a, { db, projects: [keyA] });
    expect((await own.overview(ALL)).projects.map((p) => p.id)).toEqual([keyA]);
    // The dashboard's own projects and the viewer's scope both apply.
    expect((await own.overview({ all: false, projects: [keyB] })).projects).toEqual([]);
  });

  test("what the scope hides answers exactly as what does not exist, in every view", async () => {
    const { a, db, keyA, keyB, secretPlan } = await twoProjects();
    const s = await w.source(a, { db, actions: { allowed: true, actor: "alice" } });
    const onlyA: ProjectScope = { all: false, projects: [keyA] };

    const hiddenPlan = await rejection(s.plan(onlyA, keyB, secretPlan));
    const unknownPlan = await rejection(s.plan(onlyA, "github.com/nobody/nothing", secretPlan));
    expect(hiddenPlan.code).toBe("PLAN_NOT_FOUND");
    expect(hiddenPlan.message).toBe(`Plan ${secretPlan} was not found in project ${JSON.stringify(keyB)}.`);
    expect(unknownPlan.message).toBe(
      `Plan ${secretPlan} was not found in project "github.com/nobody/nothing".`,
    );
    const missing = await rejection(s.plan(ALL, keyA, "task_00000000"));
    expect(missing).toMatchObject({ code: "PLAN_NOT_FOUND" });

    const hiddenTask = await rejection(s.task(onlyA, keyB, "hidden"));
    expect(hiddenTask).toMatchObject({
      code: "TASK_NOT_FOUND",
      message: `Task hidden was not found in project ${JSON.stringify(keyB)}.`,
    });
    expect((await rejection(s.task(ALL, keyB, "nope"))).message).toBe(
      `Task nope was not found in project ${JSON.stringify(keyB)}.`,
    );
    expect((await rejection(s.synthesis(onlyA, keyB, secretPlan))).code).toBe("PLAN_NOT_FOUND");
    expect((await rejection(s.exportPlan(onlyA, keyB, secretPlan, "json"))).code).toBe("PLAN_NOT_FOUND");
    const act = await rejection(s.act(onlyA, { project: keyB, taskId: "hidden", action: "cancel" }, "alice"));
    expect(act).toMatchObject({ code: "TASK_NOT_FOUND", message: hiddenTask.message });
    expect((await s.activity(onlyA, { limit: 100, project: keyB })).events).toEqual([]);

    // Cross-project views leave B out whole.
    const agents = await s.agents(onlyA);
    expect(agents.agents.flatMap((x) => x.holding.map((h) => h.project))).toEqual([keyA]);
    const activity = await s.activity(onlyA, { limit: 1000 });
    expect(activity.events.length).toBeGreaterThan(0);
    expect(activity.events.every((e) => e.project === keyA)).toBe(true);
    expect(JSON.stringify(activity)).not.toContain("Secret project B");
    // With every project in scope, B is there.
    expect((await s.task(ALL, keyB, "hidden")).planTitle).toBe("Secret project B work");
    expect((await s.agents(ALL)).agents.some((x) => x.holding.some((h) => h.project === keyB))).toBe(true);
  });

  test("a crafted id is quoted in the answer, never echoed raw", async () => {
    const dir = w.project();
    await w.seed(dir);
    const s = await w.source(dir);
    const e = await rejection(s.task(ALL, projectKey(dir), "../\u001b[31mred\n"));
    expect(e.code).toBe("TASK_NOT_FOUND");
    expect(e.message).not.toContain("\n");
    expect(e.message).not.toContain("\u001b");
    const x = await rejection(s.exportPlan(ALL, projectKey(dir), "../../etc/passwd", "md"));
    expect(x.code).toBe("PLAN_NOT_FOUND");
  });
});
