import { OrchestratorError } from "../core/errors.ts";
import { findCycle } from "../core/plan.ts";
import { addMs } from "../core/ports.ts";
import { isClaimedByOther, unmetDependencies } from "../core/readiness.ts";
import type { Task, TaskStatus } from "../core/task.ts";
import { canTransition, TASK_TRANSITIONS, type TaskAction } from "../core/transitions.ts";
import type { TaskPatch } from "../store/records.ts";
import { applyTaskAction, recordEvent, requireTaskWithSiblings } from "./_task-writes.ts";
import type { AppContext } from "./context.ts";

export interface UpdateTaskInput {
  readonly taskId: string;
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  readonly specialistType?: string | undefined;
  readonly estimatedEffort?: string | undefined;
  /** Replaces the dependencies: sibling task ids or titles. */
  readonly dependencies?: readonly string[] | undefined;
  readonly status?: TaskStatus | undefined;
  /** Why (kept as the task's note for blocked, failed, pending and cancelled). */
  readonly note?: string | undefined;
  readonly agentId: string;
}

/** Which actions can bring a task to each status, in order of preference. */
const ACTIONS_TO: Record<TaskStatus, readonly TaskAction[]> = {
  pending: ["release", "reopen", "request_revision"],
  active: ["start"],
  blocked: ["block"],
  completed: ["complete"],
  failed: ["fail"],
  cancelled: ["cancel"],
  archived: ["archive"],
};

/**
 * Edits a task's fields and/or moves it to another status through the state machine. Field edits
 * are refused on archived tasks; status changes are refused while another agent's lease holds
 * the task; new dependencies must be siblings and may not form a cycle. Returns the task and the
 * list of changes made.
 */
