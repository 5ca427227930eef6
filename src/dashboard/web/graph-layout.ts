import { Graph, layout } from "@dagrejs/dagre";

import { layeredLayout, longestPathRanks } from "./graph-layered.ts";
import type { GraphLayout, LayoutTask, NodeBox } from "./graph-types.ts";

/*
 * The plan graph's layout (pure, no DOM: unit-tested and timed under Bun), in layers left to
 * right, one edge from each dependency to its dependent. dagre does it well (edges routed
 * between the nodes) but its cost follows nodes plus one dummy node per layer an edge crosses:
 * the benchmark's 250-task plan has thousands, and dagre took 300-550 ms on it in Chromium even
 * without its crossing-reduction sweeps and with any ranker ("longest-path" was slower still),
 * against a 500 ms budget from navigation to a drawn graph. Past DAGRE_BUDGET such units the
 * plain layered layout of graph-layered.ts (a few ms) is used instead: same layers, barycentre
 * ordering, curved edges drawn behind the nodes.
 */

export type { EdgeRoute, GraphLayout, LayoutTask, NodeBox } from "./graph-types.ts";

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 66;
/** Past this many tasks dagre skips its crossing-reduction heuristic (see layoutGraph). */
export const BIG_GRAPH = 120;
/** Nodes plus dummy nodes (layers crossed by edges) above which dagre is too slow (see above). */
export const DAGRE_BUDGET = 800;
export const NODE_SEP = 18;
export const RANK_SEP = 70;

/** The edges to draw: one per dependency on a task of the plan (dangling and self ones dropped). */
export function graphEdges(tasks: readonly LayoutTask[]): { from: string; to: string }[] {
  const ids = new Set(tasks.map((t) => t.id));
  const out: { from: string; to: string }[] = [];
  for (const t of tasks) {
    for (const d of new Set(t.dependencies)) if (d !== t.id && ids.has(d)) out.push({ from: d, to: t.id });
  }
  return out;
}

/** What decides the layout: the task ids and edges. Same signature → the old layout still fits. */
export function graphSignature(tasks: readonly LayoutTask[]): string {
  const ids = tasks.map((t) => t.id).join("\n");
  const edges = graphEdges(tasks)
    .map((e) => `${e.from}>${e.to}`)
    .join("\n");
  return `${ids}\n\n${edges}`;
}

/** How much work dagre would have: nodes plus the layers each edge crosses (longest-path ranks). */
export function layoutCost(tasks: readonly LayoutTask[]): number {
  const edges = graphEdges(tasks);
  const ranks = longestPathRanks(
    tasks.map((t) => t.id),
    edges,
  );
  let cost = tasks.length;
  for (const e of edges) cost += Math.max(0, (ranks.get(e.to) ?? 0) - (ranks.get(e.from) ?? 0) - 1);
  return cost;
}

export function layoutGraph(tasks: readonly LayoutTask[]): GraphLayout {
  if (layoutCost(tasks) > DAGRE_BUDGET) return layeredLayout(tasks, graphEdges(tasks));
  return dagreLayout(tasks);
}

export function dagreLayout(tasks: readonly LayoutTask[]): GraphLayout {
  const g = new Graph({ multigraph: false });
  g.setGraph({
    rankdir: "LR",
    ranker: "network-simplex",
    nodesep: NODE_SEP,
    ranksep: RANK_SEP,
    edgesep: 8,
    marginx: 20,
    marginy: 20,
  });
  g.setDefaultEdgeLabel(() => ({}));
  for (const t of tasks) g.setNode(t.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  const edges = graphEdges(tasks);
  for (const e of edges) g.setEdge(e.from, e.to);
  // The crossing-reduction sweeps are most of the time on big plans; past BIG the plain order.
  layout(g, { disableOptimalOrderHeuristic: tasks.length > BIG_GRAPH });
  const nodes = new Map<string, NodeBox>();
  for (const t of tasks) {
    const n = g.node(t.id) as { x: number; y: number; width: number; height: number };
    nodes.set(t.id, { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height });
  }
  const routes = edges.map((e) => {
    const label = g.edge(e.from, e.to) as { points?: { x: number; y: number }[] } | undefined;
    return { from: e.from, to: e.to, points: label?.points ?? [] };
  });
  const size = g.graph() as { width?: number; height?: number };
  return { nodes, edges: routes, width: size.width ?? 0, height: size.height ?? 0 };
}

/** An SVG path through dagre's points: straight first and last legs, smooth in between. */
export function edgePath(points: readonly { readonly x: number; readonly y: number }[]): string {
  const f = (n: number): string => String(Math.round(n * 10) / 10);
  if (points.length === 0) return "";
  const [first, ...rest] = points;
  let d = `M${f(first!.x)},${f(first!.y)}`;
  if (rest.length === 1) return `${d}L${f(rest[0]!.x)},${f(rest[0]!.y)}`;
  for (let i = 0; i < rest.length - 1; i++) {
    const c = rest[i]!;
    const next = rest[i + 1]!;
    const end = i === rest.length - 2 ? next : { x: (c.x + next.x) / 2, y: (c.y + next.y) / 2 };
    d += `Q${f(c.x)},${f(c.y)} ${f(end.x)},${f(end.y)}`;
  }
  return d;
}
