import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { call, callOk, connectInMemory, localCopiesWritten, textOf } from "../helpers/client.ts";
import { fingerprint } from "../helpers/fingerprint.ts";
import { makeProject } from "../helpers/temp.ts";

let project: { dir: string; cleanup: () => void };
let conn: Awaited<ReturnType<typeof connectInMemory>>;

beforeEach(async () => {
  project = makeProject();
  conn = await connectInMemory({ cwd: "/", tools: "core" });
});
afterEach(async () => {
  await conn.close();
  project.cleanup();
});

const SUBTASKS = [
  {
    title: "Design the API",
    description: "Endpoints and types",
    specialist_type: "architect",
    task_id: "design",
  },
  {
    title: "Implement it",
    description: "Write the code",
    specialist_type: "implementer",
    dependencies: ["design"],
  },
  {
    title: "Test it",
    description: "Unit and e2e tests",
    specialist_type: "tester",
    dependencies: ["Implement it"],
  },
];

describe("core tools over a real MCP client", () => {
  test("lists the 7 core tools with titles, annotations and output schemas", async () => {
    const { tools } = await conn.client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      "orchestrator_initialize_session",
      "orchestrator_plan_task",
      "orchestrator_execute_subtask",
      "orchestrator_complete_subtask",
      "orchestrator_synthesize_results",
      "orchestrator_get_status",
      "orchestrator_maintenance_coordinator",
    ]);
    for (const t of tools) {
      expect(t.title).toBeTruthy();
      expect(t.annotations).toBeDefined();
      expect(t.outputSchema?.type).toBe("object");
    }
    expect(conn.client.getInstructions()).toContain("orchestrator_plan_task");
  });

  test("refuses to work without a workspace instead of writing into an unknown place", async () => {
    const r = await call(conn.client, "orchestrator_get_status");
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("WORKSPACE_UNRESOLVED");
    expect(textOf(r)).toContain("working_directory");
    const root = await call(conn.client, "orchestrator_initialize_session", { working_directory: "/" });
    expect(textOf(root)).toContain("WORKSPACE_FORBIDDEN");
  });

  test("plan → execute → complete → synthesize, with dependencies enforced and a sticky workspace", async () => {
    const init = await callOk(conn.client, "orchestrator_initialize_session", {
      working_directory: project.dir,
    });
    expect(init.workspace).toBe(project.dir);
    expect(init.roles.map((r: { name: string }) => r.name)).toContain("tester");
    expect(existsSync(join(project.dir, ".task_orchestrator", "roles", "custom_roles.yaml"))).toBe(true);

    const plan = await callOk(conn.client, "orchestrator_plan_task", {
      description: "Ship the API",
      subtasks: SUBTASKS,
    });
    expect(plan.workspace).toBe(project.dir);
    expect(plan.workspace_source).toBe("session");
    expect(plan.parent_task_id).toMatch(/^task_[0-9a-f]{8}$/);
    const [design, impl, tester] = plan.subtasks.map((s: { task_id: string }) => s.task_id);
    expect(impl).toMatch(/^implementer_[0-9a-f]{6}$/);
    expect(plan.ready_tasks).toEqual([design]);

    // The tester waits for the implementer: refused, and nothing changes.
    const before = fingerprint(project.dir);
    const early = await call(conn.client, "orchestrator_execute_subtask", { task_id: tester });
    expect(early.isError).toBe(true);
    expect(textOf(early)).toContain("DEPENDENCIES_UNMET");
    expect(textOf(early)).toContain(impl);
    expect(fingerprint(project.dir)).toBe(before);

    const exec = await callOk(conn.client, "orchestrator_execute_subtask", { task_id: design });
    expect(exec.status).toBe("active");
    expect(exec.claim.agent_id).toContain("test-client");
    expect(exec.prompt).toContain("Design the API");

    const done = await callOk(conn.client, "orchestrator_complete_subtask", {
      task_id: design,
      summary: "REST API with 3 endpoints",
      detailed_work: "# API\nGET /items",
      file_paths: ["docs/api.md"],
      artifact_type: "design",
      next_action: "complete",
    });
    expect(done.status).toBe("completed");
    expect(done.parent_task_progress).toMatchObject({
      completed_subtasks: 1,
      total_subtasks: 3,
      progress: "in_progress",
    });
    expect(done.next_recommended_task.task_id).toBe(impl);
    const artifactFile = join(project.dir, done.artifact.path);
    await localCopiesWritten();
    expect(readFileSync(artifactFile, "utf8")).toContain("GET /items");

    // The next specialist sees what its dependency produced.
    const exec2 = await callOk(conn.client, "orchestrator_execute_subtask", { task_id: impl });
    expect(exec2.prompt).toContain("REST API with 3 endpoints");
    expect(exec2.prompt).toContain(done.artifact.path);
    expect(exec2.dependencies[0].artifacts[0].artifact_id).toBe(done.artifact.artifact_id);

    // needs_revision sends it back to pending with the note; blocked records the reason.
    const rev = await callOk(conn.client, "orchestrator_complete_subtask", {
      task_id: impl,
      summary: "Tests fail on empty input",
      detailed_work: "draft",
      next_action: "needs_revision",
    });
    expect(rev.status).toBe("pending");
    await callOk(conn.client, "orchestrator_execute_subtask", { task_id: impl });
    const blocked = await callOk(conn.client, "orchestrator_complete_subtask", {
      task_id: impl,
      summary: "Waiting for DB credentials",
      detailed_work: "n/a",
      next_action: "blocked",
    });
    expect(blocked.status).toBe("blocked");

    const partial = await callOk(conn.client, "orchestrator_synthesize_results", {
      parent_task_id: plan.parent_task_id,
    });
    expect(partial.all_completed).toBe(false);
    expect(partial.outstanding.map((o: { task_id: string }) => o.task_id)).toEqual([impl, tester]);
    expect(partial.markdown).toContain("Not finished");
    expect(partial.markdown).toContain("Waiting for DB credentials");

    await callOk(conn.client, "orchestrator_execute_subtask", { task_id: impl });
    await callOk(conn.client, "orchestrator_complete_subtask", {
      task_id: impl,
      summary: "Done",
      detailed_work: "code",
      next_action: "continue",
    });
    await callOk(conn.client, "orchestrator_execute_subtask", { task_id: tester });
    const last = await callOk(conn.client, "orchestrator_complete_subtask", {
      task_id: tester,
      summary: "All green",
      detailed_work: "12 tests",
    });
    expect(last.parent_task_progress).toMatchObject({
      progress: "completed",
      completed_subtasks: 3,
      progress_percentage: 100,
    });
    expect(last.next_recommended_task).toBeNull();

    const synth = await callOk(conn.client, "orchestrator_synthesize_results", {
      parent_task_id: plan.parent_task_id,
    });
    expect(synth.all_completed).toBe(true);
    expect(synth.plan_status).toBe("completed");
    expect(synth.by_role.map((g: { specialist_type: string }) => g.specialist_type)).toEqual([
      "architect",
      "implementer",
      "tester",
    ]);
    expect(synth.timeline.length).toBeGreaterThan(5);

    const status = await callOk(conn.client, "orchestrator_get_status", { include_completed: true });
    expect(status.completed_tasks).toBe(3);
    expect(status.plans_completed).toBe(1);
    expect(status.plans[0].progress.percentage).toBe(100);
  });

  test("refused plans store nothing", async () => {
    await callOk(conn.client, "orchestrator_initialize_session", { working_directory: project.dir });
    await callOk(conn.client, "orchestrator_plan_task", {
      description: "seed",
      subtasks: [{ title: "x", specialist_type: "tester", task_id: "taken" }],
    });
    const before = fingerprint(project.dir);
    const cases: Record<string, unknown>[] = [
      {
        description: "cycle",
        subtasks: [
          { title: "a", specialist_type: "tester", dependencies: ["b"] },
          { title: "b", specialist_type: "tester", dependencies: ["a"] },
        ],
      },
      {
        description: "unknown dep",
        subtasks: [{ title: "a", specialist_type: "tester", dependencies: ["ghost"] }],
      },
      { description: "unknown role", subtasks: [{ title: "a", specialist_type: "wizard" }] },
      { description: "bad json", subtasks_json: "[{title: 'a'" },
      { description: "json not array", subtasks_json: '{"title":"a"}' },
      { description: "id taken", subtasks: [{ title: "a", specialist_type: "tester", task_id: "taken" }] },
      {
        description: "both forms",
        subtasks: [{ title: "a", specialist_type: "tester" }],
        subtasks_json: "[]",
      },
      { description: "no subtasks" },
      { description: 42 },
    ];
    for (const args of cases) {
      const r = await call(conn.client, "orchestrator_plan_task", args);
      expect(r.isError).toBe(true);
      expect(textOf(r).length).toBeGreaterThan(10);
    }
    expect(fingerprint(project.dir)).toBe(before);
  });

  test("custom roles from roles/*.yaml are usable in plans and their prompts", async () => {
    await callOk(conn.client, "orchestrator_initialize_session", { working_directory: project.dir });
    await Bun.write(
      join(project.dir, ".task_orchestrator", "roles", "team.yaml"),
      "security_auditor:\n  summary: Audits for vulnerabilities\n  role_definition: You are a meticulous security auditor.\n  expertise: [OWASP Top 10]\n  approach: [Threat-model first]\n  output_format: Findings by severity.\n",
    );
    const plan = await callOk(conn.client, "orchestrator_plan_task", {
      description: "Audit",
      subtasks_json: JSON.stringify([
        { title: "Audit auth", description: "Check login", specialist_type: "security_auditor" },
      ]),
    });
    const exec = await callOk(conn.client, "orchestrator_execute_subtask", {
      task_id: plan.subtasks[0].task_id,
    });
    expect(exec.prompt).toContain("You are a meticulous security auditor.");
    expect(exec.prompt).toContain("OWASP Top 10");
    expect(exec.prompt).toContain("Findings by severity.");
  });

  test("an error result reaches an SDK client that has listed the tools (it validates structured output)", async () => {
    await conn.client.listTools();
    const r = await call(conn.client, "orchestrator_execute_subtask", {
      working_directory: project.dir,
      task_id: "no-such-task",
    });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toStartWith("TASK_NOT_FOUND:");
    expect(r.structuredContent).toBeUndefined();
    expect((r._meta?.["orchestrator/error"] as { code?: string } | undefined)?.code).toBe("TASK_NOT_FOUND");
  });

  test("bad input is answered with a clear isError result and the server keeps going", async () => {
    const r = await call(conn.client, "orchestrator_execute_subtask", { task_id: 12 });
    expect(r.isError).toBe(true);
    // The SDK's own schema refusal, rewritten into our format: code, field, what to do.
    expect(textOf(r)).toStartWith("INVALID_INPUT: orchestrator_execute_subtask: task_id: ");
    expect(textOf(r)).toContain("What to do:");
    expect((r._meta?.["orchestrator/error"] as { code?: string } | undefined)?.code).toBe("INVALID_INPUT");
    const traversal = await call(conn.client, "orchestrator_complete_subtask", {
      working_directory: project.dir,
      task_id: "x",
      summary: "s",
      detailed_work: "d",
      file_paths: ["../../etc/passwd"],
    });
    expect(textOf(traversal)).toContain("PATH_OUTSIDE_WORKSPACE");
    const missing = await call(conn.client, "orchestrator_execute_subtask", {
      working_directory: project.dir,
      task_id: "nope",
    });
    expect(textOf(missing)).toContain("TASK_NOT_FOUND");
    const ok = await call(conn.client, "orchestrator_get_status", { working_directory: project.dir });
    expect(ok.isError).toBeFalsy();
  });

  test("the server's --workspace is checked once per connection, and a folder removed since fails the next call", async () => {
    const other = makeProject();
    const bound = await connectInMemory({ cwd: "/", tools: "core", workspace: other.dir });
    try {
      const first = await callOk(bound.client, "orchestrator_get_status");
      expect(first.workspace).toBe(other.dir);
      expect(first.workspace_source).toBe("server");
      expect((await callOk(bound.client, "orchestrator_get_status")).workspace).toBe(other.dir);
      other.cleanup();
      const gone = await call(bound.client, "orchestrator_get_status");
      expect(gone.isError).toBe(true);
      expect(textOf(gone)).toStartWith("WORKSPACE_NOT_FOUND:");
    } finally {
      await bound.close();
      other.cleanup();
    }
  });
});
