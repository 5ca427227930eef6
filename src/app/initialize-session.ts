import { type Progress, progressOf } from "../core/readiness.ts";
import type { Role } from "../core/roles/role.ts";
import type { Plan } from "../core/task.ts";
import { dataDir, seedRolesDir } from "../workspace/layout.ts";
import type { RoleFileError } from "../workspace/roles.ts";
import type { AppContext } from "./context.ts";

export interface InitializeSessionResult {
  readonly dataDir: string;
  readonly rolesSeeded: boolean;
  readonly roles: readonly Role[];
  readonly roleFiles: readonly string[];
  readonly roleErrors: readonly RoleFileError[];
  readonly openPlans: readonly { plan: Plan; progress: Progress }[];
}

/** Prepares a workspace for a session: seeds `roles/` if absent and gathers roles and open plans. */
export async function initializeSession(ctx: AppContext): Promise<InitializeSessionResult> {
  const rolesSeeded = seedRolesDir(ctx.workspace);
  // Seeded by this call after its look at the workspace: read again.
  const snapshot = ctx.roles({ again: rolesSeeded });
  const plans = await ctx.store.direct.findPlans(ctx.project, ["active"], 50);
  return {
    dataDir: dataDir(ctx.workspace),
    rolesSeeded,
    roles: [...snapshot.roles.values()],
    roleFiles: snapshot.files,
    roleErrors: snapshot.errors,
    openPlans: plans.map((plan) => ({ plan, progress: progressOf(plan.counts) })),
  };
}
