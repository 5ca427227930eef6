import type { AppContext } from "./context.ts";

/** How often at most a connection renews its agents' leases in one workspace. */
const LEASE_RENEWAL_INTERVAL_MS = 60_000;

/**
 * Any call on a connection shows its agents are alive: extends their live leases in the
 * workspace, held from now on by the connection's process. At most once a minute per workspace
 * (a third of the lease when that is shorter), so reads stay reads; `renewedAt` is the
 * connection's memory of when it last did (ms, per workspace).
 */
export async function renewLeases(
  ctx: AppContext,
  agentIds: ReadonlySet<string>,
  renewedAt: Map<string, number>,
): Promise<void> {
  if (agentIds.size === 0 || ctx.store.placeholder) return;
  const nowMs = Date.parse(ctx.clock.now());
  const interval = Math.min(LEASE_RENEWAL_INTERVAL_MS, ctx.settings.leaseMs / 3);
  if (nowMs - (renewedAt.get(ctx.project) ?? 0) < interval) return;
  renewedAt.set(ctx.project, nowMs);
  await ctx.store.direct.renewClaims(ctx.project, {
    agentIds: [...agentIds],
    now: new Date(nowMs).toISOString(),
    expiresAt: new Date(nowMs + ctx.settings.leaseMs).toISOString(),
    holder: ctx.holder,
  });
}
