import { isValidId } from "../../core/ids.ts";
import { buildSynthesis } from "../../core/synthesis.ts";
import type { ProjectScope, SynthesisView } from "../../dashboard/contract.ts";
import { exportPlans } from "../export.ts";
import { type DashboardDeps, planNotFound, projectContext, visible } from "./_context.ts";

/**
 * A plan's synthesis report as it stands, from one read: unlike synthesize_results it writes
 * nothing (a plan whose work is all done is marked completed by the next write, not by a viewer).
 */
export async function dashboardSynthesis(
  deps: DashboardDeps,
  scope: ProjectScope,
  project: string,
  planId: string,
): Promise<SynthesisView> {
  if (!visible(deps, scope, project)) throw planNotFound(project, planId);
  const s = await deps.store.read(async (r) => {
    const plan = await r.findPlan(project, planId);
    if (!plan) throw planNotFound(project, planId);
    const tasks = await r.findPlanTasks(project, planId);
    const artifacts = await r.findTaskArtifacts(
      project,
      tasks.map((t) => t.id),
    );
    const events = await r.findPlanEvents(project, planId);
    return buildSynthesis({ plan, tasks, artifacts, events });
  });
  return { project, planId, markdown: s.markdown, allCompleted: s.all_completed };
}

const CONTENT_TYPES = {
  md: "text/markdown; charset=utf-8",
  json: "application/json; charset=utf-8",
} as const;

/** One plan as the `export` command writes it (Markdown report, or JSON with every text), as a download. */
export async function dashboardExport(
  deps: DashboardDeps,
  scope: ProjectScope,
  project: string,
  planId: string,
  format: "md" | "json",
): Promise<{ readonly body: string; readonly filename: string; readonly contentType: string }> {
  if (!visible(deps, scope, project) || !isValidId(planId)) throw planNotFound(project, planId);
  if (!(await deps.store.read((r) => r.planExists(project, planId)))) throw planNotFound(project, planId);
  const body = await exportPlans(projectContext(deps, project), { planId, format });
  // Plan ids pass the id rule (letters, digits, _ and -), so the name needs no quoting.
  return { body, filename: `${planId}.${format}`, contentType: CONTENT_TYPES[format] };
}
