import { buildSynthesis, type Synthesis } from "../core/synthesis.ts";
import { refreshPlan, requirePlan } from "./_task-writes.ts";
import type { AppContext } from "./context.ts";

/**
 * The synthesis report of a plan, from what is stored. When every subtask is done the plan is
 * (re)marked completed first, so the report and the store agree.
 */
export async function synthesizeResults(ctx: AppContext, planId: string): Promise<Synthesis> {
  const ws = ctx.project;
  const plan = await requirePlan(ctx.store.direct, ws, planId);
  if (
    plan.status === "active" &&
    plan.counts.pending + plan.counts.active + plan.counts.blocked + plan.counts.failed === 0
  ) {
    await ctx.store.write((trx) => refreshPlan(trx, ws, planId, ctx.clock.now()));
  }
  return ctx.store.read(async (db) => {
    const current = await requirePlan(db, ws, planId);
    const tasks = await db.findPlanTasks(ws, planId);
    const artifacts = await db.findTaskArtifacts(
      ws,
      tasks.map((t) => t.id),
    );
    const events = await db.findPlanEvents(ws, planId);
    return buildSynthesis({ plan: current, tasks, artifacts, events });
  });
}
