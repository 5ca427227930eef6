import { buildSynthesis, type Synthesis } from "../core/synthesis.ts";
import { findTaskArtifacts } from "../store/repositories/artifacts.repository.ts";
import { findPlanEvents } from "../store/repositories/events.repository.ts";
import { findPlanTasks } from "../store/repositories/tasks.repository.ts";
import { readTx, writeTx } from "../store/transactions.ts";
import { refreshPlan, requirePlan } from "./_task-writes.ts";
import type { AppContext } from "./context.ts";

/**
 * The synthesis report of a plan, from what is stored. When every subtask is done the plan is
 * (re)marked completed first, so the report and the store agree.
 */
export async function synthesizeResults(ctx: AppContext, planId: string): Promise<Synthesis> {
  const ws = ctx.workspace;
  const plan = await requirePlan(ctx.store.db, ws, planId);
  if (
    plan.status === "active" &&
    plan.counts.pending + plan.counts.active + plan.counts.blocked + plan.counts.failed === 0
  ) {
    await writeTx(ctx.store.db, (trx) => refreshPlan(trx, ws, planId, ctx.clock.now()));
  }
  return readTx(ctx.store.db, async (db) => {
    const current = await requirePlan(db, ws, planId);
    const tasks = await findPlanTasks(db, ws, planId);
    const artifacts = await findTaskArtifacts(
      db,
      ws,
      tasks.map((t) => t.id),
    );
    const events = await findPlanEvents(db, ws, planId);
    return buildSynthesis({ plan: current, tasks, artifacts, events });
  });
}
