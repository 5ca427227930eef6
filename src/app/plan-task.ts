import { OrchestratorError } from "../core/errors.ts";
import {
  type PlannedTask,
  parseSubtasksJson,
  planInvalid,
  readyAtStart,
  validatePlan,
} from "../core/plan.ts";
import { newPlanId, newTaskId } from "../core/ports.ts";
import type { Complexity, Plan } from "../core/task.ts";
import type { StoreReader } from "../store/port.ts";
import { priorResult, type RequestKey, writeOnce } from "./_requests.ts";
import { refreshPlan } from "./_task-writes.ts";
import type { AppContext } from "./context.ts";

export interface PlanTaskInput {
  readonly description: string;
  readonly subtasks?: readonly unknown[] | undefined;
  readonly subtasksJson?: string | undefined;
  readonly complexity: Complexity;
  readonly context?: string | undefined;
  /** With a request_id: a retry returns the first call's result instead of storing a second plan. */
  readonly request?: RequestKey | undefined;
}

export interface PlanTaskResult {
  readonly plan: Plan;
  readonly tasks: readonly PlannedTask[];
  /** The subtasks that could start when the plan was stored, in plan order. */
  readonly ready: readonly PlannedTask[];
  /** True when this is the stored answer to an earlier call with the same request_id. */
  readonly replayed: boolean;
}

/**
 * Validates a whole plan (shape, ids, roles, dependencies, cycles) and stores the plan, its tasks,
 * their dependencies and the history in one transaction. On any problem nothing is stored and
 * PLAN_INVALID lists every issue.
 */
export async function planTask(ctx: AppContext, input: PlanTaskInput): Promise<PlanTaskResult> {
  // Computed here rather than stored with a request_id's result, so an answer stored by an earlier
  // version replays the same way.
  const stored = await storePlan(ctx, input);
  return { ...stored, ready: readyAtStart(stored.tasks) };
}

async function storePlan(ctx: AppContext, input: PlanTaskInput): Promise<Omit<PlanTaskResult, "ready">> {
  // A retry is answered before validation, so it gets the first answer even if roles changed since.
  const earlier = await priorResult<Omit<PlanTaskResult, "ready" | "replayed">>(
    ctx.store.direct,
    ctx.project,
    input.request,
    ctx.clock.now(),
  );
  if (earlier) return { ...earlier, replayed: true };
  if (input.subtasks !== undefined && input.subtasksJson !== undefined) {
    throw new OrchestratorError(
      "INVALID_INPUT",
      "Give the subtasks once: either subtasks (an array) or subtasks_json (a JSON string), not both.",
    );
  }
  let items: readonly unknown[];
  if (input.subtasks !== undefined) items = input.subtasks;
  else if (input.subtasksJson !== undefined) items = parseSubtasksJson(input.subtasksJson);
  else {
    throw new OrchestratorError(
      "INVALID_INPUT",
      "The plan has no subtasks: pass subtasks (an array of {title, description, specialist_type, dependencies?}) or subtasks_json (the same as a JSON string).",
    );
  }

  const snapshot = ctx.roles();
  let tasks: PlannedTask[];
  try {
    tasks = validatePlan(items, {
      roles: new Set(snapshot.roles.keys()),
      newTaskId: (role) => newTaskId(ctx.random, role),
    });
  } catch (e) {
    if (e instanceof OrchestratorError && snapshot.errors.length > 0) {
      const issues = (e.data?.issues as { code: string }[] | undefined) ?? [];
      if (issues.some((i) => i.code === "unknown_role")) {
        const files = snapshot.errors
          .map((f) => `${f.file}${f.line ? ` line ${f.line}` : ""}: ${f.message}`)
          .join("; ");
        throw new OrchestratorError(
          "PLAN_INVALID",
          `${e.message}\nNote: some role files could not be read, so their roles are missing: ${files}`,
          {
            data: e.data ? { ...e.data } : {},
          },
        );
      }
    }
    throw e;
  }

  const at = ctx.clock.now();
  const ws = ctx.project;
  return writeOnce(ctx, input.request, async (trx) => {
    let planId = newPlanId(ctx.random);
    while (await trx.planExists(ws, planId)) planId = newPlanId(ctx.random);

    // Ids the caller chose must be new in the workspace; generated ones are simply drawn again.
    const taken = await trx.findExistingTaskIds(
      ws,
      tasks.map((t) => t.id),
    );
    if (taken.size > 0) {
      const issues = items.flatMap((raw, index) => {
        const t = tasks.find((x) => x.position === index);
        if (!t || !taken.has(t.id)) return [];
        const explicit = typeof raw === "object" && raw !== null && "task_id" in raw;
        return explicit
          ? [
              {
                code: "id_taken" as const,
                index,
                message: `subtasks[${index}].task_id '${t.id}' is already used by another task in this workspace; choose another id or omit task_id`,
              },
            ]
          : [];
      });
      if (issues.length > 0) throw planInvalid(issues);
      tasks = await redrawGeneratedIds(trx, ws, tasks, taken, (role) => newTaskId(ctx.random, role));
    }

    await trx.insertPlan(ws, {
      id: planId,
      description: input.description,
      complexity: input.complexity,
      context: input.context ?? null,
      status: "active",
      createdAt: at,
      updatedAt: at,
    });
    await trx.insertTasks(
      ws,
      tasks.map((t) => ({
        id: t.id,
        planId,
        position: t.position,
        title: t.title,
        description: t.description,
        specialistType: t.specialistType,
        estimatedEffort: t.estimatedEffort,
        status: "pending",
        dependencies: t.dependencies,
        createdAt: at,
        updatedAt: at,
      })),
    );
    await trx.appendEvents(ws, [
      { at, kind: "plan_created", planId, taskId: null, to: "active" },
      ...tasks.map((t) => ({ at, kind: "task_created" as const, planId, taskId: t.id, to: "pending" })),
    ]);
    const plan = await refreshPlan(trx, ws, planId, at);
    return { plan, tasks };
  });
}

/** Replaces generated ids that collided with existing tasks, fixing dependency references. */
async function redrawGeneratedIds(
  trx: StoreReader,
  ws: string,
  tasks: PlannedTask[],
  taken: Set<string>,
  draw: (role: string) => string,
): Promise<PlannedTask[]> {
  const used = new Set(tasks.map((t) => t.id));
  const renamed = new Map<string, string>();
  for (const t of tasks) {
    if (!taken.has(t.id)) continue;
    let id = draw(t.specialistType);
    while (used.has(id) || (await trx.findExistingTaskIds(ws, [id])).size > 0) id = draw(t.specialistType);
    used.add(id);
    renamed.set(t.id, id);
  }
  return tasks.map((t) => ({
    ...t,
    id: renamed.get(t.id) ?? t.id,
    dependencies: t.dependencies.map((d) => renamed.get(d) ?? d),
  }));
}
