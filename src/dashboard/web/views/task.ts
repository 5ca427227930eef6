import type { ActionResult, ArtifactView, DashboardAction, TaskView } from "../../contract.ts";
import { getJson, postJson } from "../api.ts";
import { deadline, syncClock } from "../clock.ts";
import { askConfirm } from "../confirm.ts";
import { type Child, el, fill, link, statusChip } from "../dom.ts";
import { bytes, countdown, dateTime, statusIcon } from "../format.ts";
import { renderMarkdown } from "../markdown.ts";
import { apiUrl, planHash, taskHash } from "../route.ts";
import type { Shell, View } from "./view.ts";

/*
 * One subtask: its state and claim, description, links to its dependencies and dependents, the
 * specialist prompt, the history and the artifacts (Markdown through the sanitiser, checksums
 * as the server verified them), and the actions the server allows (each confirmed first).
 */
const ACTION_TEXT: Record<DashboardAction, { label: string; explain: string }> = {
  release: { label: "Release claim", explain: "Release the claim so another agent can take this task." },
  cancel: {
    label: "Cancel task",
    explain:
      "Cancel this task: the work will not be done, and the tasks that depend on it stop waiting for it.",
  },
  reopen: { label: "Reopen task", explain: "Reopen this task so it can be done again." },
};

export function taskView(shell: Shell, project: string, taskId: string): View<TaskView> {
  const open = new Set<string>(["artifacts"]);
  const details = (key: string, summary: string, ...children: Child[]): HTMLDetailsElement => {
    const d = el(
      "details",
      { "data-key": `details:${key}`, open: open.has(key) },
      el("summary", {}, summary),
      ...children,
    );
    d.addEventListener("toggle", () => (d.open ? open.add(key) : open.delete(key)));
    return d;
  };

  const act = async (action: DashboardAction, title: string): Promise<void> => {
    const answer = await askConfirm(
      ACTION_TEXT[action].label,
      `${ACTION_TEXT[action].explain}\n\n“${title}”`,
    );
    if (!answer) return;
    try {
      await postJson<ActionResult>("api/action", {
        project,
        taskId,
        action,
        ...(answer.note ? { note: answer.note } : {}),
      });
    } catch (e) {
      // No refresh: its success would hide the banner before anyone read why the action failed.
      shell.showError(e);
      return;
    }
    shell.refresh();
  };

  return {
    name: "task",
    load: () => getJson<TaskView>(apiUrl("task", { project, task: taskId })),
    render(d) {
      syncClock(d.now);
      const t = d.task;
      shell.crumbs(["Overview", "#/"], [d.planTitle || d.planId, planHash(project, d.planId)], [t.title]);
      const claim = t.claim
        ? el(
            "p",
            { class: t.claim.stale ? "claim stale" : "claim" },
            `Held by ${t.claim.agentId} · lease `,
            t.claim.stale
              ? el("strong", {}, "stale (no longer blocks)")
              : el(
                  "span",
                  { class: "countdown", "data-deadline": deadline(t.claim.remainingMs) },
                  countdown(t.claim.remainingMs),
                ),
            ` · until ${dateTime(t.claim.expiresAt)}`,
          )
        : null;
      const actions = d.actions.map((a) => {
        const b = el(
          "button",
          { type: "button", "data-action": a, "data-key": `action:${a}` },
          ACTION_TEXT[a].label,
        );
        b.addEventListener("click", () => void act(a, t.title));
        return b;
      });
      fill(
        shell.root,
        el("h1", {}, t.title),
        el(
          "p",
          { class: "task-head" },
          statusChip(t.status, statusIcon(t.status)),
          el("span", { class: "role" }, t.role),
          t.ready ? el("span", { class: "chip ready" }, "READY") : null,
          el("span", { class: "muted" }, `effort ${t.estimatedEffort} · updated `),
          el("time", { "data-at": t.updatedAt, datetime: t.updatedAt, title: dateTime(t.updatedAt) }),
        ),
        claim,
        actions.length ? el("div", { class: "actions" }, actions) : null,
        t.summary ? el("section", {}, el("h2", {}, "Summary"), el("p", { class: "pre" }, t.summary)) : null,
        t.statusNote ? el("p", { class: "note" }, `Status note: ${t.statusNote}`) : null,
        el("section", {}, el("h2", {}, "Description"), el("p", { class: "pre" }, t.description || "—")),
        el(
          "div",
          { class: "deps" },
          el("section", {}, el("h2", {}, "Depends on"), refs(project, d.dependencies)),
          el("section", {}, el("h2", {}, "Needed by"), refs(project, d.dependents)),
        ),
        d.prompt !== null
          ? details("prompt", "Specialist prompt", el("pre", { class: "prompt" }, d.prompt))
          : null,
        el("section", {}, el("h2", {}, `History (${d.history.length})`), historyTable(d)),
        el(
          "section",
          {},
          el("h2", {}, `Artifacts (${d.artifacts.length})`),
          d.artifacts.length === 0 ? el("p", { class: "muted" }, "No artifacts.") : d.artifacts.map(artifact),
        ),
      );
    },
  };
}

function refs(project: string, list: TaskView["dependencies"]): HTMLElement {
  if (list.length === 0) return el("p", { class: "muted" }, "None.");
  return el(
    "ul",
    { class: "refs" },
    list.map((r) =>
      el("li", {}, statusChip(r.status, statusIcon(r.status)), " ", link(taskHash(project, r.id), r.title)),
    ),
  );
}

function historyTable(d: TaskView): HTMLElement {
  if (d.history.length === 0) return el("p", { class: "muted" }, "No history.");
  return el(
    "table",
    { class: "history" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        ["When", "Action", "From → to", "Who", "Note"].map((h) => el("th", {}, h)),
      ),
    ),
    el(
      "tbody",
      {},
      d.history.map((h) =>
        el(
          "tr",
          {},
          el("td", {}, el("time", { datetime: h.at, title: h.at }, dateTime(h.at))),
          el("td", {}, h.action ?? h.kind),
          el("td", {}, h.from || h.to ? `${h.from ?? "—"} → ${h.to ?? "—"}` : ""),
          el("td", {}, h.agentId ?? ""),
          el("td", { class: "pre" }, h.note ?? ""),
        ),
      ),
    ),
  );
}

const CHECKSUM_TEXT = {
  ok: "✓ checksum ok",
  mismatch: "✕ checksum mismatch",
  missing: "? content missing",
} as const;

function artifact(a: ArtifactView): HTMLElement {
  return el(
    "article",
    { class: "artifact" },
    el("h3", {}, a.summary || a.id),
    el(
      "p",
      { class: "artifact-meta" },
      el("span", { class: `checksum checksum-${a.checksum}` }, CHECKSUM_TEXT[a.checksum]),
      ` ${a.type} · ${bytes(a.size)} · `,
      el("code", { title: a.sha256 }, `sha256 ${a.sha256.slice(0, 12)}…`),
      ` · ${dateTime(a.createdAt)}`,
    ),
    a.problem ? el("p", { class: "problem" }, a.problem) : null,
    a.filePaths.length
      ? el(
          "ul",
          { class: "files", "aria-label": "Files" },
          a.filePaths.map((f) => el("li", {}, el("code", {}, f))),
        )
      : null,
    a.content !== null ? renderMarkdown(a.content) : null,
  );
}
