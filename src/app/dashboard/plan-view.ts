import { claimLapse, type HolderGone, unmetDependencies } from "../../core/readiness.ts";
import type { Task } from "../../core/task.ts";
import type { GraphTask, PlanView, ProjectScope } from "../../dashboard/contract.ts";
import { claimView, type DashboardDeps, planNotFound, visible } from "./_context.ts";
import { planSummaries } from "./overview.ts";

/**
 * Whether a task can start now: pending, every dependency completed or cancelled (looked up among
 * all the plan's tasks, archived ones included, since an archived dependency is not done), and no
 * claim that still blocks (core/readiness.ts's rule, with the holder check the server makes).
 */
export function isReady(task: Task, byId: ReadonlyMap<string, Task>, now: string, gone: HolderGone): boolean {
  if (task.status !== "pending") return false;
  if (unmetDependencies(task, byId).length > 0) return false;
  return task.claim === null || claimLapse(task.claim, now, gone) !== null;
}

/**
 * A plan as its dependency graph: every task but archived ones, in plan order, with status, role,
 * holder, lease left and whether it is ready. Edges go only to listed tasks, so the graph never
 * points at a node it does not draw (the task view lists every dependency, archived ones too).
 */
export async function dashboardPlan(
  deps: DashboardDeps,
  scope: ProjectScope,
  project: string,
  planId: string,
): Promise<PlanView> {
  if (!visible(deps, scope, project)) throw planNotFound(project, planId);
  const now = deps.clock.now();
  return deps.store.read(async (r) => {
    const plan = await r.findPlan(project, planId);
    if (!plan) throw planNotFound(project, planId);
    const [summary] = await planSummaries(r, project, [plan], now);
    const all = await r.findPlanTasks(project, planId);
    const byId = new Map(all.map((t) => [t.id, t]));
    const shown = all.filter((t) => t.status !== "archived");
    const listed = new Set(shown.map((t) => t.id));
    const artifacts = await r.countArtifactsByTask(
      project,
      shown.map((t) => t.id),
    );
    const tasks: GraphTask[] = shown.map((t) => ({
      id: t.id,
      title: t.title,
      role: t.specialistType,
      status: t.status,
      position: t.position,
      dependencies: t.dependencies.filter((d) => listed.has(d)),
      ready: isReady(t, byId, now, deps.holderGone),
      claim: t.claim ? claimView(t.claim, now, deps.holderGone) : null,
      updatedAt: t.updatedAt,
      completedAt: t.completedAt,
      artifactCount: artifacts.get(t.id) ?? 0,
    }));
    return { now, project, plan: { ...summary!, complexity: plan.complexity }, tasks };
  });
}
