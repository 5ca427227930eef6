import { afterAll, expect, test } from "bun:test";
import fc from "fast-check";
import { TASK_TRANSITIONS } from "../../src/core/transitions.ts";
import { call, callOk, connectInMemory } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";

const RUNS = Number(process.env.ORCHESTRATOR_PROPERTY_RUNS ?? 300);
const project = makeProject("orch-prop-");
afterAll(() => project.cleanup());

/** Every (from, to) pair some action of the one transition table allows. */
const LEGAL = new Set(
  Object.values(TASK_TRANSITIONS).flatMap((r) =>
    r.from.map((f) => `${f}>${r.to === "previous" ? "*" : r.to}`),
  ),
);

type Op =
  | { kind: "execute"; task: number; agent: string }
  | {
      kind: "complete";
      task: number;
      agent: string;
      next: "complete" | "continue" | "needs_revision" | "blocked";
    };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("execute" as const),
    task: fc.nat(4),
    agent: fc.constantFrom("ann", "bob", "cy"),
  }),
  fc.record({
    kind: fc.constant("complete" as const),
    task: fc.nat(4),
    agent: fc.constantFrom("ann", "bob", "cy"),
    next: fc.constantFrom(
      "complete" as const,
      "continue" as const,
      "needs_revision" as const,
      "blocked" as const,
    ),
  }),
);

// Through the real server and a real SQLite file: any sequence of executes and completes by
// three agents keeps the invariants the product promises.
test("any sequence of agent calls: one holder per claim, legal transitions only, deps respected, progress = completed", async () => {
  const conn = await connectInMemory({ cwd: project.dir, workspace: project.dir });
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(3), { minLength: 2, maxLength: 5 }),
        fc.array(op, { minLength: 5, maxLength: 30 }),
        async (depSeeds, ops) => {
          // Each task may depend on one earlier task.
          const subtasks = depSeeds.map((d, i) => ({
            title: `t${i}`,
            specialist_type: "tester",
            dependencies: i > 0 && d % 2 === 0 ? [`t${d % i}`] : [],
          }));
          const plan = await callOk(conn.client, "orchestrator_plan_task", { description: "prop", subtasks });
          const ids: string[] = plan.subtasks.map((s: { task_id: string }) => s.task_id);
          const deps = subtasks.map((s) =>
            s.dependencies.map((title) => ids[Number(title.slice(1))] as string),
          );
          const status = new Map(ids.map((id) => [id, "pending"]));
          const holder = new Map<string, string>();
          for (const o of ops) {
            const id = ids[o.task % ids.length] as string;
            const before = status.get(id);
            const depsDone = (deps[ids.indexOf(id)] ?? []).every((d) => status.get(d) === "completed");
            const r =
              o.kind === "execute"
                ? await call(conn.client, "orchestrator_execute_subtask", { task_id: id, agent_id: o.agent })
                : await call(conn.client, "orchestrator_complete_subtask", {
                    task_id: id,
                    agent_id: o.agent,
                    summary: "s",
                    detailed_work: "w",
                    next_action: o.next,
                  });
            const held = holder.get(id);
            // A live claim by someone else refuses both calls.
            if (held && held !== o.agent) expect(r.isError).toBe(true);
            const t = (await callOk(conn.client, "orchestrator_get_task", { task_id: id })).task;
            if (t.status !== before) {
              expect(r.isError).toBeFalsy();
              expect(LEGAL.has(`${before}>${t.status}`)).toBe(true);
            }
            // A task becomes completed only while its dependencies are (it may stay completed
            // when one of them is later sent back for revision).
            if (t.status === "completed" && before !== "completed") expect(depsDone).toBe(true);
            if (t.status === "active") {
              expect(t.claimed_by).not.toBeNull();
              if (held) expect(t.claimed_by).toBe(held);
            }
            status.set(id, t.status);
            if (t.claimed_by) holder.set(id, t.claimed_by);
            else holder.delete(id);
          }
          const st = await callOk(conn.client, "orchestrator_get_status", {
            parent_task_id: plan.parent_task_id,
          });
          const p = st.plans[0];
          expect(p.progress.completed).toBe([...status.values()].filter((s) => s === "completed").length);
        },
      ),
      { numRuns: Math.max(10, Math.round(RUNS / 5)) },
    );
  } finally {
    await conn.close();
  }
}, 120_000);
