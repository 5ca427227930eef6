import type { ActivityView } from "../../contract.ts";
import { getJson } from "../api.ts";
import { syncClock } from "../clock.ts";
import { el, fill, link } from "../dom.ts";
import { dateTime } from "../format.ts";
import { apiUrl, planHash, taskHash } from "../route.ts";
import type { Shell, View } from "./view.ts";

/*
 * Every event across plans, newest first, filtered by project and plan on the server (so the
 * limit applies to what is shown). The filter choices accumulate what the page has seen.
 */
const LIMIT = 300;

export function activityView(shell: Shell): View<ActivityView> {
  const project = el("select", { "aria-label": "Project" });
  const plan = el("select", { "aria-label": "Plan" });
  const list = el("ol", { class: "timeline" });
  const projects = new Set<string>();
  const plans = new Map<string, { project: string; title: string }>();
  let built = false;

  const options = (): void => {
    const keepProject = project.value;
    const keepPlan = plan.value;
    fill(
      project,
      el("option", { value: "" }, "All projects"),
      [...projects].sort().map((p) => el("option", { value: p }, p)),
    );
    project.value = keepProject;
    const shownPlans = [...plans].filter(([, p]) => !project.value || p.project === project.value);
    fill(
      plan,
      el("option", { value: "" }, "All plans"),
      shownPlans.map(([id, p]) => el("option", { value: id }, p.title ? `${p.title} (${id})` : id)),
    );
    plan.value = shownPlans.some(([id]) => id === keepPlan) ? keepPlan : "";
  };
  project.addEventListener("change", () => {
    plan.value = "";
    shell.refresh();
  });
  plan.addEventListener("change", () => shell.refresh());

  return {
    name: "activity",
    load: () =>
      getJson<ActivityView>(
        apiUrl("activity", {
          limit: LIMIT,
          project: project.value || undefined,
          plan: plan.value || undefined,
        }),
      ),
    render(d) {
      syncClock(d.now);
      shell.crumbs(["Overview", "#/"], ["Activity"]);
      for (const e of d.events) {
        projects.add(e.project);
        if (!plans.has(e.planId)) plans.set(e.planId, { project: e.project, title: e.planTitle ?? "" });
      }
      options();
      if (!built) {
        built = true;
        fill(
          shell.root,
          el("h1", {}, "Activity"),
          el("div", { class: "filters", role: "search" }, project, plan),
          list,
        );
      }
      fill(
        list,
        d.events.length === 0
          ? el("li", { class: "empty" }, "No activity.")
          : d.events.map((e) =>
              el(
                "li",
                { class: "event" },
                el("time", { datetime: e.at, title: dateTime(e.at) }, dateTime(e.at)),
                el(
                  "span",
                  { class: "what" },
                  el("strong", {}, e.action ?? e.kind),
                  e.from || e.to ? ` ${e.from ?? "—"} → ${e.to ?? "—"}` : "",
                  e.agentId ? ` by ${e.agentId}` : "",
                ),
                el(
                  "span",
                  { class: "where" },
                  e.taskId ? link(taskHash(e.project, e.taskId), e.taskTitle ?? e.taskId) : null,
                  e.taskId ? " in " : null,
                  link(planHash(e.project, e.planId), e.planTitle ?? e.planId),
                ),
                e.note ? el("span", { class: "note pre" }, e.note) : null,
              ),
            ),
      );
    },
  };
}
