import type { GraphTask } from "../contract.ts";
import { deadline } from "./clock.ts";
import { svg } from "./dom.ts";
import { countdown, statusIcon, truncate } from "./format.ts";
import { edgePath, type GraphLayout, graphSignature, layoutGraph } from "./graph-layout.ts";
import { attachPanZoom, type PanZoom } from "./pan-zoom.ts";

/** Below this a whole plan is not readable on screen: the first view zooms in instead (fitScale). */
const READABLE_SCALE = 0.55;
/** The scale of that first view: node titles readable at 1280×800. */
const START_SCALE = 0.85;

/*
 * The plan as an SVG graph: one `g.node` per task, one `path.edge` per dependency (the browser
 * tests and the 250-node benchmark hold these hooks). A live refresh with the same tasks and
 * edges updates the nodes in place (status, labels, claim) and keeps the pan, zoom and focus;
 * only a changed task set or edge set is laid out again.
 */
export class PlanGraph {
  readonly element: SVGSVGElement;
  private readonly viewport: SVGGElement;
  private readonly panZoom: PanZoom;
  private signature = "";
  private layout: GraphLayout | null = null;
  private readonly nodes = new Map<string, SVGGElement>();

  private readonly open: (taskId: string) => void;

  constructor(open: (taskId: string) => void) {
    this.open = open;
    this.viewport = svg("g", { class: "viewport" });
    this.element = svg(
      "svg",
      { id: "graph", role: "group", "aria-label": "Plan graph: tasks and their dependencies", tabindex: 0 },
      svg(
        "defs",
        {},
        svg(
          "marker",
          {
            id: "arrow",
            viewBox: "0 0 10 10",
            refX: 9,
            refY: 5,
            markerWidth: 7,
            markerHeight: 7,
            orient: "auto-start-reverse",
          },
          svg("path", { d: "M0,0L10,5L0,10z", class: "arrowhead" }),
        ),
      ),
      this.viewport,
    );
    this.panZoom = attachPanZoom(this.element, this.viewport);
    this.element.addEventListener("keydown", (e) => this.onKey(e));
    // One listener for every node (a pan that ended on a node is not a click).
    this.element.addEventListener("click", (e) => {
      const id = (e.target as Element).closest?.("g.node")?.getAttribute("data-task-id");
      if (id && !this.panZoom.dragged()) this.open(id);
    });
  }

  fit(): void {
    if (this.layout) this.panZoom.fit(this.layout.width, this.layout.height);
  }

  /**
   * The first view of a plan: all of it when that is readable; else (a large plan) a readable
   * scale around where the work is (the first active task, else the first ready one, else the
   * first task), with Fit (f) one key away for the whole picture.
   */
  private firstView(tasks: readonly GraphTask[], layout: GraphLayout): void {
    if (this.panZoom.fitScale(layout.width, layout.height) >= READABLE_SCALE) {
      this.panZoom.fit(layout.width, layout.height);
      return;
    }
    const where = tasks.find((t) => t.status === "active") ?? tasks.find((t) => t.ready) ?? tasks[0];
    const box = where ? layout.nodes.get(where.id) : undefined;
    if (!box) {
      this.panZoom.fit(layout.width, layout.height);
      return;
    }
    this.panZoom.focusOn(box.x, box.y, box.width, box.height, START_SCALE);
  }

  zoom(factor: number): void {
    this.panZoom.zoomBy(factor);
  }

  /** Draws or refreshes; returns whether it laid the graph out again. */
  update(tasks: readonly GraphTask[]): boolean {
    const signature = graphSignature(tasks);
    if (signature === this.signature && this.layout) {
      for (const t of tasks) {
        const g = this.nodes.get(t.id);
        if (g) this.paintNode(g, t);
      }
      const status = new Map(tasks.map((t) => [t.id, t.status]));
      for (const path of this.viewport.querySelectorAll("path.edge")) {
        path.classList.toggle("met", status.get(path.getAttribute("data-from") ?? "") === "completed");
      }
      return false;
    }
    const first = this.layout === null;
    const focused = (document.activeElement as Element | null)?.getAttribute("data-task-id") ?? null;
    const started = performance.now();
    this.layout = layoutGraph(tasks);
    performance.measure("graph-layout", { start: started, end: performance.now() });
    this.signature = signature;
    // Place the view before the nodes go in: measuring the SVG then forces no layout of 250 nodes.
    if (first) this.firstView(tasks, this.layout);
    this.draw(tasks, this.layout);
    if (focused) (this.nodes.get(focused) as SVGGElement | undefined)?.focus({ preventScroll: true });
    performance.mark("graph-drawn");
    return true;
  }

