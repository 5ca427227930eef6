import { z } from "zod";
import { OrchestratorError } from "./errors.ts";
import { IdSchema } from "./ids.ts";
import { RoleNameSchema } from "./roles/role.ts";

/** Subtask ids: given by the caller (`task_id`) or generated as `<role>_<6 hex>`; the one id rule. */
export const TaskIdSchema = IdSchema;

export const MAX_SUBTASKS = 500;

/** One subtask as a client writes it in `subtasks` / `subtasks_json`. */
export const SubtaskInputSchema = z.object({
  title: z.string().trim().min(1, "title must not be empty").max(500),
  description: z.string().max(50_000).default(""),
  specialist_type: z.preprocess((v) => (typeof v === "string" ? v.trim().toLowerCase() : v), RoleNameSchema),
  dependencies: z.array(z.string().trim().min(1)).max(MAX_SUBTASKS).default([]),
  estimated_effort: z.string().max(200).optional(),
  task_id: TaskIdSchema.optional(),
});
export type SubtaskInput = z.input<typeof SubtaskInputSchema>;

export type PlanIssueCode =
  | "invalid_json"
  | "invalid_subtask"
  | "empty_plan"
  | "too_many_subtasks"
  | "duplicate_id"
  | "id_taken"
  | "unknown_role"
  | "unknown_dependency"
  | "ambiguous_dependency"
  | "self_dependency"
  | "cycle";

/** One reason a plan was refused; `index` is the 0-based subtask position when it applies. */
export interface PlanIssue {
  readonly code: PlanIssueCode;
  readonly index?: number;
  readonly message: string;
}

/** A validated subtask with its final id and dependencies resolved to ids. */
export interface PlannedTask {
  readonly id: string;
  readonly position: number;
  readonly title: string;
  readonly description: string;
  readonly specialistType: string;
  readonly estimatedEffort: string;
  readonly dependencies: readonly string[];
}

export interface PlanValidationContext {
  /** Every role name usable in this workspace (built-in and custom). */
  readonly roles: ReadonlySet<string>;
  /** Generates a fresh id for a subtask of `role` (must not repeat within one call). */
  readonly newTaskId: (role: string) => string;
}

/**
 * Parses `subtasks_json` (a JSON array, or an object with a `subtasks` array) into raw items.
 * Throws PLAN_INVALID with an `invalid_json` issue saying where the text is broken.
 */
export function parseSubtasksJson(text: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw planInvalid([{ code: "invalid_json", message: `subtasks_json is not valid JSON: ${detail}` }]);
  }
  if (value && typeof value === "object" && !Array.isArray(value) && "subtasks" in value) {
    value = (value as { subtasks: unknown }).subtasks;
  }
  if (!Array.isArray(value)) {
    throw planInvalid([
      { code: "invalid_json", message: "subtasks_json must be a JSON array of subtask objects" },
    ]);
  }
  return value;
}

/**
 * Validates a whole plan before anything is stored: item shape, ids, roles, dependencies (by id
 * or by a sibling's title) and cycles. Returns the tasks in order, or throws PLAN_INVALID whose
 * `data.issues` lists every problem found (not just the first).
 */
