import { describe, expect, test } from "bun:test";
import { isOrchestratorError } from "../../src/core/errors.ts";
import { findCycle, type PlanIssue, parseSubtasksJson, validatePlan } from "../../src/core/plan.ts";

const ROLES = new Set(["architect", "implementer", "tester", "reviewer"]);
function ctx(): { roles: Set<string>; newTaskId: (role: string) => string } {
  let n = 0;
  return { roles: ROLES, newTaskId: (role) => `${role}_${(n++).toString(16).padStart(6, "0")}` };
}

function issuesOf(fn: () => unknown): PlanIssue[] {
  try {
    fn();
  } catch (e) {
    if (isOrchestratorError(e, "PLAN_INVALID")) return e.data?.issues as PlanIssue[];
    throw e;
  }
  throw new Error("expected PLAN_INVALID");
}

describe("validatePlan", () => {
  test("resolves dependencies given by title or id, and generates upstream-shaped ids", () => {
    const tasks = validatePlan(
      [
        { title: "Design", description: "d", specialist_type: "architect", task_id: "design" },
        { title: "Build", description: "b", specialist_type: "Implementer", dependencies: ["design"] },
        { title: "Test", description: "t", specialist_type: "tester", dependencies: ["build"] },
      ],
      ctx(),
    );
    expect(tasks.map((t) => t.id)).toEqual(["design", "implementer_000000", "tester_000001"]);
    expect(tasks[1]!.specialistType).toBe("implementer");
    expect(tasks[1]!.dependencies).toEqual(["design"]);
    expect(tasks[2]!.dependencies).toEqual(["implementer_000000"]);
    expect(tasks[0]!.estimatedEffort).toBe("Unknown");
  });

  test.each([
    [
      "unknown dependency",
      [{ title: "A", specialist_type: "architect", dependencies: ["nope"] }],
      "unknown_dependency",
    ],
    [
      "self dependency",
      [{ title: "A", specialist_type: "architect", dependencies: ["A"] }],
      "self_dependency",
    ],
    ["unknown role", [{ title: "A", specialist_type: "wizard" }], "unknown_role"],
    ["empty plan", [], "empty_plan"],
    ["missing title", [{ specialist_type: "architect" }], "invalid_subtask"],
    [
      "duplicate id",
      [
        { title: "A", specialist_type: "architect", task_id: "x" },
        { title: "B", specialist_type: "architect", task_id: "x" },
      ],
      "duplicate_id",
    ],
    [
      "ambiguous title",
      [
        { title: "Same", specialist_type: "architect" },
        { title: "Same", specialist_type: "tester" },
        { title: "C", specialist_type: "tester", dependencies: ["same"] },
      ],
      "ambiguous_dependency",
    ],
    [
      "cycle",
      [
        { title: "A", specialist_type: "architect", dependencies: ["C"] },
        { title: "B", specialist_type: "architect", dependencies: ["A"] },
        { title: "C", specialist_type: "architect", dependencies: ["B"] },
      ],
      "cycle",
    ],
  ])("refuses a plan with %s", (_name, items, code) => {
    const issues = issuesOf(() => validatePlan(items, ctx()));
    expect(issues.map((i) => i.code)).toContain(code as PlanIssue["code"]);
  });

  test("drawn ids never repeat within one plan, even when the random source draws one twice", () => {
    // A source that draws implementer_000000 twice in a row, then moves on (as 6 random hex digits can).
    const draws = [
      "implementer_000000",
      "implementer_000000",
      "implementer_000001",
      "implementer_000000",
      "implementer_000002",
    ];
    const tasks = validatePlan(
      [
        { title: "A", specialist_type: "implementer" },
        { title: "B", specialist_type: "implementer" },
        { title: "C", specialist_type: "implementer" },
      ],
      { roles: ROLES, newTaskId: () => draws.shift() as string },
    );
    expect(tasks.map((t) => t.id)).toEqual([
      "implementer_000000",
      "implementer_000001",
      "implementer_000002",
    ]);
  });

  test("lists every problem, not just the first", () => {
    const issues = issuesOf(() =>
      validatePlan(
        [
          { title: "A", specialist_type: "wizard", dependencies: ["ghost"] },
          { title: "B", specialist_type: "mage" },
        ],
        ctx(),
      ),
    );
    expect(issues.filter((i) => i.code === "unknown_role")).toHaveLength(2);
    expect(issues.filter((i) => i.code === "unknown_dependency")).toHaveLength(1);
  });

  test("cycle message names the path", () => {
    const issues = issuesOf(() =>
      validatePlan(
        [
          { title: "A", specialist_type: "architect", task_id: "a", dependencies: ["b"] },
          { title: "B", specialist_type: "architect", task_id: "b", dependencies: ["a"] },
        ],
        ctx(),
      ),
    );
    expect(issues[0]!.message).toMatch(/a -> b -> a|b -> a -> b/);
  });
});

describe("parseSubtasksJson", () => {
  test("accepts an array or an object with subtasks", () => {
    expect(parseSubtasksJson('[{"title":"x"}]')).toHaveLength(1);
    expect(parseSubtasksJson('{"subtasks":[{"title":"x"},{"title":"y"}]}')).toHaveLength(2);
  });
  test("refuses broken JSON and non-arrays with invalid_json", () => {
    expect(issuesOf(() => parseSubtasksJson("[{"))[0]!.code).toBe("invalid_json");
    expect(issuesOf(() => parseSubtasksJson('"text"'))[0]!.code).toBe("invalid_json");
  });
});

describe("findCycle", () => {
  test("finds none in a DAG and one in a loop", () => {
    expect(findCycle([[], [0], [0, 1]])).toBeNull();
    expect(findCycle([[1], [2], [0]])).toHaveLength(3);
  });
});
