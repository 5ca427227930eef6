import type { Artifact, ArtifactReading } from "../../core/artifact.ts";
import type { Task } from "../../core/task.ts";
import type { ArtifactView, ProjectScope, TaskView } from "../../dashboard/contract.ts";
import { readArtifactTexts } from "../_artifact-text.ts";
import { specialistPrompt } from "../task-prompt.ts";
import {
  claimView,
  type DashboardDeps,
  hasCheckout,
  historyEntry,
  projectContext,
  taskNotFound,
  visible,
} from "./_context.ts";
import { availableActions } from "./actions.ts";
import { isReady } from "./plan-view.ts";

/** History entries shown per task (its newest ones, oldest first). */
export const TASK_HISTORY_LIMIT = 200;

export const NO_CHECKOUT_NOTE =
  "This project has no local checkout here: the prompt is rebuilt with the built-in roles (a role file of the project may have changed the one the agent got).";

/**
 * One subtask in full: its fields, dependencies and dependents, the specialist prompt
 * execute_subtask gives for it, its history with who and when, and its artifacts with their text
 * checked against the recorded sha256. Reads only: no claim, no local copy written.
 */
export async function dashboardTask(
  deps: DashboardDeps,
  scope: ProjectScope,
  project: string,
  taskId: string,
): Promise<TaskView> {
  if (!visible(deps, scope, project)) throw taskNotFound(project, taskId);
  const now = deps.clock.now();
  const loaded = await deps.store.read(async (r) => {
    const task = await r.findTask(project, taskId);
    if (!task) throw taskNotFound(project, taskId);
    const plan = await r.findPlan(project, task.planId);
    if (!plan) throw taskNotFound(project, taskId);
    const siblings = await r.findPlanTasks(project, task.planId);
    const history = await r.findTaskEvents(project, task.planId, taskId, TASK_HISTORY_LIMIT);
    const artifacts = (await r.findTaskArtifacts(project, [taskId])).get(taskId) ?? [];
    return { task, plan, siblings, history, artifacts };
  });
  const { task, plan, siblings, history, artifacts } = loaded;
  const byId = new Map(siblings.map((t) => [t.id, t]));
  const depTasks = task.dependencies.map((d) => byId.get(d)).filter((t): t is Task => t !== undefined);
  const ctx = projectContext(deps, project);
  const prompt = (await specialistPrompt(ctx, task, plan, depTasks)).prompt;
  return {
    now,
    project,
    planId: plan.id,
    planTitle: plan.description,
    task: {
      id: task.id,
      title: task.title,
      description: task.description,
      role: task.specialistType,
      status: task.status,
      estimatedEffort: task.estimatedEffort,
      summary: task.summary,
      statusNote: task.statusNote,
      claim: task.claim ? claimView(task.claim, now, deps.holderGone) : null,
      ready: isReady(task, byId, now, deps.holderGone),
      createdAt: task.createdAt,
      updatedAt: task.updatedAt,
      startedAt: task.startedAt,
      completedAt: task.completedAt,
    },
    dependencies: task.dependencies.map((id) => {
      const t = byId.get(id);
      return t
        ? { id, title: t.title, status: t.status }
        : { id, title: "(missing task)", status: "archived" as const };
    }),
    dependents: siblings
      .filter((t) => t.dependencies.includes(task.id))
      .map((t) => ({ id: t.id, title: t.title, status: t.status })),
    prompt,
    promptNote: hasCheckout(deps, project) ? null : NO_CHECKOUT_NOTE,
    history: history.map(historyEntry),
    artifacts: await artifactViews(deps, project, artifacts),
    actions: deps.actions.allowed ? availableActions(task, now, deps.holderGone) : [],
  };
}

/** Each artifact with its text and the verdict of its checksum (never the text of another row). */
async function artifactViews(
  deps: DashboardDeps,
  project: string,
  artifacts: readonly Artifact[],
): Promise<ArtifactView[]> {
  const ctx = projectContext(deps, project);
  const readings = await readArtifactTexts(ctx, artifacts);
  // A text altered in the store is shown flagged, so people can see what changed.
  const altered = artifacts.filter((a) => {
    const r = readings.get(a.id);
    return r !== undefined && "problem" in r && r.problem === "altered_in_store";
  });
  const alteredTexts =
    altered.length > 0
      ? await deps.store.direct.findArtifactContents(
          project,
          altered.map((a) => a.id),
        )
      : new Map<string, string>();
  return artifacts.map((a) => ({
    id: a.id,
    type: a.type,
    summary: a.summary,
    path: a.path,
    size: a.size,
    sha256: a.sha256,
    createdAt: a.createdAt,
    filePaths: [...a.filePaths],
    ...verdict(readings.get(a.id), alteredTexts.get(a.id)),
  }));
}

/** The text, checksum verdict and problem of one reading. */
export function verdict(
  reading: ArtifactReading | undefined,
  alteredText: string | undefined,
): Pick<ArtifactView, "content" | "checksum" | "problem"> {
  if (reading === undefined) return { content: null, checksum: "missing", problem: "its text was not read" };
  if ("problem" in reading) {
    if (reading.problem === "altered_in_store")
      return { content: alteredText ?? null, checksum: "mismatch", problem: reading.detail };
    return { content: null, checksum: "missing", problem: reading.detail };
  }
  if (reading.checksumOk) return { content: reading.text, checksum: "ok", problem: null };
  return {
    content: reading.text,
    checksum: "mismatch",
    problem:
      "the local file (written before texts were kept in the store) no longer matches the sha256 recorded when it was written",
  };
}
