import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { call, callOk, connectBinary, textOf } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";

// Continuity across client restarts, through the compiled binary: a claim lives as long as the
// client connection that made it (the supervisor's process), not as long as its lease.
let project: { dir: string; cleanup: () => void };
beforeEach(() => {
  project = makeProject("orch-claims-e2e-");
});
afterEach(() => project.cleanup());

type Conn = Awaited<ReturnType<typeof connectBinary>>;

/** Waits until no process has `pid` (the OS reaped it), failing after 15 s. */
async function waitGone(pid: number): Promise<void> {
  const end = Date.now() + 15_000;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > end) throw new Error(`process ${pid} is still running`);
    await Bun.sleep(10);
  }
}

async function planAndStart(conn: Conn, id: string): Promise<string> {
  await callOk(conn.client, "orchestrator_plan_task", {
    description: "continuity",
    subtasks: [{ title: "only", specialist_type: "implementer", task_id: id }],
  });
  const started = await callOk(conn.client, "orchestrator_execute_subtask", { task_id: id });
  return started.claim.agent_id as string;
}

const complete = (conn: Conn, id: string) =>
  call(conn.client, "orchestrator_complete_subtask", { task_id: id, summary: "done", detailed_work: "work" });

describe("a restarted client carries on with its own tasks", () => {
  test("(a) the connection closes cleanly; a new connection completes the task at once", async () => {
    const first = await connectBinary({ cwd: project.dir, clientName: "claude-code" });
    const holder = await planAndStart(first, "t_close");
    const pid = first.transport.pid!;
    await first.close();
    await waitGone(pid);

    const second = await connectBinary({ cwd: project.dir, clientName: "claude-code" });
    try {
      const r = await complete(second, "t_close");
      expect(textOf(r)).not.toContain("TASK_CLAIMED");
      expect((r.structuredContent as { status: string }).status).toBe("completed");
      expect(holder).not.toBe("");
    } finally {
      await second.close();
    }
  }, 30_000);

  for (const mode of ["supervised", "unsupervised"] as const) {
    test(`(b) the connection's process is SIGKILLed (${mode}); a new connection completes at once`, async () => {
      const args = mode === "unsupervised" ? ["--no-supervisor"] : [];
      const first = await connectBinary({ cwd: project.dir, clientName: "claude-code", args });
      await planAndStart(first, "t_kill");
      const pid = first.transport.pid!;
      process.kill(pid, "SIGKILL");
      await waitGone(pid);
      await first.close();

      const second = await connectBinary({ cwd: project.dir, clientName: "claude-code", args });
      try {
        const executed = await callOk(second.client, "orchestrator_execute_subtask", { task_id: "t_kill" });
        expect(executed.started).toBe(true);
        expect(executed.taken_over_from).toStartWith("claude-code#");
        const r = await complete(second, "t_kill");
        expect(r.isError).toBeFalsy();
      } finally {
        await second.close();
      }
    }, 30_000);
  }

  test("(c) two live connections: the second is refused with TASK_CLAIMED", async () => {
    const a = await connectBinary({ cwd: project.dir, clientName: "agent-a" });
    const b = await connectBinary({ cwd: project.dir, clientName: "agent-b" });
    try {
      const holder = await planAndStart(a, "t_live");
      const refused = await complete(b, "t_live");
      expect(textOf(refused)).toContain("TASK_CLAIMED");
      expect(textOf(refused)).toContain(holder);
      const executeRefused = await call(b.client, "orchestrator_execute_subtask", { task_id: "t_live" });
      expect(textOf(executeRefused)).toContain("TASK_CLAIMED");
      // Same client name, explicit different agent ids on one connection: still refused.
      const other = await call(a.client, "orchestrator_complete_subtask", {
        task_id: "t_live",
        summary: "x",
        detailed_work: "x",
        agent_id: "someone-else",
      });
      expect(textOf(other)).toContain("TASK_CLAIMED");
      expect((await complete(a, "t_live")).isError).toBeFalsy();
    } finally {
      await a.close();
      await b.close();
    }
  }, 30_000);

  test("(d) a worker restart (orchestrator_restart_server) keeps the claim and the agent id", async () => {
    const a = await connectBinary({ cwd: project.dir, clientName: "claude-code", args: ["--tools", "all"] });
    const b = await connectBinary({ cwd: project.dir, clientName: "other-agent" });
    try {
      const holder = await planAndStart(a, "t_restart");
      const restart = await callOk(a.client, "orchestrator_restart_server", { graceful: true });
      expect(restart.success).toBe(true);
      // The claim still holds against others: the client connection (the supervisor) is alive.
      expect(textOf(await complete(b, "t_restart"))).toContain("TASK_CLAIMED");
      const again = await callOk(a.client, "orchestrator_execute_subtask", { task_id: "t_restart" });
      expect(again.claim.agent_id).toBe(holder);
      expect(again.started).toBe(false);
      expect((await complete(a, "t_restart")).isError).toBeFalsy();
    } finally {
      await a.close();
      await b.close();
    }
  }, 30_000);
});