export async function updateTask(
  ctx: AppContext,
  input: UpdateTaskInput,
): Promise<{ task: Task; changes: string[] }> {
  const ws = ctx.project;
  if (input.specialistType !== undefined && !ctx.roles().roles.has(input.specialistType)) {
    const known = [...ctx.roles().roles.keys()].sort().join(", ");
    throw new OrchestratorError(
      "INVALID_INPUT",
      `specialist_type '${input.specialistType}' is not a known role (known: ${known}).`,
    );
  }
  return ctx.store.write(async (trx) => {
    const now = ctx.clock.now();
    const { task, siblings } = await requireTaskWithSiblings(trx, ws, input.taskId);
    const changes: string[] = [];
    const patch: TaskPatch = {};
    const fieldEdit =
      input.title !== undefined ||
      input.description !== undefined ||
      input.specialistType !== undefined ||
      input.estimatedEffort !== undefined ||
      input.dependencies !== undefined;
    if (fieldEdit && task.status === "archived") {
      throw new OrchestratorError(
        "TRANSITION_NOT_ALLOWED",
        `Task ${task.id} is archived; restore it first (orchestrator_delete_task with restore: true), then edit it.`,
        { data: { task_id: task.id, status: task.status } },
      );
    }
    if (input.title !== undefined && input.title !== task.title) {
      patch.title = input.title;
      changes.push("title");
    }
    if (input.description !== undefined && input.description !== task.description) {
      patch.description = input.description;
      changes.push("description");
    }
    if (input.specialistType !== undefined && input.specialistType !== task.specialistType) {
      patch.specialistType = input.specialistType;
      changes.push("specialist_type");
    }
    if (input.estimatedEffort !== undefined && input.estimatedEffort !== task.estimatedEffort) {
      patch.estimatedEffort = input.estimatedEffort;
      changes.push("estimated_effort");
    }
    let current: Task = task;
    if (input.dependencies !== undefined) {
      const deps = resolveDependencies(task, siblings, input.dependencies);
      if (deps.join("\n") !== task.dependencies.join("\n")) {
        await trx.replaceDependencies(ws, task, deps);
        current = { ...current, dependencies: deps };
        changes.push("dependencies");
      }
    }
    if (changes.length > 0) {
      await trx.updateTask(ws, task.id, { ...patch, updatedAt: now });
      await recordEvent(trx, ws, now, "task_updated", task.planId, task.id, {
        agentId: input.agentId,
        note: `changed ${changes.join(", ")}${input.note ? `: ${input.note}` : ""}`,
      });
      current = {
        ...current,
        title: patch.title ?? current.title,
        description: patch.description ?? current.description,
        specialistType: patch.specialistType ?? current.specialistType,
        estimatedEffort: patch.estimatedEffort ?? current.estimatedEffort,
        updatedAt: now,
      };
    }
    if (input.status !== undefined && input.status !== task.status) {
      if (isClaimedByOther(task, input.agentId, now, ctx.holderGone)) {
        throw new OrchestratorError(
          "TASK_CLAIMED",
          `Task ${task.id} is held by ${task.claim!.agentId} until ${task.claim!.expiresAt}; only that agent can change its status before then.`,
          { data: { task_id: task.id, claimed_by: task.claim!.agentId, expires_at: task.claim!.expiresAt } },
        );
      }
      const action =
        ACTIONS_TO[input.status].find((a) => canTransition(task.status, a)) ?? ACTIONS_TO[input.status][0]!;
      if ((action === "start" || action === "complete") && canTransition(task.status, action)) {
        const unmet = unmetDependencies(current, new Map(siblings.map((t) => [t.id, t])));
        if (unmet.length > 0) {
          throw new OrchestratorError(
            "DEPENDENCIES_UNMET",
            `Task ${task.id} cannot become ${input.status} while its dependencies are not completed: ${unmet.map((d) => `${d.task_id} (${d.status})`).join(", ")}.`,
            { data: { task_id: task.id, unmet } },
          );
        }
      }
      const statusPatch: TaskPatch =
        action === "start"
          ? {
              claim: {
                agentId: input.agentId,
                expiresAt: addMs(now, ctx.settings.leaseMs),
                holder: ctx.holder ?? null,
              },
              startedAt: task.startedAt ?? now,
            }
          : { claim: null };
      if (action === "complete") statusPatch.completedAt = now;
      if (TASK_TRANSITIONS[action].to !== "completed") statusPatch.statusNote = input.note ?? null;
      const { status } = await applyTaskAction(trx, ws, current, action, now, {
        agentId: input.agentId,
        note: input.note ?? null,
        patch: statusPatch,
      });
      current = {
        ...current,
        status,
        statusNote: statusPatch.statusNote ?? current.statusNote,
        updatedAt: now,
      };
      changes.push(`status ${task.status} → ${status}`);
    }
    return { task: current, changes };
  });
}

/** Resolves dependency references (ids or titles of siblings) and refuses self-references and cycles. */
function resolveDependencies(task: Task, siblings: readonly Task[], refs: readonly string[]): string[] {
  const out: string[] = [];
  for (const ref of refs) {
    const byId = siblings.find((t) => t.id === ref);
    const byTitle = siblings.filter((t) => t.title.toLowerCase() === ref.trim().toLowerCase());
    const target = byId ?? (byTitle.length === 1 ? byTitle[0] : undefined);
    if (!target) {
      throw new OrchestratorError(
        "INVALID_INPUT",
        byTitle.length > 1
          ? `dependency '${ref}' matches the titles of ${byTitle.length} tasks in the plan; use the task_id.`
          : `dependency '${ref}' is not the task_id or title of a task in plan ${task.planId}.`,
      );
    }
    if (target.id === task.id)
      throw new OrchestratorError("INVALID_INPUT", `task ${task.id} cannot depend on itself.`);
    if (!out.includes(target.id)) out.push(target.id);
  }
  const index = new Map(siblings.map((t, i) => [t.id, i]));
  const edges = siblings.map((t) =>
    (t.id === task.id ? out : t.dependencies)
      .map((d) => index.get(d))
      .filter((i): i is number => i !== undefined),
  );
  const cycle = findCycle(edges);
  if (cycle) {
    throw new OrchestratorError(
      "INVALID_INPUT",
      `these dependencies would form a cycle: ${[...cycle, cycle[0]!].map((i) => siblings[i]!.id).join(" -> ")}.`,
    );
  }
  return out;
}
