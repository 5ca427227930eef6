import { type Artifact, artifactUri } from "./artifact.ts";
import type { HistoryEvent } from "./event.ts";
import { type Progress, progressOf } from "./readiness.ts";
import type { Plan, Task, TaskStatus } from "./task.ts";

export interface SynthesisTask {
  readonly task_id: string;
  readonly title: string;
  readonly status: TaskStatus;
  readonly summary: string | null;
  readonly note: string | null;
  readonly started_at: string | null;
  readonly completed_at: string | null;
  readonly artifacts: readonly { artifact_id: string; type: string; path: string; uri: string }[];
}

/** The typed synthesis report; `markdown` renders the same facts for people and models. */
export interface Synthesis {
  readonly parent_task_id: string;
  readonly description: string;
  readonly plan_status: Plan["status"];
  readonly all_completed: boolean;
  readonly progress: Progress;
  readonly by_role: readonly { specialist_type: string; tasks: readonly SynthesisTask[] }[];
  readonly outstanding: readonly {
    task_id: string;
    title: string;
    status: TaskStatus;
    note: string | null;
  }[];
  readonly timeline: readonly {
    at: string;
    task_id: string | null;
    event: string;
    from: string | null;
    to: string | null;
  }[];
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly markdown: string;
}

const TIMELINE_LIMIT = 200;

/**
 * Builds the synthesis of a plan from what is stored, and says plainly what is not done:
 * pending, active, blocked and failed tasks are listed as outstanding, never reported as success.
 */
export function buildSynthesis(input: {
  readonly plan: Plan;
  readonly tasks: readonly Task[];
  readonly artifacts: ReadonlyMap<string, readonly Artifact[]>;
  readonly events: readonly HistoryEvent[];
}): Synthesis {
  const { plan } = input;
  const tasks = input.tasks.filter((t) => t.status !== "archived");
  const progress = progressOf(plan.counts);
  const roles = [...new Set(tasks.map((t) => t.specialistType))];
  const by_role = roles.map((role) => ({
    specialist_type: role,
    tasks: tasks
      .filter((t) => t.specialistType === role)
      .map(
        (t): SynthesisTask => ({
          task_id: t.id,
          title: t.title,
          status: t.status,
          summary: t.summary,
          note: t.statusNote,
          started_at: t.startedAt,
          completed_at: t.completedAt,
          artifacts: (input.artifacts.get(t.id) ?? []).map((a) => ({
            artifact_id: a.id,
            type: a.type,
            path: a.path,
            uri: artifactUri(a.id),
          })),
        }),
      ),
  }));
  const outstanding = tasks
    .filter((t) => t.status !== "completed" && t.status !== "cancelled")
    .map((t) => ({ task_id: t.id, title: t.title, status: t.status, note: t.statusNote }));
  const all_completed = outstanding.length === 0 && progress.completed > 0;
  const timeline = input.events
    .filter((e) => e.kind !== "task_claimed")
    .slice(-TIMELINE_LIMIT)
    .map((e) => ({ at: e.at, task_id: e.taskId, event: e.action ?? e.kind, from: e.from, to: e.to }));
  const doneTimes = tasks.map((t) => t.completedAt).filter((x): x is string => x !== null);
  const finished_at = all_completed && doneTimes.length > 0 ? doneTimes.sort().at(-1)! : null;

  const base = {
    parent_task_id: plan.id,
    description: plan.description,
    plan_status: plan.status,
    all_completed,
    progress,
    by_role,
    outstanding,
    timeline,
    started_at: plan.createdAt,
    finished_at,
  };
  return { ...base, markdown: renderSynthesis(base, input.tasks.length - tasks.length) };
}

function renderSynthesis(s: Omit<Synthesis, "markdown">, archived: number): string {
  const lines: string[] = [
    "# Task Synthesis Report",
    "",
    `- Plan: ${s.parent_task_id} — ${s.description}`,
    `- Status: ${s.plan_status}`,
    `- Progress: ${s.progress.completed}/${s.progress.total} subtasks completed (${s.progress.percentage}%)`,
    `- Started: ${s.started_at}${s.finished_at ? `; finished: ${s.finished_at}` : ""}`,
  ];
  if (archived > 0) lines.push(`- Archived subtasks not shown: ${archived}`);
  lines.push("");
  for (const group of s.by_role) {
    lines.push(`## ${group.specialist_type} results`, "");
    for (const t of group.tasks) {
      lines.push(`### ${t.title} (${t.task_id})`, "", `- Status: ${t.status}`);
      if (t.summary) lines.push(`- Summary: ${t.summary}`);
      if (t.note) lines.push(`- Note: ${t.note}`);
      for (const a of t.artifacts) lines.push(`- Artifact ${a.artifact_id} (${a.type}): ${a.path}`);
      lines.push("");
    }
  }
  lines.push("## Overall summary", "");
  if (s.all_completed) {
    lines.push(`All ${s.progress.completed} subtasks are completed.`);
  } else {
    lines.push(
      `Not finished: ${s.outstanding.length} subtask${s.outstanding.length === 1 ? " is" : "s are"} outstanding.`,
      "",
    );
    for (const o of s.outstanding)
      lines.push(`- ${o.task_id} "${o.title}": ${o.status}${o.note ? ` (${o.note})` : ""}`);
  }
  lines.push("", "## Timeline", "");
  for (const e of s.timeline) {
    const change = e.from || e.to ? ` ${e.from ?? ""} → ${e.to ?? ""}` : "";
    lines.push(`- ${e.at} ${e.task_id ?? "plan"}: ${e.event}${change}`);
  }
  return `${lines.join("\n")}\n`;
}
