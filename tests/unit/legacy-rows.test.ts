import { expect, test } from "bun:test";
import { checkLegacyRows, legacyTime } from "../../src/app/_legacy-rows.ts";
import type { LegacyBreakdown, LegacySubtask } from "../../src/store/legacy.ts";

const plan = (id: unknown, extra: Partial<Record<keyof LegacyBreakdown, unknown>> = {}): LegacyBreakdown => ({
  parent_task_id: id,
  description: "d",
  complexity: "simple",
  context: null,
  created_at: "2025-06-01 10:00:00.000000",
  ...extra,
});
const sub = (
  id: unknown,
  parent: unknown,
  extra: Partial<Record<keyof LegacySubtask, unknown>> = {},
): LegacySubtask => ({
  task_id: id,
  parent_task_id: parent,
  title: "t",
  description: "d",
  specialist_type: "tester",
  dependencies: "[]",
  estimated_effort: "1h",
  status: "pending",
  results: null,
  artifacts: null,
  created_at: null,
  completed_at: null,
  ...extra,
});

test("times of any SQLite type: SQLAlchemy text, ISO with a zone, unix seconds and milliseconds", () => {
  expect(legacyTime("2025-06-01 10:00:00.123456")).toBe("2025-06-01T10:00:00.123Z");
  expect(legacyTime("2025-06-01T12:00:00+02:00")).toBe("2025-06-01T10:00:00.000Z");
  expect(legacyTime("2025-06-01")).toBe("2025-06-01T00:00:00.000Z");
  expect(legacyTime(1_748_772_000)).toBe("2025-06-01T10:00:00.000Z");
  expect(legacyTime(1_748_772_000_000)).toBe("2025-06-01T10:00:00.000Z");
  expect(legacyTime(1_748_772_000n)).toBe("2025-06-01T10:00:00.000Z");
  expect(legacyTime(null)).toBeNull();
  for (const bad of ["yesterday", "2025-13-45", "", 1e20, Number.NaN, new Uint8Array([1]), { a: 1 }]) {
    expect(legacyTime(bad)).toBeUndefined();
  }
});

test("a plan with a bad id, a bad time, binary text or a NUL in a subtask id is skipped whole, with the reason", () => {
  const r = checkLegacyRows({
    breakdowns: [
      plan("task_good0001", { created_at: 1_748_772_000 }),
      plan("../.."),
      plan("task_badtime1", { created_at: "soon" }),
      plan("task_nulsub01"),
      plan("task_blob0001"),
      plan("task_good0001"),
    ],
    subtasks: [
      sub("tester_aaaaaa", "task_good0001", { created_at: 1_748_772_001_000, title: 42 }),
      sub("tester_bbbbbb", "../.."),
      sub("tester_cccccc", "task_badtime1"),
      sub("tester\0dd", "task_nulsub01"),
      sub("tester_eeeeee", "task_blob0001", { description: new Uint8Array([1, 2]) }),
    ],
  });
  expect(r.plans.map((p) => p.id)).toEqual(["task_good0001"]);
  expect(r.plans[0]?.createdAt).toBe("2025-06-01T10:00:00.000Z");
  expect(r.plans[0]?.subtasks[0]).toMatchObject({ title: "42", createdAt: "2025-06-01T10:00:01.000Z" });
  const why = Object.fromEntries(r.skipped.map((s) => [s.id, s.why]));
  expect(why["../.."]).toContain("breaks the id rule");
  expect(why.task_badtime1).toContain('created_at "soon" is not a time');
  expect(why.task_nulsub01).toContain('subtask id "tester\\u0000dd" breaks the id rule');
  expect(why.task_blob0001).toContain("description is binary data");
  expect(r.skipped.filter((s) => s.id === "task_good0001")[0]?.why).toContain("appears twice");
});
