import type { Overview, PlanSummary } from "../../contract.ts";
import { getJson } from "../api.ts";
import { syncClock } from "../clock.ts";
import { el, fill, link, statusChip } from "../dom.ts";
import { statusIcon } from "../format.ts";
import { planHash, routeHash } from "../route.ts";
import type { Shell, View } from "./view.ts";

/*
 * Projects and their plans: progress, counts by status and role, claims, last activity, with
 * client-side filters (project, plan status, role, text; "/" focuses the text filter). The
 * filter bar is built once and survives live refreshes; only the list is redrawn.
 */
const STATUSES = ["pending", "active", "blocked", "completed", "failed", "cancelled"] as const;
const PLAN_STATUSES = ["active", "completed", "cancelled", "archived"] as const;

export function overviewView(shell: Shell): View<Overview> {
  const project = el("select", { "aria-label": "Project" });
  const status = el("select", { "aria-label": "Plan status" });
  const role = el("select", { "aria-label": "Role" });
  const text = el("input", {
    type: "search",
    placeholder: "Filter plans  ( / )",
    "aria-label": "Filter plans by text",
    "data-filter-text": "",
    autocomplete: "off",
  });
  const list = el("div", { class: "plans" });
  const summary = el("p", { class: "muted", "aria-live": "polite" });
  let data: Overview | null = null;
  let built = false;

  const options = (select: HTMLSelectElement, all: string, values: readonly string[]): void => {
    const keep = select.value;
    fill(select, el("option", { value: "" }, all), ...values.map((v) => el("option", { value: v }, v)));
    select.value = values.includes(keep) ? keep : "";
  };

  const draw = (): void => {
    if (!data) return;
    const q = text.value.trim().toLowerCase();
    const shown: HTMLElement[] = [];
    let plans = 0;
    for (const p of data.projects) {
      if (project.value && p.id !== project.value) continue;
      const cards = p.plans
        .filter((plan) => !status.value || plan.status === status.value)
        .filter((plan) => !role.value || (plan.roles[role.value] ?? 0) > 0)
        .filter((plan) => !q || `${plan.title} ${plan.id} ${p.id}`.toLowerCase().includes(q))
        .map((plan) => planCard(p.id, plan));
      plans += cards.length;
      if (cards.length > 0) {
        shown.push(
          el("section", { class: "project" }, el("h2", {}, p.id), el("ul", { class: "cards" }, cards)),
        );
      }
    }
    const total = data.projects.reduce((n, p) => n + p.plans.length, 0);
    const actions = data.actions.allowed
      ? `actions on${data.actions.actor ? `, recorded as ${data.actions.actor}` : ""}`
      : "read-only";
    summary.textContent = `${plans} of ${total} plans · ${data.store.dialect}: ${data.store.location} · ${actions}`;
    if (shown.length === 0) {
      shown.push(el("p", { class: "empty" }, total === 0 ? "No plans yet." : "No plan matches the filters."));
    }
    fill(list, shown);
  };

  for (const input of [project, status, role]) input.addEventListener("change", draw);
  text.addEventListener("input", draw);

  return {
    name: "overview",
    load: () => getJson<Overview>("api/overview"),
    render(d) {
      data = d;
      syncClock(d.now);
      shell.crumbs(["Overview"]);
      options(
        project,
        "All projects",
        d.projects.map((p) => p.id),
      );
      options(status, "Any plan status", [...PLAN_STATUSES]);
      const roles = new Set<string>();
      for (const p of d.projects)
        for (const plan of p.plans) for (const r of Object.keys(plan.roles)) roles.add(r);
      options(role, "Any role", [...roles].sort());
      if (!built) {
        built = true;
        fill(
          shell.root,
          el("h1", {}, "Plans"),
          el("div", { class: "filters", role: "search" }, project, status, role, text),
          summary,
          list,
        );
      }
      draw();
    },
  };
}

function planCard(projectId: string, plan: PlanSummary): HTMLElement {
  const pct = Math.round(plan.progress * 100);
  const bar = el("div", { class: "bar" });
  bar.style.width = `${pct}%`;
  const counts = STATUSES.filter((s) => plan.counts[s] > 0).map((s) =>
    el("span", { class: `count status-${s}`, title: s }, `${statusIcon(s)} ${plan.counts[s]} ${s}`),
  );
  const roles = Object.entries(plan.roles)
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => el("span", { class: "role" }, `${r} ${n}`));
  return el(
    "li",
    { class: "card" },
    el(
      "div",
      { class: "card-head" },
      el("h3", {}, link(planHash(projectId, plan.id), plan.title || plan.id)),
      statusChip(plan.status, statusIcon(plan.status)),
    ),
    el(
      "div",
      {
        class: "progress",
        role: "progressbar",
        "aria-valuemin": 0,
        "aria-valuemax": 100,
        "aria-valuenow": pct,
        "aria-label": `${plan.title}: ${pct}% done`,
      },
      bar,
    ),
    el(
      "p",
      { class: "card-meta" },
      `${pct}% · ${plan.counts.total} tasks · ${plan.claimed} claimed · last activity `,
      el("time", { "data-at": plan.lastActivity, datetime: plan.lastActivity, title: plan.lastActivity }),
    ),
    el("p", { class: "counts" }, counts),
    el("p", { class: "roles" }, roles),
    el(
      "p",
      { class: "card-links" },
      link(planHash(projectId, plan.id), "Graph"),
      " · ",
      link(routeHash({ view: "synthesis", project: projectId, planId: plan.id }), "Synthesis"),
    ),
  );
}
