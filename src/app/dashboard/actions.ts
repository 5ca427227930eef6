import { OrchestratorError } from "../../core/errors.ts";
import { claimLapse, type HolderGone } from "../../core/readiness.ts";
import type { Task } from "../../core/task.ts";
import { canTransition, nextStatus } from "../../core/transitions.ts";
import {
  type ActionRequest,
  ActionRequestSchema,
  type ActionResult,
  type DashboardAction,
  type ProjectScope,
} from "../../dashboard/contract.ts";
import type { TaskPatch } from "../../store/records.ts";
import { applyTaskAction } from "../_task-writes.ts";
import { type DashboardDeps, taskNotFound, visible } from "./_context.ts";

/** Longest actor name recorded (a token name or an OS user name is far shorter). */
const ACTOR_MAX = 200;

/** Whether a claim no longer blocks anyone: none at all, lease run out, or holder process gone. */
function claimIsStale(task: Task, now: string, gone: HolderGone): boolean {
  return task.claim === null || claimLapse(task.claim, now, gone) !== null;
}

/**
 * The dashboard actions a task allows now: release only an active task whose claim no longer
 * blocks (a running lease is its holder's to give up), cancel and reopen as the state machine says.
 */
export function availableActions(task: Task, now: string, gone: HolderGone): DashboardAction[] {
  const out: DashboardAction[] = [];
  if (canTransition(task.status, "release") && claimIsStale(task, now, gone)) out.push("release");
  if (canTransition(task.status, "cancel")) out.push("cancel");
  if (canTransition(task.status, "reopen")) out.push("reopen");
  return out;
}

/** The history note of an action: where it came from, and the person's reason when given. */
export function actionNote(note: string | undefined): string {
  const why = note?.trim();
  return why ? `from the dashboard: ${why}` : "from the dashboard";
}

/**
 * Applies one dashboard action in one write transaction, recorded in the task's history under
 * `actor` (the person: `ui --as` or the token's name). Refused when actions are off
 * (DASHBOARD_READ_ONLY, whatever the HTTP layer checked), for a task outside the scope
 * (TASK_NOT_FOUND, as for one that does not exist), by the state machine
 * (TRANSITION_NOT_ALLOWED), and for a release while the claim still blocks (CLAIM_NOT_STALE).
 */
export async function dashboardAct(
  deps: DashboardDeps,
  scope: ProjectScope,
  request: ActionRequest,
  actor: string,
): Promise<ActionResult> {
  if (!deps.actions.allowed) {
    throw new OrchestratorError(
      "DASHBOARD_READ_ONLY",
      "This dashboard shows the work but does not change it: actions are off. Start it with --allow-actions to release, cancel or reopen tasks.",
    );
  }
  const parsed = ActionRequestSchema.safeParse(request);
  if (!parsed.success) {
    throw new OrchestratorError(
      "INVALID_INPUT",
      `The action request is malformed: ${parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}.`,
    );
  }
  const who = actor.trim();
  if (who === "" || who.length > ACTOR_MAX) {
    throw new OrchestratorError(
      "INVALID_INPUT",
      `The actor name must be 1 to ${ACTOR_MAX} characters; the dashboard records actions under it.`,
    );
  }
  const req = parsed.data;
  if (!visible(deps, scope, req.project)) throw taskNotFound(req.project, req.taskId);
  const note = actionNote(req.note);
  return deps.store.write(async (trx) => {
    const now = deps.clock.now();
    const task = await trx.findTask(req.project, req.taskId);
    if (!task) throw taskNotFound(req.project, req.taskId);
    // The state machine first, so a release of a pending task says what the task is.
    nextStatus(task.id, task.status, req.action, task.archivedFrom);
    if (req.action === "release" && !claimIsStale(task, now, deps.holderGone)) {
      throw new OrchestratorError(
        "CLAIM_NOT_STALE",
        `Task ${task.id} is held by ${task.claim!.agentId} until ${task.claim!.expiresAt}, and its holder is not known to be gone; its claim can be released once the lease runs out. Cancel the task to stop the work now.`,
        { data: { task_id: task.id, claimed_by: task.claim!.agentId, expires_at: task.claim!.expiresAt } },
      );
    }
    const patch: TaskPatch = req.action === "release" ? { claim: null } : { claim: null, statusNote: note };
    const { status } = await applyTaskAction(trx, req.project, task, req.action, now, {
      agentId: who,
      note,
      patch,
    });
    return { taskId: task.id, action: req.action, from: task.status, to: status, actor: who };
  });
}
