import { type Artifact, type ArtifactReading, artifactUri } from "./artifact.ts";
import type { Role } from "./roles/role.ts";
import type { Plan, Task } from "./task.ts";

/** A completed (or cancelled) dependency with what it produced. */
export interface DependencyOutput {
  readonly task: Task;
  readonly artifacts: readonly Artifact[];
}

/**
 * How much of each dependency artifact's text the prompt carries; the rest is one
 * orchestrator_get_artifact call away, so a long result does not crowd out the task itself.
 */
export const PROMPT_ARTIFACT_CHARS = 10_000;

const bullets = (items: readonly string[]): string => items.map((i) => `- ${i}`).join("\n");

/**
 * The specialist prompt `orchestrator_execute_subtask` returns: who to be (role definition,
 * expertise, approach, output format), the task in its plan, what its dependencies produced, and
 * how to report back.
 */
export function buildSpecialistPrompt(input: {
  readonly role: Role;
  readonly task: Task;
  readonly plan: Plan;
  readonly dependencies: readonly DependencyOutput[];
  readonly workspace: string;
  /** Each dependency artifact's text by artifact id, read from the store (see app/_artifact-text.ts). */
  readonly texts?: ReadonlyMap<string, ArtifactReading>;
}): string {
  const { role, task, plan, dependencies } = input;
  const parts: string[] = [`# ${role.role_definition}`, ""];
  if (role.expertise.length > 0) parts.push("## Your expertise", "", bullets(role.expertise), "");
  if (role.approach.length > 0) parts.push("## Your approach", "", bullets(role.approach), "");
  parts.push(
    "## Task",
    "",
    `- Task ID: ${task.id}`,
    `- Title: ${task.title}`,
    `- Specialist: ${task.specialistType}`,
    `- Estimated effort: ${task.estimatedEffort}`,
    `- Plan: ${plan.id} — ${plan.description}`,
    `- Workspace: ${input.workspace}`,
    "",
    task.description.trim() === "" ? "(no further description)" : task.description,
    "",
  );
  if (plan.context && plan.context.trim() !== "") parts.push("## Plan context", "", plan.context, "");
  if (task.statusNote && task.status !== "completed")
    parts.push("## Note from the last attempt", "", task.statusNote, "");
  if (dependencies.length > 0) {
    parts.push("## What your dependencies produced", "");
    for (const d of dependencies) {
      parts.push(`### ${d.task.title} (${d.task.id}, ${d.task.specialistType}, ${d.task.status})`, "");
      parts.push(d.task.summary?.trim() ? d.task.summary : "(no summary recorded)", "");
      for (const a of d.artifacts) {
        parts.push(`- Artifact ${a.id} (${a.type}): ${a.path} — ${artifactUri(a.id)}`, "");
        const reading = input.texts?.get(a.id);
        if (reading) parts.push(...artifactText(a, reading), "");
      }
    }
  }
  if (role.output_format.trim() !== "") parts.push("## Output format", "", role.output_format, "");
  parts.push(
    "## When you are done",
    "",
    `Call orchestrator_complete_subtask with task_id "${task.id}", a one-paragraph summary, your full`,
    "result as detailed_work (it is stored and shown to the tasks that depend on this one, so be complete), the files you touched as",
    "file_paths, and next_action: complete when finished, needs_revision to send it back with a note,",
    "blocked with the reason when you cannot go on.",
    "",
  );
  return parts.join("\n");
}

/** An artifact's text in a fence longer than any backtick run inside it, cut at PROMPT_ARTIFACT_CHARS. */
function artifactText(a: Artifact, reading: ArtifactReading): string[] {
  if ("problem" in reading) return [`(its text is not shown: ${reading.detail})`];
  const { text } = reading;
  const shown = text.length > PROMPT_ARTIFACT_CHARS ? text.slice(0, PROMPT_ARTIFACT_CHARS) : text;
  const longest = Math.max(0, ...(shown.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  const lines = [`${fence}markdown`, shown.endsWith("\n") ? shown.slice(0, -1) : shown, fence];
  if (!reading.checksumOk)
    lines.unshift("(warning: this file no longer matches the sha256 recorded when it was written)");
  if (shown !== text) {
    lines.push(
      `(${text.length - shown.length} more characters: orchestrator_get_artifact with artifact_id ${a.id} and offset ${shown.length})`,
    );
  }
  return lines;
}

/** A role's prompt for free-form work that is not a stored task (the MCP prompt per role). */
export function buildRolePrompt(role: Role, work: string): string {
  const parts: string[] = [`# ${role.role_definition}`, ""];
  if (role.expertise.length > 0) parts.push("## Your expertise", "", bullets(role.expertise), "");
  if (role.approach.length > 0) parts.push("## Your approach", "", bullets(role.approach), "");
  parts.push("## Task", "", work.trim() === "" ? "(describe the task)" : work, "");
  if (role.output_format.trim() !== "") parts.push("## Output format", "", role.output_format, "");
  return parts.join("\n");
}
