import { describe, expect, test } from "bun:test";
import { isOrchestratorError } from "../../src/core/errors.ts";
import { countTasks, TASK_STATUSES, type TaskStatus } from "../../src/core/task.ts";
import {
  canTransition,
  countsShift,
  derivePlanStatus,
  nextStatus,
  TASK_TRANSITIONS,
  type TaskAction,
} from "../../src/core/transitions.ts";

describe("task state machine", () => {
  test("every allowed move lands where the table says, every other move is refused", () => {
    for (const action of Object.keys(TASK_TRANSITIONS) as TaskAction[]) {
      for (const status of TASK_STATUSES) {
        if (canTransition(status, action)) {
          const to = nextStatus("t", status, action, "completed");
          const rule = TASK_TRANSITIONS[action].to;
          expect(to).toBe(rule === "previous" ? "completed" : rule);
        } else {
          let err: unknown;
          try {
            nextStatus("t", status, action);
          } catch (e) {
            err = e;
          }
          expect(isOrchestratorError(err, "TRANSITION_NOT_ALLOWED")).toBe(true);
        }
      }
    }
  });

  test("a completed task cannot be started again and the message says from where it can", () => {
    expect(() => nextStatus("impl_1", "completed", "start")).toThrow(
      /allowed only from pending, blocked, failed/,
    );
  });

  test("restore returns an archived task to its previous status", () => {
    expect(nextStatus("t", "archived", "restore", "blocked")).toBe("blocked");
  });
});

describe("plan status", () => {
  const counts = (m: Partial<Record<TaskStatus, number>>) =>
    countTasks(Object.entries(m) as [TaskStatus, number][]);
  test("completed only when nothing is left to do and something was done", () => {
    expect(derivePlanStatus("active", counts({ completed: 3 }))).toBe("completed");
    expect(derivePlanStatus("active", counts({ completed: 2, cancelled: 1 }))).toBe("completed");
    expect(derivePlanStatus("active", counts({ completed: 2, blocked: 1 }))).toBe("active");
    expect(derivePlanStatus("active", counts({ cancelled: 2 }))).toBe("active");
    expect(derivePlanStatus("completed", counts({ completed: 2, pending: 1 }))).toBe("active");
    expect(derivePlanStatus("cancelled", counts({ completed: 2 }))).toBe("cancelled");
  });
  test("archived tasks are not counted", () => {
    expect(counts({ archived: 4, pending: 1 }).total).toBe(1);
  });
});

describe("plan counters", () => {
  test("a transition's shift added to the counts of a plan equals a recount after it, from every status", () => {
    // A plan holding one task of every status, each of which in turn makes each move it may.
    const before = TASK_STATUSES.map((s) => [s, 1] as const);
    for (const from of TASK_STATUSES) {
      for (const to of TASK_STATUSES) {
        const after = before.map(([s, n]) => [s, s === from ? n - 1 : n] as const).concat([[to, 1]]);
        const shift = countsShift(from, to);
        const counts = countTasks(before);
        const added = Object.fromEntries(
          Object.entries(counts).map(([k, n]) => [k, n + shift[k as keyof typeof shift]]),
        );
        expect(added).toEqual({ ...countTasks(after) });
      }
    }
  });
});
