import { addMs } from "../core/ports.ts";
import type {
  MaintenanceBody,
  MaintenanceFinding,
  MaintenanceInput,
  MaintenanceStep,
} from "./_maintenance-report.ts";
import { applyTaskAction, requireTask } from "./_task-writes.ts";
import type { AppContext } from "./context.ts";

/**
 * scan_cleanup: finds stale tasks, expired leases and orphans (open work in a closed plan),
 * releases the leases and (at comprehensive or full_audit) archives stale and orphaned tasks
 * through the state machine, each in its own transaction after a re-read.
 */
export async function scanCleanup(ctx: AppContext, input: MaintenanceInput): Promise<MaintenanceBody> {
  const ws = ctx.project;
  const now = ctx.clock.now();
  const staleBefore = addMs(now, -ctx.settings.staleMs);
  const archive = input.validationLevel !== "basic";
  const act = !input.dryRun;
  const findings: MaintenanceFinding[] = [];
  const actions: MaintenanceStep[] = [];

  const candidates = await ctx.store.direct.findCleanupCandidates(ws, {
    now,
    staleBefore,
    taskId: input.targetTaskId,
  });

  for (const { task, planStatus } of candidates) {
    const leaseExpired = task.claim !== null && task.claim.expiresAt < now;
    const orphan = ["cancelled", "archived"].includes(planStatus) && task.status !== "completed";
    const stale =
      !orphan && ["pending", "active", "blocked"].includes(task.status) && task.updatedAt < staleBefore;
    if (leaseExpired) {
      findings.push({
        kind: "expired_lease",
        severity: "info",
        task_id: task.id,
        message: `lease of ${task.claim!.agentId} on ${task.id} expired at ${task.claim!.expiresAt}`,
      });
    }
    if (stale) {
      findings.push({
        kind: "stale_task",
        severity: "warning",
        task_id: task.id,
        message: `${task.id} "${task.title}" is ${task.status} with no activity since ${task.updatedAt}`,
      });
    }
    if (orphan) {
      findings.push({
        kind: "orphaned_task",
        severity: "warning",
        task_id: task.id,
        message: `${task.id} "${task.title}" is still ${task.status} in plan ${task.planId}, which is ${planStatus}`,
      });
    }
    if (!act) continue;
    // What this attempt did: on PostgreSQL a write may run again, so nothing is reported until it commits.
    const done = await ctx.store.write(async (trx) => {
      const mine: typeof actions = [];
      // Re-read inside the transaction: another agent may have acted since the scan.
      let fresh = await requireTask(trx, ws, task.id);
      if (leaseExpired && fresh.claim && fresh.claim.expiresAt < now) {
        if (fresh.status === "active") {
          await applyTaskAction(trx, ws, fresh, "release", now, {
            note: `lease of ${fresh.claim.agentId} expired`,
            patch: { claim: null },
          });
          mine.push({
            action: "release_lease",
            task_id: task.id,
            detail: "active → pending; the task is free to pick up again",
          });
        } else {
          await trx.updateTask(ws, task.id, { claim: null, updatedAt: now });
          mine.push({ action: "release_lease", task_id: task.id, detail: "expired claim cleared" });
        }
        fresh = await requireTask(trx, ws, task.id);
      }
      if ((stale || orphan) && archive && fresh.status !== "archived" && fresh.updatedAt === task.updatedAt) {
        const why = orphan
          ? `orphaned: plan ${task.planId} is ${planStatus}`
          : `stale: no activity since ${task.updatedAt}`;
        await applyTaskAction(trx, ws, fresh, "archive", now, {
          note: why,
          patch: { claim: null },
        });
        mine.push({
          action: orphan ? "archive_orphaned_task" : "archive_stale_task",
          task_id: task.id,
          detail: `archived (restorable): ${why}`,
        });
      }
      return mine;
    });
    actions.push(...done);
  }
  const count = (k: string): number => findings.filter((f) => f.kind === k).length;
  const hint = input.dryRun
    ? " Dry run: nothing was changed."
    : count("stale_task") + count("orphaned_task") > 0 && !archive
      ? " Run again with validation_level comprehensive to archive them (they can be restored)."
      : "";
  return {
    findings,
    actions_taken: actions,
    files_written: [],
    summary: `${count("stale_task")} stale task(s), ${count("orphaned_task")} orphaned task(s), ${count("expired_lease")} expired lease(s); ${actions.length} action(s) taken.${hint}`,
  };
}
