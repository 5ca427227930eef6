import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { isOrchestratorError } from "../../src/core/errors.ts";
import { findCycle, type PlannedTask, readyAtStart, validatePlan } from "../../src/core/plan.ts";
import { progressOf, readyTasks } from "../../src/core/readiness.ts";
import { TASK_STATUSES, type Task, type TaskCounts, type TaskStatus } from "../../src/core/task.ts";
import { canTransition, nextStatus, TASK_TRANSITIONS, type TaskAction } from "../../src/core/transitions.ts";

const ROLES = new Set(["architect", "implementer", "tester"]);
const ACTIONS = Object.keys(TASK_TRANSITIONS) as TaskAction[];
const RUNS = Number(process.env.ORCHESTRATOR_PROPERTY_RUNS ?? 300);

/** Raw subtask lists a model might send: titles, roles (some unknown), dependencies by title, id or nonsense. */
const rawPlan = fc
  .array(
    fc.record({
      title: fc.oneof(
        { arbitrary: fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h"), weight: 30 },
        { arbitrary: fc.string({ maxLength: 8 }), weight: 1 },
      ),
      specialist_type: fc.oneof(
        { arbitrary: fc.constantFrom("architect", "implementer", "tester"), weight: 60 },
        { arbitrary: fc.string({ maxLength: 6 }), weight: 1 },
      ),
      deps: fc.array(
        fc.oneof({ arbitrary: fc.nat(8), weight: 60 }, { arbitrary: fc.constantFrom("zzz", ""), weight: 1 }),
        { maxLength: 2 },
      ),
      id: fc.option(fc.constantFrom("t1", "t2", "t3", "t4"), { nil: undefined, freq: 4 }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((items) => {
    // Mostly unique titles and backward dependencies (valid plans), sometimes duplicates,
    // forward or self references (cycles) and dangling names (refusals).
    const titles = items.map((it, i) => (it.title.length % 5 === 0 ? it.title : `${it.title}-${i}`));
    return items.map((it, i) => ({
      title: titles[i] as string,
      specialist_type: it.specialist_type,
      dependencies: it.deps.map((d) => {
        if (typeof d !== "number") return d;
        const target = d % 7 === 0 ? d % items.length : i === 0 ? 0 : i - 1 - (d % i);
        return titles[target] as string;
      }),
      ...(it.id ? { task_id: it.id } : {}),
      description: `#${i}`,
    }));
  });

describe("plan validation (property)", () => {
  test("any input is either refused as PLAN_INVALID or gives an acyclic plan with unique ids and known deps", () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(rawPlan, (items) => {
        let n = 0;
        let planned: ReturnType<typeof validatePlan>;
        try {
          planned = validatePlan(items, { roles: ROLES, newTaskId: (role) => `${role}_${++n}` });
        } catch (e) {
          expect(isOrchestratorError(e, "PLAN_INVALID")).toBe(true);
          refused++;
          return;
        }
        accepted++;
        const ids = planned.map((t) => t.id);
        expect(new Set(ids).size).toBe(ids.length);
        const index = new Map(ids.map((id, i) => [id, i]));
        for (const t of planned) {
          expect(ROLES.has(t.specialistType)).toBe(true);
          for (const d of t.dependencies) expect(index.has(d)).toBe(true);
          expect(t.dependencies).not.toContain(t.id);
        }
        expect(findCycle(planned.map((t) => t.dependencies.map((d) => index.get(d) as number)))).toBeNull();
        // plan_task reports readyAtStart; it must be what the readiness rule says of a new plan.
        expect(readyAtStart(planned).map((t) => t.id)).toEqual(
          readyTasks(planned.map(fresh)).map((t) => t.id),
        );
      }),
      { numRuns: RUNS * 3 },
    );
    // Both outcomes must really be exercised, or the property says little.
    expect(accepted).toBeGreaterThan(RUNS / 10);
    expect(refused).toBeGreaterThan(RUNS / 10);
  });
});

/** A planned task as stored: pending, unclaimed, nothing done. */
function fresh(t: PlannedTask): Task {
  const at = "2026-01-01T00:00:00.000Z";
  return {
    ...t,
    planId: "task_00000000",
    status: "pending",
    archivedFrom: null,
    summary: null,
    statusNote: null,
    claim: null,
    createdAt: at,
    updatedAt: at,
    startedAt: null,
    completedAt: null,
  };
}

describe("task state machine (property)", () => {
  test("any action sequence moves a task only along the table; refused actions change nothing", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ACTIONS), { maxLength: 40 }), (actions) => {
        let status: TaskStatus = "pending";
        let archivedFrom: TaskStatus | null = null;
        for (const action of actions) {
          const allowed = canTransition(status, action);
          let next: TaskStatus | undefined;
          try {
            next = nextStatus("t", status, action, archivedFrom);
          } catch (e) {
            expect(isOrchestratorError(e, "TRANSITION_NOT_ALLOWED")).toBe(true);
          }
          expect(next !== undefined).toBe(allowed);
          if (next === undefined) continue;
          const rule = TASK_TRANSITIONS[action];
          expect(rule.to === "previous" ? next === (archivedFrom ?? "pending") : next === rule.to).toBe(true);
          expect(TASK_STATUSES).toContain(next);
          archivedFrom = next === "archived" ? status : archivedFrom;
          status = next;
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });

  test("progress counts exactly the completed tasks, out of those not cancelled", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...TASK_STATUSES.filter((s) => s !== "archived")), { maxLength: 50 }),
        (statuses) => {
          const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
          for (const s of statuses) counts[s]++;
          const p = progressOf({ ...counts, total: statuses.length } as TaskCounts);
          expect(p.completed).toBe(statuses.filter((s) => s === "completed").length);
          expect(p.total).toBe(statuses.filter((s) => s !== "cancelled").length);
          expect(p.percentage).toBeGreaterThanOrEqual(0);
          expect(p.percentage).toBeLessThanOrEqual(100);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
