import { buildSynthesis } from "../core/synthesis.ts";
import type { Plan } from "../core/task.ts";
import { readArtifactTexts } from "./_artifact-text.ts";
import { requirePlan } from "./_task-writes.ts";
import type { AppContext } from "./context.ts";

export type ExportFormat = "md" | "json";

/**
 * The workspace's plans (or one plan) as a document: Markdown synthesis reports, or JSON with
 * every task, artifact (with its text, read from the store, so an export on any machine sharing it
 * is whole) and history event. Archived plans are left out unless named. Writes no file.
 */
export async function exportPlans(
  ctx: AppContext,
  opts: { planId?: string | undefined; format: ExportFormat },
): Promise<string> {
  const ws = ctx.project;
  const loaded = await ctx.store.read(async (db) => {
    const plans: Plan[] = opts.planId
      ? [await requirePlan(db, ws, opts.planId)]
      : await db.findPlans(ws, ["active", "completed", "cancelled"], 100_000);
    const out = [];
    for (const plan of plans) {
      const tasks = await db.findPlanTasks(ws, plan.id);
      const artifacts = await db.findTaskArtifacts(
        ws,
        tasks.map((t) => t.id),
      );
      const events = await db.findPlanEvents(ws, plan.id, 100_000);
      out.push({ plan, tasks, artifacts, events });
    }
    return out;
  });
  if (opts.format === "md") {
    // No workspace: a project read from a shared database without a checkout here (the dashboard).
    const what = ctx.workspace
      ? `${ctx.workspace} (project ${ctx.identity.id})`
      : `project ${ctx.identity.id}`;
    const header = `# Orchestrator export: ${what}\n\nExported ${ctx.clock.now()}; ${loaded.length} plan(s).\n\n`;
    return (
      header +
      loaded
        .map((l) => buildSynthesis(l).markdown.replace(/^# Task Synthesis Report/, `# ${l.plan.description}`))
        .join("\n---\n\n")
    );
  }
  const texts = await readArtifactTexts(
    ctx,
    loaded.flatMap((l) => [...l.artifacts.values()].flat()),
  );
  const contentOf = (id: string): { content: string | null; content_problem?: string } => {
    const r = texts.get(id);
    if (!r) return { content: null };
    return "problem" in r ? { content: null, content_problem: r.detail } : { content: r.text };
  };
  const doc = {
    workspace: ctx.workspace || null,
    project: ctx.identity.id,
    exported_at: ctx.clock.now(),
    plans: loaded.map(({ plan, tasks, artifacts, events }) => ({
      parent_task_id: plan.id,
      description: plan.description,
      complexity: plan.complexity,
      context: plan.context,
      status: plan.status,
      counts: plan.counts,
      created_at: plan.createdAt,
      updated_at: plan.updatedAt,
      completed_at: plan.completedAt,
      tasks: tasks.map((t) => ({
        task_id: t.id,
        title: t.title,
        description: t.description,
        specialist_type: t.specialistType,
        estimated_effort: t.estimatedEffort,
        status: t.status,
        summary: t.summary,
        note: t.statusNote,
        dependencies: t.dependencies,
        claimed_by: t.claim?.agentId ?? null,
        created_at: t.createdAt,
        started_at: t.startedAt,
        completed_at: t.completedAt,
        artifacts: (artifacts.get(t.id) ?? []).map((a) => ({
          artifact_id: a.id,
          type: a.type,
          summary: a.summary,
          path: a.path,
          size: a.size,
          sha256: a.sha256,
          file_paths: a.filePaths,
          created_at: a.createdAt,
          ...contentOf(a.id),
        })),
      })),
      history: events.map((e) => ({
        at: e.at,
        kind: e.kind,
        task_id: e.taskId,
        action: e.action,
        from: e.from,
        to: e.to,
        agent_id: e.agentId,
        note: e.note,
      })),
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