export function validatePlan(items: readonly unknown[], ctx: PlanValidationContext): PlannedTask[] {
  const issues: PlanIssue[] = [];
  if (items.length === 0) issues.push({ code: "empty_plan", message: "a plan needs at least one subtask" });
  if (items.length > MAX_SUBTASKS) {
    issues.push({
      code: "too_many_subtasks",
      message: `a plan holds at most ${MAX_SUBTASKS} subtasks, got ${items.length}`,
    });
  }
  if (issues.length > 0) throw planInvalid(issues);

  const parsed: { index: number; item: z.output<typeof SubtaskInputSchema> }[] = [];
  items.forEach((raw, index) => {
    const r = SubtaskInputSchema.safeParse(raw);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const where = issue.path.length > 0 ? `.${issue.path.join(".")}` : "";
        issues.push({
          code: "invalid_subtask",
          index,
          message: `subtasks[${index}]${where}: ${issue.message}`,
        });
      }
      return;
    }
    parsed.push({ index, item: r.data });
  });
  if (issues.length > 0) throw planInvalid(issues);

  // Ids: explicit ones must be unique; generated ones must not hit an explicit one.
  const explicit = new Map<string, number>();
  for (const { index, item } of parsed) {
    if (item.task_id === undefined) continue;
    const seen = explicit.get(item.task_id);
    if (seen !== undefined) {
      issues.push({
        code: "duplicate_id",
        index,
        message: `subtasks[${index}].task_id '${item.task_id}' repeats subtasks[${seen}]`,
      });
    } else explicit.set(item.task_id, index);
  }
  // Drawn ids are random (`<role>_<6 hex>`): two of one call can meet (a 400-task plan of one role
  // did, 1 in ~200), so each is drawn again until it differs from every id given or drawn so far.
  const used = new Set(explicit.keys());
  const ids = parsed.map(({ item }) => {
    if (item.task_id !== undefined) return item.task_id;
    let id = ctx.newTaskId(item.specialist_type);
    while (used.has(id)) id = ctx.newTaskId(item.specialist_type);
    used.add(id);
    return id;
  });

  for (const { index, item } of parsed) {
    if (!ctx.roles.has(item.specialist_type)) {
      issues.push({
        code: "unknown_role",
        index,
        message: `subtasks[${index}].specialist_type '${item.specialist_type}' is not a known role (known: ${[...ctx.roles].sort().join(", ")}); define it in .task_orchestrator/roles/*.yaml to use it`,
      });
    }
  }

  const byTitle = new Map<string, number[]>();
  parsed.forEach(({ item }, i) => {
    const key = item.title.trim().toLowerCase();
    byTitle.set(key, [...(byTitle.get(key) ?? []), i]);
  });
  const idIndex = new Map(ids.map((id, i) => [id, i]));
  const deps: number[][] = parsed.map(({ index, item }, i) => {
    const out: number[] = [];
    for (const ref of item.dependencies) {
      let target = idIndex.get(ref);
      if (target === undefined) {
        const matches = byTitle.get(ref.toLowerCase()) ?? [];
        if (matches.length > 1) {
          issues.push({
            code: "ambiguous_dependency",
            index,
            message: `subtasks[${index}] depends on '${ref}', a title shared by ${matches.length} subtasks; use their task_id instead`,
          });
          continue;
        }
        target = matches[0];
      }
      if (target === undefined) {
        issues.push({
          code: "unknown_dependency",
          index,
          message: `subtasks[${index}] depends on '${ref}', which is neither the task_id nor the title of a subtask in this plan`,
        });
        continue;
      }
      if (target === i) {
        issues.push({
          code: "self_dependency",
          index,
          message: `subtasks[${index}] ('${item.title}') depends on itself`,
        });
        continue;
      }
      if (!out.includes(target)) out.push(target);
    }
    return out;
  });

  const cycle = findCycle(deps);
  if (cycle) {
    const path = [...cycle, cycle[0]!].map((i) => ids[i]).join(" -> ");
    issues.push({
      code: "cycle",
      index: parsed[cycle[0]!]!.index,
      message: `dependencies form a cycle: ${path}`,
    });
  }
  if (issues.length > 0) throw planInvalid(issues);

  return parsed.map(({ index, item }, i) => ({
    id: ids[i]!,
    position: index,
    title: item.title,
    description: item.description,
    specialistType: item.specialist_type,
    estimatedEffort: item.estimated_effort?.trim() || "Unknown",
    dependencies: deps[i]!.map((d) => ids[d]!),
  }));
}

/**
 * The subtasks a newly stored plan can start with. Every task of a new plan is pending and
 * unclaimed, so these are the ones without dependencies, in plan order (what `readyTasks` gives
 * for that state; a property test holds the two equal).
 */
export function readyAtStart(tasks: readonly PlannedTask[]): PlannedTask[] {
  return tasks.filter((t) => t.dependencies.length === 0).sort((a, b) => a.position - b.position);
}

/** Returns the node indexes of one cycle in the graph `edges[i] = nodes i depends on`, or null. */
export function findCycle(edges: readonly (readonly number[])[]): number[] | null {
  const state = new Uint8Array(edges.length); // 0 new, 1 on stack, 2 done
  const stack: number[] = [];
  const visit = (n: number): number[] | null => {
    state[n] = 1;
    stack.push(n);
    for (const m of edges[n] ?? []) {
      if (state[m] === 1) return stack.slice(stack.indexOf(m));
      if (state[m] === 0) {
        const found = visit(m);
        if (found) return found;
      }
    }
    stack.pop();
    state[n] = 2;
    return null;
  };
  for (let n = 0; n < edges.length; n++) {
    if (state[n] === 0) {
      const found = visit(n);
      if (found) return found;
    }
  }
  return null;
}

/** The PLAN_INVALID error for `issues`, with a message listing them all. */
export function planInvalid(issues: readonly PlanIssue[]): OrchestratorError {
  const lines = issues.map((i) => `- ${i.message}`).join("\n");
  return new OrchestratorError(
    "PLAN_INVALID",
    `The plan was not stored (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${lines}`,
    { data: { issues } },
  );
}
