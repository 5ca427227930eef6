import { Graph, layout } from "@dagrejs/dagre";

/*
 * The plan graph's layout (pure, no DOM: unit-tested and timed under Bun). dagre lays the tasks
 * out in layers left to right, one edge from each dependency to its dependent. 250 tasks with
 * ~400 edges took about 1 s with dagre's default ranker (network-simplex); "longest-path" ranks
 * in one pass and keeps the layout inside the 500 ms budget the dashboard has (docs in README.md).
 */

export interface LayoutTask {
  readonly id: string;
  readonly dependencies: readonly string[];
}

export interface NodeBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface EdgeRoute {
  readonly from: string;
  readonly to: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface GraphLayout {
  /** Top-left corner of each node's box. */
  readonly nodes: ReadonlyMap<string, NodeBox>;
  readonly edges: readonly EdgeRoute[];
  readonly width: number;
  readonly height: number;
}

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 66;
/** Past this many tasks dagre skips its crossing-reduction heuristic (see layoutGraph). */
export const BIG_GRAPH = 120;

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

export function layoutGraph(tasks: readonly LayoutTask[]): GraphLayout {
  const g = new Graph({ multigraph: false });
  g.setGraph({
    rankdir: "LR",
    ranker: "network-simplex",
    nodesep: 18,
    ranksep: 70,
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
