import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { callOk, ROOT } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";
import { storeEnv } from "../helpers/test-store.ts";

/** The Deno executable from the `deno` dev dependency (its platform package), if installed. */
function denoBinary(): string | undefined {
  const scope = join(ROOT, "node_modules", "@deno");
  if (!existsSync(scope)) return undefined;
  for (const pkg of readdirSync(scope)) {
    const exe = join(scope, pkg, process.platform === "win32" ? "deno.exe" : "deno");
    if (existsSync(exe)) return exe;
  }
  return undefined;
}

let project: { dir: string; cleanup: () => void };
beforeAll(() => {
  project = makeProject("orch-deno-");
});
afterAll(() => project.cleanup());

// The same source, unbuilt, under Deno (node:sqlite through the store's adapter; pg under test:pg): one whole flow.
test("deno run -A bin/orchestrator.ts serve: plan → execute → complete → synthesize", async () => {
  const deno = denoBinary();
  expect(deno).toBeDefined();
  const transport = new StdioClientTransport({
    command: deno!,
    args: ["run", "-A", "--quiet", join(ROOT, "bin", "orchestrator.ts"), "serve"],
    cwd: project.dir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      DENO_NO_UPDATE_CHECK: "1",
      ...storeEnv(),
    },
    stderr: "pipe",
  });
  const client = new Client({ name: "deno-smoke", version: "1" });
  await client.connect(transport);
  try {
    const plan = await callOk(client, "orchestrator_plan_task", {
      description: "Deno flow",
      subtasks: [
        { title: "Design", description: "d", specialist_type: "architect", task_id: "d1" },
        {
          title: "Build",
          description: "b",
          specialist_type: "implementer",
          task_id: "b1",
          dependencies: ["d1"],
        },
      ],
    });
    expect(plan.workspace).toBe(project.dir);
    for (const id of ["d1", "b1"]) {
      const exec = await callOk(client, "orchestrator_execute_subtask", { task_id: id });
      expect(exec.status).toBe("active");
      await callOk(client, "orchestrator_complete_subtask", {
        task_id: id,
        summary: `did ${id}`,
        detailed_work: "work",
      });
    }
    const synth = await callOk(client, "orchestrator_synthesize_results", {
      parent_task_id: plan.parent_task_id,
    });
    expect(synth.all_completed).toBe(true);
    expect(synth.markdown).toContain("did b1");
  } finally {
    await client.close();
  }
}, 60_000);
