import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { thisHost } from "../../src/platform/process.ts";
import { call, callOk, connectInMemory, textOf } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";

// Claims across connections: a lapsed claim (lease run out, or the holder's process gone) is taken
// over; a live holder keeps everyone else off.
let project: { dir: string; cleanup: () => void };
beforeEach(() => {
  project = makeProject("orch-claims-");
});
afterEach(() => project.cleanup());

const LEASE_MS = 60_000;

async function planOne(client: Awaited<ReturnType<typeof connectInMemory>>["client"], id: string) {
  await callOk(client, "orchestrator_plan_task", {
    description: "one task",
    subtasks: [{ title: "only", specialist_type: "tester", task_id: id }],
  });
}

describe("lease takeover", () => {
  test("another agent taking over an expired lease is a start that names the previous holder", async () => {
    let nowMs = Date.parse("2026-11-30T09:00:00.000Z");
    const now = () => new Date(nowMs).toISOString();
    const settings = { leaseMs: LEASE_MS };
    const a = await connectInMemory({ cwd: project.dir, clientName: "agent-a", now, settings });
    const b = await connectInMemory({ cwd: project.dir, clientName: "agent-b", now, settings });
    try {
      await planOne(a.client, "leased");
      const first = await callOk(a.client, "orchestrator_execute_subtask", { task_id: "leased" });
      expect(first.started).toBe(true);
      expect(first.taken_over_from).toBeNull();
      const again = await call(a.client, "orchestrator_execute_subtask", { task_id: "leased" });
      expect((again.structuredContent as { started: boolean }).started).toBe(false);
      expect(textOf(again)).toContain("(lease renewed)");

      nowMs += LEASE_MS + 1000;
      const taken = await call(b.client, "orchestrator_execute_subtask", { task_id: "leased" });
      const s = taken.structuredContent as {
        started: boolean;
        taken_over_from: string;
        claim: { agent_id: string };
      };
      expect(s.started).toBe(true);
      expect(s.taken_over_from).toBe(first.claim.agent_id);
      expect(s.claim.agent_id).toStartWith("agent-b#");
      expect(textOf(taken)).toContain(`taken over from ${first.claim.agent_id}: its lease expired`);
      expect(textOf(taken)).not.toContain("lease renewed");
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe("holder process", () => {
  test("a live holder's claim blocks another agent; once its process is gone the task is free at once", async () => {
    const holder = spawn("sleep", ["60"], { stdio: "ignore" });
    const holderPid = holder.pid!;
    const a = await connectInMemory({
      cwd: project.dir,
      clientName: "agent-a",
      connection: { holder: { host: thisHost(), pid: holderPid } },
    });
    const b = await connectInMemory({
      cwd: project.dir,
      clientName: "agent-b",
      connection: { holder: { host: thisHost(), pid: process.pid } },
    });
    try {
      await planOne(a.client, "held");
      await callOk(a.client, "orchestrator_execute_subtask", { task_id: "held" });
      const refused = await call(b.client, "orchestrator_complete_subtask", {
        task_id: "held",
        summary: "x",
        detailed_work: "x",
      });
      expect(textOf(refused)).toContain("TASK_CLAIMED");
      expect(textOf(await call(b.client, "orchestrator_execute_subtask", { task_id: "held" }))).toContain(
        "TASK_CLAIMED",
      );
      expect(textOf(await call(b.client, "orchestrator_get_status", {}))).not.toContain("can be taken over");

      holder.kill("SIGKILL");
      await once(holder, "exit");
      const detail = await callOk(b.client, "orchestrator_get_task", { task_id: "held" });
      expect(detail.claim.expired).toBe(true);
      const status = textOf(await call(b.client, "orchestrator_get_status", {}));
      expect(status).toContain("disconnected: can be taken over");
      const next = textOf(await call(b.client, "orchestrator_execute_subtask", {}));
      expect(next).toContain("NO_READY_TASK");
      expect(next).toContain("to continue by task_id: held");
      const done = await callOk(b.client, "orchestrator_complete_subtask", {
        task_id: "held",
        summary: "finished by b",
        detailed_work: "x",
      });
      expect(done.status).toBe("completed");
    } finally {
      holder.kill("SIGKILL");
      await a.close();
      await b.close();
    }
  });

  test("a holder on another host is never judged by this host's processes: only its lease frees it", async () => {
    const gone = spawn("true", [], { stdio: "ignore" });
    await once(gone, "exit");
    const a = await connectInMemory({
      cwd: project.dir,
      clientName: "agent-a",
      connection: { holder: { host: "some-other-machine", pid: gone.pid! } },
    });
    const b = await connectInMemory({ cwd: project.dir, clientName: "agent-b" });
    try {
      await planOne(a.client, "remote");
      await callOk(a.client, "orchestrator_execute_subtask", { task_id: "remote" });
      const refused = await call(b.client, "orchestrator_execute_subtask", { task_id: "remote" });
      expect(textOf(refused)).toContain("TASK_CLAIMED");
    } finally {
      await a.close();
      await b.close();
    }
  });
});
