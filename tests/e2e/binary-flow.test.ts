import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { BINARY, call, callOk, connectBinary, textOf } from "../helpers/client.ts";
import { fingerprint } from "../helpers/fingerprint.ts";
import { makeProject } from "../helpers/temp.ts";
import { countRows, storeEnv } from "../helpers/test-store.ts";

// These tests drive the compiled dist/orchestrator (built by `bun run test` before `bun test`).
let project: { dir: string; cleanup: () => void };
beforeAll(() => {
  project = makeProject("orch-e2e-");
});
afterAll(() => project.cleanup());

function run(args: string[], cwd = project.dir, env: Record<string, string> = {}) {
  return spawnSync(BINARY, args, {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...storeEnv(), ...env },
  });
}

describe("compiled binary over stdio", () => {
  test("a whole plan → execute → complete → synthesize flow, with refusals that change nothing", async () => {
    const { client, stderr, close } = await connectBinary({ cwd: "/" });
    try {
      expect(client.getServerVersion()?.name).toBe("orchestrator");
      const init = await callOk(client, "orchestrator_initialize_session", {
        working_directory: project.dir,
      });
      expect(init.workspace).toBe(project.dir);

      const plan = await callOk(client, "orchestrator_plan_task", {
        description: "Add search",
        subtasks_json: JSON.stringify([
          { title: "Research options", description: "Compare engines", specialist_type: "researcher" },
          {
            title: "Build search",
            description: "Implement",
            specialist_type: "implementer",
            dependencies: ["Research options"],
          },
          {
            title: "Review",
            description: "Review the code",
            specialist_type: "reviewer",
            dependencies: ["Build search"],
          },
        ]),
      });
      const ids: string[] = plan.subtasks.map((s: { task_id: string }) => s.task_id);

      const before = fingerprint(project.dir);
      const refusals: [string, Record<string, unknown>, string][] = [
        ["orchestrator_execute_subtask", { task_id: ids[2] }, "DEPENDENCIES_UNMET"],
        [
          "orchestrator_plan_task",
          { description: "c", subtasks: [{ title: "a", specialist_type: "tester", dependencies: ["a"] }] },
          "PLAN_INVALID",
        ],
        [
          "orchestrator_plan_task",
          { description: "r", subtasks: [{ title: "a", specialist_type: "astronaut" }] },
          "is not a known role",
        ],
        ["orchestrator_plan_task", { description: "j", subtasks_json: "not json" }, "not valid JSON"],
        [
          "orchestrator_plan_task",
          {
            description: "cy",
            subtasks: [
              { title: "a", specialist_type: "tester", dependencies: ["b"] },
              { title: "b", specialist_type: "tester", dependencies: ["a"] },
            ],
          },
          "cycle",
        ],
        [
          "orchestrator_complete_subtask",
          { task_id: ids[1], summary: "s", detailed_work: "d" },
          "DEPENDENCIES_UNMET",
        ],
      ];
      for (const [tool, args, expected] of refusals) {
        const r = await call(client, tool, args);
        expect(r.isError).toBe(true);
        expect(textOf(r)).toContain(expected);
      }
      expect(fingerprint(project.dir)).toBe(before);

      for (const id of ids) {
        const exec = await callOk(client, "orchestrator_execute_subtask", { task_id: id });
        expect(exec.prompt).toContain("orchestrator_complete_subtask");
        await callOk(client, "orchestrator_complete_subtask", {
          task_id: id,
          summary: `done ${id}`,
          detailed_work: `work of ${id}`,
          artifact_type: "code",
        });
      }
      const synth = await callOk(client, "orchestrator_synthesize_results", {
        parent_task_id: plan.parent_task_id,
      });
      expect(synth.all_completed).toBe(true);
      expect(synth.progress).toEqual({ completed: 3, total: 3, percentage: 100 });
      const counts: Record<string, number> = {};
      for (const table of ["plans", "tasks", "task_dependencies", "artifacts"])
        counts[table] = await countRows(project.dir, table);
      expect(counts).toEqual({ plans: 1, tasks: 3, task_dependencies: 2, artifacts: 3 });
      expect(stderr()).not.toContain("Error");
    } finally {
      await close();
    }
  });

  test("two server processes on one workspace see the same state", async () => {
    const a = await connectBinary({ cwd: project.dir, clientName: "agent-a" });
    const b = await connectBinary({ cwd: project.dir, clientName: "agent-b" });
    try {
      const plan = await callOk(a.client, "orchestrator_plan_task", {
        description: "Shared",
        subtasks: [{ title: "one", specialist_type: "tester", task_id: "shared_one" }],
      });
      expect(plan.workspace_source).toBe("project_marker");
      const seen = await callOk(b.client, "orchestrator_get_status", { parent_task_id: plan.parent_task_id });
      expect(seen.plans[0].tasks[0].task_id).toBe("shared_one");
      await callOk(a.client, "orchestrator_execute_subtask", { task_id: "shared_one" });
      const taken = await call(b.client, "orchestrator_execute_subtask", { task_id: "shared_one" });
      expect(taken.isError).toBe(true);
      expect(textOf(taken)).toContain("agent-a");
      await callOk(a.client, "orchestrator_complete_subtask", {
        task_id: "shared_one",
        summary: "ok",
        detailed_work: "ok",
      });
      const after = await callOk(b.client, "orchestrator_get_status", {
        parent_task_id: plan.parent_task_id,
      });
      expect(after.plans[0].status).toBe("completed");
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("every tool of the all profile has a title, annotations, an output schema and described parameters", async () => {
    const { client, close } = await connectBinary({ cwd: project.dir, args: ["--tools", "all"] });
    try {
      const { tools } = await client.listTools();
      expect(tools.length).toBe(18);
      const undescribed: string[] = [];
      for (const t of tools) {
        expect(t.title ?? "").not.toBe("");
        expect(t.description ?? "").not.toBe("");
        expect(t.annotations).toBeDefined();
        expect(t.outputSchema).toBeDefined();
        const props = (t.inputSchema.properties ?? {}) as Record<string, { description?: string }>;
        for (const [name, p] of Object.entries(props))
          if (!p.description) undescribed.push(`${t.name}.${name}`);
      }
      expect(undescribed).toEqual([]);
    } finally {
      await close();
    }
  });

  test("stdout carries only protocol messages", () => {
    const init = `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } })}\n`;
    const r = spawnSync(BINARY, ["serve", "--workspace", project.dir], {
      input: init,
      encoding: "utf8",
      env: { ...process.env, ...storeEnv() },
    });
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).result.serverInfo.name).toBe("orchestrator");
    expect(r.status).toBe(0);
  });

  test.each([[[]], [["--no-supervisor"]]])(
    "requests piped in a file and stdin closed at once are all answered (serve %p)",
    (extra) => {
      const lines = [
        {
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: "2025-06-18",
            capabilities: {},
            clientInfo: { name: "pipe", version: "1" },
          },
        },
        { jsonrpc: "2.0", method: "notifications/initialized" },
        {
          jsonrpc: "2.0",
          id: 2,
          method: "tools/call",
          params: {
            name: "orchestrator_plan_task",
            arguments: { description: "piped", subtasks: [{ title: "a", specialist_type: "tester" }] },
          },
        },
        {
          jsonrpc: "2.0",
          id: 3,
          method: "tools/call",
          params: { name: "orchestrator_health_check", arguments: {} },
        },
        { jsonrpc: "2.0", id: 4, method: "tools/list", params: {} },
      ];
      const r = spawnSync(BINARY, ["serve", "--workspace", project.dir, ...(extra as string[])], {
        input: `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`,
        encoding: "utf8",
        timeout: 20_000,
        env: { ...process.env, ...storeEnv() },
      });
      const answers = r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(answers.map((a) => a.id).sort()).toEqual([1, 2, 3, 4]);
      for (const a of answers) expect(a.error ?? a.result?.isError ?? null).toBeFalsy();
      expect(r.stderr).not.toContain("destroyed");
      expect(r.status).toBe(0);
    },
  );
});

