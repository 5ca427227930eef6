import type { PlanView } from "../../contract.ts";
import { getJson } from "../api.ts";
import { syncClock } from "../clock.ts";
import { el, fill, link } from "../dom.ts";
import { STATUS_ICON } from "../format.ts";
import { PlanGraph } from "../graph-view.ts";
import { apiUrl, routeHash, taskHash } from "../route.ts";
import type { Shell, View } from "./view.ts";

/*
 * A plan as its dependency graph, with a toolbar (zoom, fit), a legend and the plan's counts.
 * The PlanGraph lives as long as the view, so live refreshes keep pan, zoom and focus.
 */
export function planView(shell: Shell, project: string, planId: string): View<PlanView> {
  const graph = new PlanGraph((taskId) => shell.navigate(taskHash(project, taskId)));
  const heading = el("h1", {});
  const meta = el("p", { class: "muted" });
  const button = (label: string, title: string, act: () => void): HTMLButtonElement => {
    const b = el("button", { type: "button", title, "aria-label": title }, label);
    b.addEventListener("click", act);
    return b;
  };
  const toolbar = el(
    "div",
    { class: "toolbar", role: "toolbar", "aria-label": "Graph" },
    button("−", "Zoom out (-)", () => graph.zoom(1 / 1.25)),
    button("+", "Zoom in (+)", () => graph.zoom(1.25)),
    button("Fit", "Fit the whole plan (f or 0)", () => graph.fit()),
    link(routeHash({ view: "synthesis", project, planId }), "Synthesis report"),
  );
  const legend = el(
    "ul",
    { class: "legend", "aria-label": "Legend" },
    Object.entries(STATUS_ICON)
      .filter(([s]) => s !== "archived")
      .map(([s, icon]) =>
        el("li", { class: `status-${s}` }, el("span", { class: "swatch" }), `${icon} ${s}`),
      ),
    el("li", { class: "legend-ready" }, el("span", { class: "swatch" }), "READY: can start now"),
    el("li", {}, "agent · lease left: who holds a task"),
  );
  let built = false;

  return {
    name: "plan",
    load: () => getJson<PlanView>(apiUrl("plan", { project, plan: planId })),
    render(d) {
      syncClock(d.now);
      shell.crumbs(["Overview", "#/"], [project, "#/"], [d.plan.title || planId]);
      heading.textContent = d.plan.title || planId;
      const c = d.plan.counts;
      const ready = d.tasks.filter((t) => t.ready).length;
      meta.textContent = `${d.plan.status} · ${Math.round(d.plan.progress * 100)}% · ${c.total} tasks: ${c.completed} completed, ${c.active} active, ${c.pending} pending (${ready} ready), ${c.blocked} blocked, ${c.failed} failed, ${c.cancelled} cancelled · ${d.plan.claimed} claimed`;
      if (!built) {
        built = true;
        fill(shell.root, heading, meta, toolbar, el("div", { class: "graph-wrap" }, graph.element), legend);
      }
      if (d.tasks.length === 0) meta.textContent += " · this plan has no tasks";
      graph.update(d.tasks);
    },
    key(e) {
      if (e.key === "+" || e.key === "=") graph.zoom(1.25);
      else if (e.key === "-" || e.key === "_") graph.zoom(1 / 1.25);
      else if (e.key === "f" || e.key === "0") graph.fit();
      else return false;
      return true;
    },
  };
}
