import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { call, callOk, connectBinary, textOf } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";
import { EXPECTED_JOURNAL_MODE, TEST_STORE } from "../helpers/test-store.ts";

let project: { dir: string; cleanup: () => void };
beforeEach(() => {
  project = makeProject("orch-hot-");
  mkdirSync(join(project.dir, ".task_orchestrator"), { recursive: true });
});
afterEach(() => project.cleanup());

const leaseMinutes = (claim: { expires_at: string }): number =>
  Math.round((Date.parse(claim.expires_at) - Date.now()) / 60_000);

test("settings.yaml and role files are re-read when they change, by the same worker", async () => {
  const { client, close } = await connectBinary({ cwd: project.dir });
  const settings = join(project.dir, ".task_orchestrator", "settings.yaml");
  try {
    const plan = await callOk(client, "orchestrator_plan_task", {
      description: "hot",
      subtasks: [
        { title: "a", specialist_type: "tester" },
        { title: "b", specialist_type: "tester" },
        { title: "c", specialist_type: "tester" },
      ],
    });
    const ids = plan.subtasks.map((s: { task_id: string }) => s.task_id);
    const before = await callOk(client, "orchestrator_health_check", {});
    expect(before.database).toMatchObject({ dialect: TEST_STORE, journal_mode: EXPECTED_JOURNAL_MODE });
    expect(before.database.postgres === null).toBe(TEST_STORE === "sqlite");
    expect(
      leaseMinutes((await callOk(client, "orchestrator_execute_subtask", { task_id: ids[0] })).claim),
    ).toBe(30);

    writeFileSync(settings, "# shorter leases for this repo\nlease: 2m\n");
    expect(
      leaseMinutes((await callOk(client, "orchestrator_execute_subtask", { task_id: ids[1] })).claim),
    ).toBe(2);

    writeFileSync(settings, "lease: 2m\nleese: 5m\n");
    const bad = await call(client, "orchestrator_execute_subtask", { task_id: ids[2] });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toContain("SETTINGS_INVALID");
    expect(textOf(bad)).toContain("leese");
    writeFileSync(settings, "lease: [2m\n");
    const broken = await call(client, "orchestrator_execute_subtask", { task_id: ids[2] });
    expect(textOf(broken)).toMatch(/settings\.yaml:\d+:\d+/);
    const untouched = await callOk(client, "orchestrator_get_task", { task_id: ids[2] });
    expect(untouched.task.status).toBe("pending");

    writeFileSync(settings, "lease: 1h\n");
    expect(
      leaseMinutes((await callOk(client, "orchestrator_execute_subtask", { task_id: ids[2] })).claim),
    ).toBe(60);

    mkdirSync(join(project.dir, ".task_orchestrator", "roles"), { recursive: true });
    writeFileSync(
      join(project.dir, ".task_orchestrator", "roles", "team.yaml"),
      "release_manager:\n  summary: Ships releases\n  role_definition: You ship careful releases.\n",
    );
    const second = await callOk(client, "orchestrator_plan_task", {
      description: "uses a role added while connected",
      subtasks: [{ title: "ship", specialist_type: "release_manager" }],
    });
    expect(second.subtasks[0].specialist_type).toBe("release_manager");

    const after = await callOk(client, "orchestrator_health_check", {});
    expect(after.server.pid).toBe(before.server.pid);
    expect(after.supervisor.restarts).toBe(0);
  } finally {
    await close();
  }
}, 30_000);

test("a lease set on the command line wins over the settings file", async () => {
  writeFileSync(join(project.dir, ".task_orchestrator", "settings.yaml"), "lease: 2m\n");
  const { client, close } = await connectBinary({ cwd: project.dir, args: ["--lease", "10m"] });
  try {
    const plan = await callOk(client, "orchestrator_plan_task", {
      description: "fixed",
      subtasks: [{ title: "a", specialist_type: "tester" }],
    });
    const exec = await callOk(client, "orchestrator_execute_subtask", { task_id: plan.subtasks[0].task_id });
    expect(leaseMinutes(exec.claim)).toBe(10);
  } finally {
    await close();
  }
}, 30_000);