describe("compiled binary CLI", () => {
  test("version reports the injected version and runtime", () => {
    const r = run(["version", "--json"]);
    expect(r.status).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(v.version).not.toBe("0.0.0-dev");
    expect(v.runtime).toBe("bun");
    expect(v.compiled).toBe(true);
  });

  test.each([
    [["frobnicate"], 2, "unknown command"],
    [["serve", "--workspace", "/definitely/not/here"], 2, "does not exist"],
    [["serve", "--bogus"], 2, "Unknown option"],
    [["status", "--limit", "zero"], 2, "--limit"],
  ])("%p exits %i with a one-line error", (args, code, message) => {
    const r = run(args as string[]);
    expect(r.status).toBe(code as number);
    expect(r.stderr).toContain(message as string);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toContain("    at ");
  });

  test("--help works for every command", () => {
    for (const args of [["--help"], ["serve", "--help"], ["status", "--help"], ["version", "--help"]]) {
      const r = run(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("Usage");
    }
  });

  test("status shows the plans as a tree, and as JSON", () => {
    const r = run(["status", "--all"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Add search");
    expect(r.stdout).toContain("3/3");
    const j = run(["status", "--all", "--json"]);
    const data = JSON.parse(j.stdout);
    expect(data.workspace).toBe(project.dir);
    expect(data.plans.length).toBeGreaterThanOrEqual(2);
  });

  test("the binary exists", () => {
    expect(existsSync(BINARY)).toBe(true);
    expect(readFileSync(BINARY).length).toBeGreaterThan(1_000_000);
  });
});
