import { describe, expect, test } from "bun:test";
import { layeredLayout, longestPathRanks } from "../../src/dashboard/web/graph-layered.ts";
import {
  DAGRE_BUDGET,
  dagreLayout,
  edgePath,
  type GraphLayout,
  graphEdges,
  graphSignature,
  type LayoutTask,
  layoutCost,
  layoutGraph,
} from "../../src/dashboard/web/graph-layout.ts";

/** The benchmark's plan shape (tests/helpers/dashboard.ts widePlan): wide and deep, long edges. */
function widePlan(n: number): LayoutTask[] {
  return Array.from({ length: n }, (_, i) => {
    const deps = new Set<string>();
    if (i > 0) deps.add(`t${Math.floor((i - 1) / 2)}`);
    if (i > 3 && i % 3 === 0) deps.add(`t${i - 3}`);
    return { id: `t${i}`, dependencies: [...deps] };
  });
}

function expectSound(tasks: readonly LayoutTask[], layout: GraphLayout): void {
  expect([...layout.nodes.keys()].sort()).toEqual(tasks.map((t) => t.id).sort());
  expect(layout.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(
    graphEdges(tasks)
      .map((e) => `${e.from}>${e.to}`)
      .sort(),
  );
  const boxes = [...layout.nodes.values()];
  for (const [i, a] of boxes.entries()) {
    expect(a.x).toBeGreaterThanOrEqual(0);
    expect(a.y).toBeGreaterThanOrEqual(0);
    expect(a.x + a.width).toBeLessThanOrEqual(layout.width);
    expect(a.y + a.height).toBeLessThanOrEqual(layout.height);
    for (const b of boxes.slice(i + 1)) {
      const overlap =
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      expect(overlap).toBe(false);
    }
  }
  // Left to right: every dependency sits in a column left of its dependent.
  for (const e of layout.edges) expect(layout.nodes.get(e.from)!.x).toBeLessThan(layout.nodes.get(e.to)!.x);
  for (const e of layout.edges) expect(edgePath(e.points)).toMatch(/^M[\d.-]+,[\d.-]+[LQ]/);
}

describe("plan graph layout", () => {
  test("edges: one per dependency inside the plan; self, repeated and dangling ones dropped", () => {
    const tasks = [
      { id: "a", dependencies: [] },
      { id: "b", dependencies: ["a", "a", "b", "elsewhere"] },
      { id: "c", dependencies: ["a", "b"] },
    ];
    expect(graphEdges(tasks)).toEqual([
      { from: "a", to: "b" },
      { from: "a", to: "c" },
      { from: "b", to: "c" },
    ]);
  });

  test("the signature changes with the task set or an edge, not with anything else", () => {
    const a = [
      { id: "a", dependencies: [] },
      { id: "b", dependencies: ["a"] },
    ];
    expect(graphSignature(a)).toBe(graphSignature(a.map((t) => ({ ...t }))));
    expect(graphSignature(a)).not.toBe(graphSignature([a[0]!, { id: "b", dependencies: [] }]));
    expect(graphSignature(a)).not.toBe(graphSignature([...a, { id: "c", dependencies: [] }]));
  });

  test("longest-path columns; a cycle (never valid) leaves no node out", () => {
    const ranks = longestPathRanks(
      ["a", "b", "c", "d"],
      [
        { from: "a", to: "b" },
        { from: "b", to: "c" },
        { from: "a", to: "c" },
      ],
    );
    expect(Object.fromEntries(ranks)).toEqual({ a: 0, b: 1, c: 2, d: 0 });
    const cyclic = longestPathRanks(
      ["x", "y"],
      [
        { from: "x", to: "y" },
        { from: "y", to: "x" },
      ],
    );
    expect(cyclic.size).toBe(2);
  });

  test("a small plan goes through dagre; the result is sound", () => {
    const tasks = widePlan(20);
    expect(layoutCost(tasks)).toBeLessThanOrEqual(DAGRE_BUDGET);
    expectSound(tasks, layoutGraph(tasks));
    expectSound(tasks, dagreLayout(tasks));
  });

  test("the 250-task plan is over dagre's budget and laid out in layers, sound and fast", () => {
    const tasks = widePlan(250);
    expect(layoutCost(tasks)).toBeGreaterThan(DAGRE_BUDGET);
    const started = performance.now();
    const layout = layoutGraph(tasks);
    const ms = performance.now() - started;
    expectSound(tasks, layout);
    expect(layout).toEqual(layeredLayout(tasks, graphEdges(tasks)));
    // Generous for a loaded machine: the layered layout takes a few ms, dagre took 300+.
    expect(ms).toBeLessThan(150);
  });

  test("an empty plan lays out to nothing", () => {
    expect(layoutGraph([]).nodes.size).toBe(0);
    expect(edgePath([])).toBe("");
  });
});
