import { afterEach, beforeEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { callOk, connectBinary } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";

let project: { dir: string; cleanup: () => void };
beforeEach(() => {
  project = makeProject("orch-code-pages-");
});
afterEach(() => project.cleanup());

/** Resident file-backed KiB of a process (the mapped binary, mostly its code). */
const fileKb = (pid: number): number =>
  Number(/^RssFile:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN);

async function until(pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return pred();
}

// docs/performance.md, "Idle memory": a quiet server releases the code pages its start touched.
test.if(process.platform === "linux")(
  "a quiet server sheds its start's code pages, and serves on afterwards",
  async () => {
    const { client, transport, close } = await connectBinary({ cwd: project.dir });
    try {
      await client.listTools();
      await callOk(client, "orchestrator_get_status", {});
      const supervisor = transport.pid as number;
      const worker = Number(
        readFileSync(`/proc/${supervisor}/task/${supervisor}/children`, "utf8").trim().split(/\s+/)[0],
      );
      const busy = { supervisor: fileKb(supervisor), worker: fileKb(worker) };
      // Both processes go quiet; the release comes 10 s after the last input (waiting on /proc,
      // with room for a loaded machine).
      const shed = await until(
        () => fileKb(supervisor) < busy.supervisor / 2 && fileKb(worker) < busy.worker / 2,
        40_000,
      );
      expect({ shed, busy, now: { supervisor: fileKb(supervisor), worker: fileKb(worker) } }).toMatchObject({
        shed: true,
      });
      const plan = await callOk(client, "orchestrator_plan_task", {
        description: "after the release",
        subtasks: [{ title: "one", specialist_type: "implementer" }],
      });
      const task = plan.subtasks[0].task_id as string;
      await callOk(client, "orchestrator_execute_subtask", { task_id: task });
      const done = await callOk(client, "orchestrator_complete_subtask", {
        task_id: task,
        summary: "ok",
        detailed_work: "all of it",
      });
      expect(done.status).toBe("completed");
    } finally {
      await close();
    }
  },
  70_000,
);
