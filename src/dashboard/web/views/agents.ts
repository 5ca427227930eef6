import type { AgentsView } from "../../contract.ts";
import { getJson } from "../api.ts";
import { deadline, syncClock } from "../clock.ts";
import { el, fill, link, statusChip } from "../dom.ts";
import { countdown, dateTime, statusIcon } from "../format.ts";
import { planHash, taskHash } from "../route.ts";
import type { Shell, View } from "./view.ts";

/** Who holds what: each agent's claims (leases counting down, soon-expiring ones flagged) and recent completions. */
export function agentsView(shell: Shell): View<AgentsView> {
  return {
    name: "agents",
    load: () => getJson<AgentsView>("api/agents"),
    render(d) {
      syncClock(d.now);
      shell.crumbs(["Overview", "#/"], ["Agents"]);
      const cards = d.agents.map((a) =>
        el(
          "li",
          { class: "card agent" },
          el(
            "div",
            { class: "card-head" },
            el("h2", {}, a.agentId),
            el(
              "span",
              { class: "muted" },
              "last seen ",
              a.lastSeen
                ? el("time", { "data-at": a.lastSeen, datetime: a.lastSeen, title: dateTime(a.lastSeen) })
                : "never",
            ),
          ),
          el("h3", {}, `Holding (${a.holding.length})`),
          a.holding.length === 0
            ? el("p", { class: "muted" }, "Nothing.")
            : el(
                "ul",
                { class: "holding" },
                a.holding.map((h) =>
                  el(
                    "li",
                    { class: h.expiringSoon ? "soon" : "" },
                    statusChip(h.status, statusIcon(h.status)),
                    " ",
                    link(taskHash(h.project, h.taskId), h.title),
                    " in ",
                    link(planHash(h.project, h.planId), h.planId),
                    " · lease ",
                    h.claim.stale
                      ? el("strong", {}, "stale")
                      : el(
                          "span",
                          { class: "countdown", "data-deadline": deadline(h.claim.remainingMs) },
                          countdown(h.claim.remainingMs),
                        ),
                    h.expiringSoon ? el("strong", { class: "warn" }, " expiring soon") : null,
                  ),
                ),
              ),
          el("h3", {}, `Recent completions (${a.recentCompletions.length})`),
          a.recentCompletions.length === 0
            ? el("p", { class: "muted" }, "None yet.")
            : el(
                "ul",
                {},
                a.recentCompletions.map((c) =>
                  el(
                    "li",
                    {},
                    link(taskHash(c.project, c.taskId), c.title),
                    " · ",
                    el("time", { "data-at": c.at, datetime: c.at, title: dateTime(c.at) }),
                  ),
                ),
              ),
        ),
      );
      fill(
        shell.root,
        el("h1", {}, "Agents"),
        cards.length
          ? el("ul", { class: "cards agents" }, cards)
          : el("p", { class: "empty" }, "No agent has claimed a task yet."),
      );
    },
  };
}
