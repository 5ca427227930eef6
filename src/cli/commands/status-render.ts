import type { Colors } from "picocolors/types";
import type { StatusResult } from "../../app/get-status.ts";
import type { ProjectInfo } from "../../app/project-info.ts";
import type { TaskStatus } from "../../core/task.ts";

const MARK: Record<TaskStatus, string> = {
  pending: "○",
  active: "▶",
  blocked: "⏸",
  completed: "✓",
  failed: "✗",
  cancelled: "⊘",
  archived: "▪",
};

function paint(c: Colors, status: string, text: string): string {
  switch (status) {
    case "completed":
      return c.green(text);
    case "active":
      return c.cyan(text);
    case "blocked":
      return c.yellow(text);
    case "failed":
      return c.red(text);
    case "cancelled":
    case "archived":
      return c.dim(text);
    default:
      return text;
  }
}

const PROJECT_SOURCE: Record<ProjectInfo["source"], string> = {
  settings: "project: in settings.yaml",
  "git-remote": "the git remote",
  folder: "the folder name",
};

/** A progress bar of `width` cells. */
export function progressBar(fraction: number, width = 20): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `${"█".repeat(full)}${"░".repeat(width - full)}`;
}

/** Which store a command reads: its engine and where it is (a file, or a URL without its password). */
export interface StoreLocation {
  readonly dialect: "sqlite" | "postgres";
  readonly location: string;
  /** The rule that chose it (workspace/database-choice.ts). */
  readonly chosenBy?: "given" | "settings" | "workspace" | undefined;
}

const CHOSEN_BY = {
  given: "--db / ORCHESTRATOR_DB",
  settings: "db: in settings.yaml, allowed by ORCHESTRATOR_ALLOW_SETTINGS_DB",
  workspace: "the workspace's own file",
} as const;

/** The tree view of `orchestrator status`. */
export function renderStatus(
  workspace: string,
  s: StatusResult,
  c: Colors,
  project?: ProjectInfo,
  store?: StoreLocation,
): string {
  const lines = [c.bold(`Workspace ${workspace}`)];
  if (project) {
    const others = project.checkouts.filter((k) => k.path !== workspace).length;
    lines.push(
      c.dim(
        `Project ${project.id} (from ${PROJECT_SOURCE[project.source]})${others > 0 ? ` · ${others} other checkout(s)` : ""}${project.readingOldKey ? " · shown from the old path key" : ""}`,
      ),
    );
    for (const w of project.warnings) lines.push(c.yellow(`! ${w}`));
  }
  if (store)
    lines.push(
      c.dim(
        `Store ${store.dialect} ${store.location}${store.chosenBy ? ` (from ${CHOSEN_BY[store.chosenBy]})` : ""}`,
      ),
    );
  lines.push(
    c.dim(
      `${s.planCounts.active} open plan(s), ${s.planCounts.completed} completed · tasks: ${s.counts.active} active, ${s.counts.pending} pending, ${s.counts.blocked} blocked, ${s.counts.failed} failed, ${s.counts.completed} completed`,
    ),
  );
  if (s.plans.length === 0) lines.push("", "No open plans. (Use --all to include completed ones.)");
  for (const p of s.plans) {
    const frac = p.progress.total === 0 ? 0 : p.progress.completed / p.progress.total;
    lines.push(
      "",
      `${paint(c, p.plan.status === "completed" ? "completed" : "active", "●")} ${c.bold(p.plan.id)}  ${p.plan.description}`,
      `  ${paint(c, "completed", progressBar(frac))} ${p.progress.completed}/${p.progress.total} ${p.progress.percentage}% · ${p.plan.status}`,
    );
    const ready = new Set(p.readyIds);
    p.tasks.forEach((t, i) => {
      const branch = i === p.tasks.length - 1 && p.hiddenTasks === 0 ? "└─" : "├─";
      const extra: string[] = [];
      if (t.claim) extra.push(`held by ${t.claim.agentId}`);
      if (ready.has(t.id)) extra.push(c.cyan("ready"));
      else if (t.status === "pending" && t.dependencies.length > 0)
        extra.push(`after ${t.dependencies.join(", ")}`);
      if (t.statusNote && t.status !== "completed") extra.push(t.statusNote.split("\n")[0]!.slice(0, 80));
      lines.push(
        `  ${branch} ${paint(c, t.status, `${MARK[t.status]} ${t.status.padEnd(9)}`)} ${t.id}  ${t.title} ${c.dim(`· ${t.specialistType}`)}${extra.length ? c.dim(` (${extra.join("; ")})`) : ""}`,
      );
    });
    if (p.hiddenTasks > 0)
      lines.push(
        `  └─ ${c.dim(`${p.hiddenTasks} more not listed (completed, archived, or past the first 25 open ones); --plan ${p.plan.id} lists up to 100, --all adds completed ones`)}`,
      );
  }
  if (s.morePlans > 0) lines.push("", c.dim(`${s.morePlans} more plan(s); raise --limit to see them.`));
  return lines.join("\n");
}