  private draw(tasks: readonly GraphTask[], layout: GraphLayout): void {
    const status = new Map(tasks.map((t) => [t.id, t.status]));
    const edges = svg("g", { class: "edges" });
    for (const e of layout.edges) {
      edges.appendChild(
        svg("path", {
          class: status.get(e.from) === "completed" ? "edge met" : "edge",
          "data-from": e.from,
          "data-to": e.to,
          d: edgePath(e.points),
          "marker-end": "url(#arrow)",
        }),
      );
    }
    const nodes = svg("g", { class: "nodes" });
    this.nodes.clear();
    for (const t of tasks) {
      const box = layout.nodes.get(t.id);
      if (!box) continue;
      const g = this.makeNode(t, box.x, box.y, box.width, box.height);
      this.nodes.set(t.id, g);
      nodes.appendChild(g);
    }
    this.viewport.replaceChildren(edges, nodes);
  }

  private makeNode(t: GraphTask, x: number, y: number, w: number, h: number): SVGGElement {
    const g = svg(
      "g",
      { class: "node", "data-task-id": t.id, tabindex: 0, role: "link", transform: `translate(${x},${y})` },
      svg("title", {}),
      svg("rect", { class: "box", width: w, height: h, rx: 7, ry: 7 }),
      svg("rect", { class: "band", width: 7, height: h, rx: 3, ry: 3 }),
      svg("text", { class: "n-title", x: 16, y: 21 }),
      svg("text", { class: "n-role", x: 16, y: 40 }),
      svg("text", { class: "n-claim", x: 16, y: 57 }),
      svg("text", { class: "n-ready", x: w - 8, y: 16, "text-anchor": "end" }),
    );
    this.paintNode(g, t);
    return g;
  }

  private paintNode(g: SVGGElement, t: GraphTask): void {
    g.setAttribute("data-status", t.status);
    g.setAttribute("class", `node status-${t.status}${t.ready ? " ready" : ""}`);
    const holder = t.claim && !t.claim.stale ? t.claim.agentId : null;
    g.setAttribute(
      "aria-label",
      `${t.title}: ${t.status}${t.ready ? ", ready" : ""}, ${t.role}${holder ? `, held by ${holder}` : ""}`,
    );
    const [title, , , titleText, roleText, claimText, readyText] = g.children;
    if (title) title.textContent = `${t.title}\n${t.status} · ${t.role}`;
    if (titleText) titleText.textContent = `${statusIcon(t.status)} ${truncate(t.title, 24)}`;
    if (roleText) roleText.textContent = `${truncate(t.role, 16)} · ${t.status}`;
    if (readyText) readyText.textContent = t.ready ? "READY" : "";
    if (claimText) {
      claimText.replaceChildren();
      if (t.claim) {
        const lease = svg("tspan", { class: "countdown" }, countdown(t.claim.remainingMs));
        if (!t.claim.stale) lease.setAttribute("data-deadline", String(deadline(t.claim.remainingMs)));
        claimText.append(`${truncate(t.claim.agentId, 16)} · `, t.claim.stale ? "lease stale" : lease);
        if (!t.claim.stale) claimText.append(" left");
      } else if (t.artifactCount > 0) {
        claimText.append(`${t.artifactCount} artifact${t.artifactCount === 1 ? "" : "s"}`);
      }
    }
  }

  /** Arrow keys move between nodes (nearest in that direction); Enter opens the focused one. */
  private onKey(e: KeyboardEvent): void {
    const target = e.target as Element;
    const id = target.getAttribute?.("data-task-id");
    if (id && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      this.open(id);
      return;
    }
    const dir = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (!dir || !this.layout) return;
    e.preventDefault();
    const from = id ? this.layout.nodes.get(id) : undefined;
    if (!from) {
      this.nodes.values().next().value?.focus();
      return;
    }
    let best: string | null = null;
    let bestScore = Number.POSITIVE_INFINITY;
    for (const [other, box] of this.layout.nodes) {
      const dx = box.x - from.x;
      const dy = box.y - from.y;
      const along = dx * dir[0]! + dy * dir[1]!;
      if (other === id || along <= 0) continue;
      const across = Math.abs(dir[0] ? dy : dx);
      const score = along + across * 2;
      if (score < bestScore) {
        bestScore = score;
        best = other;
      }
    }
    const next = best ? this.nodes.get(best) : undefined;
    if (next && best) {
      next.focus({ preventScroll: true });
      const box = this.layout.nodes.get(best)!;
      this.panZoom.reveal(box.x, box.y, box.width, box.height);
    }
  }
}
