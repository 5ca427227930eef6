import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { callOk, connectInMemory, localCopiesWritten } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";

let project: { dir: string; cleanup: () => void };
let conn: Awaited<ReturnType<typeof connectInMemory>>;
beforeEach(async () => {
  project = makeProject("orch-res-");
  conn = await connectInMemory({ cwd: project.dir });
});
afterEach(async () => {
  await conn.close();
  project.cleanup();
});

test("plans, tasks and artifacts are readable as resources, mirroring the tools", async () => {
  const plan = await callOk(conn.client, "orchestrator_plan_task", {
    description: "Resource plan",
    subtasks: [{ title: "Write it", specialist_type: "documenter", task_id: "doc1" }],
  });
  await callOk(conn.client, "orchestrator_execute_subtask", { task_id: "doc1" });
  const done = await callOk(conn.client, "orchestrator_complete_subtask", {
    task_id: "doc1",
    summary: "written",
    detailed_work: "# The doc\nbody",
  });

  const templates = await conn.client.listResourceTemplates();
  expect(templates.resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
    "orchestrator://artifacts/{id}",
    "orchestrator://plans/{id}",
    "orchestrator://tasks/{id}",
  ]);
  const listed = await conn.client.listResources();
  expect(listed.resources.map((r) => r.uri)).toContain(`orchestrator://plans/${plan.parent_task_id}`);

  const planRes = await conn.client.readResource({ uri: `orchestrator://plans/${plan.parent_task_id}` });
  const planJson = JSON.parse((planRes.contents[0] as { text: string }).text);
  expect(planJson.status).toBe("completed");
  expect(planJson.tasks[0].task_id).toBe("doc1");

  const taskRes = await conn.client.readResource({ uri: "orchestrator://tasks/doc1" });
  const taskJson = JSON.parse((taskRes.contents[0] as { text: string }).text);
  expect(taskJson.task.summary).toBe("written");
  expect(taskJson.artifacts[0].uri).toBe(done.artifact.uri);

  const art = await conn.client.readResource({ uri: done.artifact.uri });
  expect(art.contents[0]!.mimeType).toBe("text/markdown");
  expect((art.contents[0] as { text: string }).text).toContain("# The doc\nbody");
  // The text comes from the store: the resource reads the same without the local copy, and
  // reading does not write the copy back.
  const copy = join(project.dir, done.artifact.path);
  await localCopiesWritten();
  rmSync(copy);
  const again = await conn.client.readResource({ uri: done.artifact.uri });
  expect((again.contents[0] as { text: string }).text).toBe((art.contents[0] as { text: string }).text);
  expect(existsSync(copy)).toBe(false);

  await expect(conn.client.readResource({ uri: "orchestrator://tasks/nope" })).rejects.toThrow(
    /TASK_NOT_FOUND/,
  );
});

test("each role is a prompt; task_id gives the stored task's full specialist prompt", async () => {
  const { prompts } = await conn.client.listPrompts();
  expect(prompts.map((p) => p.name)).toEqual([
    "architect",
    "implementer",
    "debugger",
    "documenter",
    "reviewer",
    "tester",
    "researcher",
  ]);
  const free = await conn.client.getPrompt({
    name: "reviewer",
    arguments: { task: "Review the login flow" },
  });
  const freeText = (free.messages[0]!.content as { text: string }).text;
  expect(freeText).toContain("Review the login flow");
  expect(freeText).toContain("## Output format");

  await callOk(conn.client, "orchestrator_plan_task", {
    description: "Prompt plan",
    context: "Shared background",
    subtasks: [
      { title: "Test the parser", description: "Edge cases", specialist_type: "tester", task_id: "t1" },
    ],
  });
  const stored = await conn.client.getPrompt({ name: "tester", arguments: { task_id: "t1" } });
  const storedText = (stored.messages[0]!.content as { text: string }).text;
  expect(storedText).toContain("Test the parser");
  expect(storedText).toContain("Shared background");
  // Reading the prompt claims nothing.
  const t = await callOk(conn.client, "orchestrator_get_task", { task_id: "t1" });
  expect(t.task.status).toBe("pending");
});

test("custom roles of the workspace are offered as prompts when the server starts", async () => {
  await conn.close();
  const dir = join(project.dir, ".task_orchestrator", "roles");
  await Bun.write(join(dir, "x.yaml"), "");
  writeFileSync(
    join(dir, "team.yaml"),
    "release_manager:\n  summary: Ships releases\n  role_definition: You ship releases.\n",
  );
  conn = await connectInMemory({ cwd: project.dir });
  const { prompts } = await conn.client.listPrompts();
  expect(prompts.find((p) => p.name === "release_manager")?.description).toBe("Ships releases");
});
