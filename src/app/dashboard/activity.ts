import type { ActivityView, ProjectScope } from "../../dashboard/contract.ts";
import { type DashboardDeps, historyEntry, projectFilter, visible } from "./_context.ts";

export const ACTIVITY_DEFAULT = 200;
export const ACTIVITY_MAX = 1000;

/** A limit from a request: whole, 1..ACTIVITY_MAX, the default when it is not a number. */
export function activityLimit(limit: number): number {
  if (!Number.isFinite(limit)) return ACTIVITY_DEFAULT;
  return Math.min(ACTIVITY_MAX, Math.max(1, Math.trunc(limit)));
}

/**
 * The timeline across plans, newest first: every history event of the projects in scope (or of
 * one project, or one plan), with the plan's and task's titles. A project outside the scope
 * answers an empty timeline, exactly as a project without events does.
 */
export async function dashboardActivity(
  deps: DashboardDeps,
  scope: ProjectScope,
  q: { readonly limit: number; readonly project?: string | undefined; readonly planId?: string | undefined },
): Promise<ActivityView> {
  const now = deps.clock.now();
  const limit = activityLimit(q.limit);
  const events = await deps.store.read(async (r) => {
    let projects: string[] | null;
    if (q.project !== undefined) projects = visible(deps, scope, q.project) ? [q.project] : [];
    else projects = await projectFilter(r, deps, scope);
    return r.findRecentEvents({ projects, planId: q.planId, limit });
  });
  return {
    now,
    events: events.map(({ project, event: e, planTitle, taskTitle }) => ({
      ...historyEntry(e),
      project,
      planId: e.planId,
      planTitle,
      taskId: e.taskId,
      taskTitle,
    })),
  };
}
