import type { Plan, PlanStatus, TaskCounts } from "../../core/task.ts";
import type { Overview, PlanSummary, ProjectScope } from "../../dashboard/contract.ts";
import type { StoreReader } from "../../store/port.ts";
import { type DashboardDeps, visibleProjects } from "./_context.ts";

/** Plans listed per project, most recently updated first; the rest are counted in `morePlans`. */
export const PLANS_PER_PROJECT = 500;

/** Archived plans are left out, as `export` leaves them out. */
const LISTED: readonly PlanStatus[] = ["active", "completed", "cancelled"];

/** Done share: completed and cancelled tasks of the total (0 for an empty plan). */
export function progressShare(c: TaskCounts): number {
  return c.total === 0 ? 0 : (c.completed + c.cancelled) / c.total;
}

/**
 * Summaries of a page of one project's plans: counters from the plan rows, roles, running claims
 * and last activity from one grouped query each, so the cost follows the page, not the tasks.
 */
export async function planSummaries(
  r: StoreReader,
  project: string,
  plans: readonly Plan[],
  now: string,
): Promise<PlanSummary[]> {
  const ids = plans.map((p) => p.id);
  const roles = await r.countTasksByRole(project, ids);
  const claims = await r.countClaimsByPlan(project, ids, now);
  const last = await r.findLastActivity(project, ids);
  return plans.map((p) => ({
    id: p.id,
    title: p.description,
    status: p.status,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    completedAt: p.completedAt,
    lastActivity: last.get(p.id) ?? p.updatedAt,
    counts: { ...p.counts },
    progress: progressShare(p.counts),
    roles: roles.get(p.id) ?? {},
    claimed: claims.get(p.id) ?? 0,
  }));
}

/** Every project in scope that has plans, each with its plans' summaries (one read snapshot). */
export async function dashboardOverview(deps: DashboardDeps, scope: ProjectScope): Promise<Overview> {
  const now = deps.clock.now();
  const listed = await deps.store.read(async (r) => {
    const projects = await visibleProjects(r, deps, scope);
    const out: Overview["projects"][number][] = [];
    for (const project of projects) {
      const plans = await r.findPlans(project, LISTED, PLANS_PER_PROJECT);
      if (plans.length === 0) continue;
      const counts = await r.countPlans(project);
      const inScope = LISTED.reduce((n, s) => n + counts[s], 0);
      const more = Math.max(0, inScope - plans.length);
      out.push({
        id: project,
        plans: await planSummaries(r, project, plans, now),
        ...(more > 0 ? { morePlans: more } : {}),
      });
    }
    return out;
  });
  return {
    now,
    store: { dialect: deps.store.dialect, location: deps.store.path },
    actions: { allowed: deps.actions.allowed, actor: deps.actions.allowed ? deps.actions.actor : null },
    projects: listed,
  };
}
