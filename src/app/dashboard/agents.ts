import type { AgentsView, AgentView, ProjectScope } from "../../dashboard/contract.ts";
import { claimView, type DashboardDeps, visibleProjects } from "./_context.ts";

/** A lease ending sooner than this is flagged. */
export const EXPIRING_SOON_MS = 5 * 60_000;
/** Completions are those of the last 24 hours... */
export const COMPLETIONS_SINCE_MS = 24 * 60 * 60_000;
/** ...among the newest events of the projects in scope (a bounded read however long the history). */
export const EVENT_WINDOW = 5000;
/** Claims listed in all; completions listed per agent. */
const CLAIMS_MAX = 1000;
const COMPLETIONS_PER_AGENT = 20;

/**
 * Who is working on what across the projects in scope: every recorded claim (running or lapsed,
 * flagged stale), the leases about to run out, each agent's recent completions and when it was
 * last seen in the history. Agents with the newest activity first.
 */
export async function dashboardAgents(deps: DashboardDeps, scope: ProjectScope): Promise<AgentsView> {
  const now = deps.clock.now();
  const since = new Date(Date.parse(now) - COMPLETIONS_SINCE_MS).toISOString();
  const { claims, completions, lastSeen } = await deps.store.read(async (r) => {
    const projects = await visibleProjects(r, deps, scope);
    return {
      claims: await r.findHeldClaims({ projects, limit: CLAIMS_MAX }),
      completions: await r.findRecentCompletions({ projects, since, window: EVENT_WINDOW }),
      lastSeen: await r.findAgentsLastSeen({ projects, window: EVENT_WINDOW }),
    };
  });
  const agents = new Map<string, { -readonly [K in keyof AgentView]: AgentView[K] }>();
  const agent = (id: string) => {
    let a = agents.get(id);
    if (!a) {
      a = { agentId: id, holding: [], recentCompletions: [], lastSeen: lastSeen.get(id) ?? null };
      agents.set(id, a);
    }
    return a;
  };
  for (const c of claims) {
    const claim = claimView(c.claim, now, deps.holderGone);
    agent(c.claim.agentId).holding.push({
      project: c.project,
      planId: c.planId,
      taskId: c.taskId,
      title: c.title,
      status: c.status,
      claim,
      expiringSoon: !claim.stale && claim.remainingMs < EXPIRING_SOON_MS,
    });
  }
  for (const c of completions) {
    const a = agent(c.agentId);
    if (a.recentCompletions.length >= COMPLETIONS_PER_AGENT) continue;
    a.recentCompletions.push({
      project: c.project,
      planId: c.planId,
      taskId: c.taskId,
      title: c.title ?? "(deleted task)",
      at: c.at,
    });
  }
  const list = [...agents.values()].sort(
    (x, y) => (y.lastSeen ?? "").localeCompare(x.lastSeen ?? "") || x.agentId.localeCompare(y.agentId),
  );
  return { now, agents: list };
}
