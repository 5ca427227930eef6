import type { EdgeRoute, GraphLayout, LayoutTask, NodeBox } from "./graph-types.ts";

/*
 * The cheap layered layout for big plans (graph-layout.ts says when): columns by longest path
 * from the tasks without dependencies, rows ordered by a few barycentre sweeps over real nodes
 * only, each node pulled towards its dependencies' height, edges as S-curves from a node's right
 * side to its dependent's left side. Linear in nodes and edges per sweep: a few ms for 250 tasks.
 */
const W = 220;
const H = 66;
const NODE_SEP = 18;
const RANK_SEP = 70;
const MARGIN = 20;
const SWEEPS = 4;

/** Column of each node: 0 for no dependency, else one more than its furthest dependency. */
export function longestPathRanks(
  ids: readonly string[],
  edges: readonly { from: string; to: string }[],
): Map<string, number> {
  const incoming = new Map<string, number>(ids.map((id) => [id, 0]));
  const out = new Map<string, string[]>();
  for (const e of edges) {
    incoming.set(e.to, (incoming.get(e.to) ?? 0) + 1);
    out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  }
  const rank = new Map<string, number>();
  const queue = ids.filter((id) => incoming.get(id) === 0);
  for (const id of queue) rank.set(id, 0);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    for (const next of out.get(id) ?? []) {
      rank.set(next, Math.max(rank.get(next) ?? 0, rank.get(id)! + 1));
      const left = incoming.get(next)! - 1;
      incoming.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  // A cycle (plans have none: validated) would leave nodes unranked: column 0, never lost.
  for (const id of ids) if (!rank.has(id)) rank.set(id, 0);
  return rank;
}

export function layeredLayout(
  tasks: readonly LayoutTask[],
  edges: readonly { from: string; to: string }[],
): GraphLayout {
  const ids = tasks.map((t) => t.id);
  const rank = longestPathRanks(ids, edges);
  const columns: string[][] = [];
  for (const id of ids) {
    const r = rank.get(id)!;
    columns[r] = [...(columns[r] ?? []), id];
  }
  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>();
  for (const e of edges) {
    preds.set(e.to, [...(preds.get(e.to) ?? []), e.from]);
    succs.set(e.from, [...(succs.get(e.from) ?? []), e.to]);
  }
  const order = new Map<string, number>();
  const number = (col: readonly string[] | undefined): void => {
    for (const [i, id] of (col ?? []).entries()) order.set(id, i);
  };
  for (const col of columns) number(col);
  const bary = (id: string, near: Map<string, string[]>): number => {
    const list = near.get(id);
    if (!list?.length) return order.get(id)!;
    return list.reduce((s, n) => s + order.get(n)!, 0) / list.length;
  };
  for (let s = 0; s < SWEEPS; s++) {
    const down = s % 2 === 0;
    const seq = down ? columns : [...columns].reverse();
    for (const col of seq) {
      if (!col) continue;
      const keys = new Map(col.map((id) => [id, bary(id, down ? preds : succs)]));
      col.sort((a, b) => keys.get(a)! - keys.get(b)! || order.get(a)! - order.get(b)!);
      number(col);
    }
  }
  // Heights: each node towards the mean centre of its dependencies, in column order, no overlap.
  const y = new Map<string, number>();
  for (const col of columns) {
    if (!col) continue;
    let prev = Number.NEGATIVE_INFINITY;
    const placed: number[] = [];
    for (const id of col) {
      const p = preds.get(id)?.filter((d) => y.has(d)) ?? [];
      const want = p.length
        ? p.reduce((s, d) => s + y.get(d)!, 0) / p.length
        : placed.length * (H + NODE_SEP);
      const at = Math.max(want, prev + H + NODE_SEP);
      placed.push(at);
      prev = at;
    }
    // Shift the column back up by its mean push-down, keeping the order and the gaps.
    const wants = col.map((id, i) => {
      const p = preds.get(id)?.filter((d) => y.has(d)) ?? [];
      return p.length ? p.reduce((s, d) => s + y.get(d)!, 0) / p.length : placed[i]!;
    });
    const shift = placed.reduce((s, at, i) => s + (at - wants[i]!), 0) / placed.length;
    for (const [i, id] of col.entries()) y.set(id, placed[i]! - Math.max(0, shift));
  }
  const minY = Math.min(...y.values());
  const nodes = new Map<string, NodeBox>();
  let maxX = 0;
  let maxY = 0;
  for (const id of ids) {
    const box = {
      x: MARGIN + rank.get(id)! * (W + RANK_SEP),
      y: MARGIN + y.get(id)! - minY,
      width: W,
      height: H,
    };
    nodes.set(id, box);
    maxX = Math.max(maxX, box.x + W);
    maxY = Math.max(maxY, box.y + H);
  }
  const routes: EdgeRoute[] = edges.map((e) => {
    const a = nodes.get(e.from)!;
    const b = nodes.get(e.to)!;
    const start = { x: a.x + W, y: a.y + H / 2 };
    const end = { x: b.x, y: b.y + H / 2 };
    const mid = start.x + RANK_SEP / 2;
    return { from: e.from, to: e.to, points: [start, { x: mid, y: start.y }, { x: mid, y: end.y }, end] };
  });
  return { nodes, edges: routes, width: maxX + MARGIN, height: maxY + MARGIN };
}
