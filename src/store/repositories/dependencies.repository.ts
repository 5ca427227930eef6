import type { Executor } from "../database.ts";
import { prepared, preparedOverList } from "../prepared.ts";
import type { DanglingDependency } from "../records.ts";
import { requireIdsToStore } from "./_row-check.ts";

interface Edge {
  readonly planId: string;
  readonly taskId: string;
  readonly dependsOn: string;
  /** Index in the task's list of dependencies. */
  readonly position: number;
}

/** Dependency ids of each of `taskIds`, in insertion order. */
export async function findDependencies(
  db: Executor,
  workspace: string,
  taskIds: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(taskIds.map((id) => [id, []]));
  if (taskIds.length === 0) return out;
  if (taskIds.length === 1) {
    // One task's edges is the write path's case: compiled once, and put in order here rather than
    // by SQLite, whose ORDER BY set up a sorter for the few rows (often none) of every call: 3–4 µs
    // of a 7–13 µs statement, read once or twice per state change (issue 16).
    const rows = await selectEdgesOfOne(db, { workspace, taskId: taskIds[0]! });
    if (rows.length > 1) rows.sort((a, b) => Number(a.position) - Number(b.position));
    for (const r of rows) out.get(r.task_id)?.push(r.depends_on);
    return out;
  }
  for (let i = 0; i < taskIds.length; i += 500) {
    const rows = await selectEdgesOfSome(db, { workspace }, taskIds.slice(i, i + 500));
    for (const r of rows) out.get(r.task_id)?.push(r.depends_on);
  }
  return out;
}

/** The edges of several tasks; a few (a task's dependencies, read for readiness) compiled per count. */
const selectEdgesOfSome = preparedOverList((db, p: { workspace: string }, taskIds: readonly string[]) =>
  db
    .selectFrom("task_dependencies")
    .select(["task_id", "depends_on"])
    .where("workspace", "=", p.workspace)
    .where("task_id", "in", taskIds)
    .orderBy("position"),
);

const selectEdgesOfOne = prepared((db, p: { workspace: string; taskId: string }) =>
  db
    .selectFrom("task_dependencies")
    .select(["task_id", "depends_on", "position"])
    .where("workspace", "=", p.workspace)
    .where("task_id", "=", p.taskId),
);

/** Inserts dependency edges; their order is the order findDependencies returns. */
export async function insertDependencies(
  db: Executor,
  workspace: string,
  edges: readonly Edge[],
): Promise<void> {
  const rows = edges.map((e) => ({
    workspace,
    plan_id: e.planId,
    task_id: e.taskId,
    depends_on: e.dependsOn,
    position: e.position,
  }));
  for (let i = 0; i < rows.length; i += 300)
    await db
      .insertInto("task_dependencies")
      .values(rows.slice(i, i + 300))
      .execute();
}

/** Replaces a task's dependencies with `dependsOn`, in that order. */
export async function replaceDependencies(
  db: Executor,
  workspace: string,
  task: { readonly id: string; readonly planId: string },
  dependsOn: readonly string[],
): Promise<void> {
  for (const d of dependsOn) requireIdsToStore("task_dependencies", { task_id: task.id, depends_on: d });
  await db
    .deleteFrom("task_dependencies")
    .where("workspace", "=", workspace)
    .where("task_id", "=", task.id)
    .execute();
  await insertDependencies(
    db,
    workspace,
    dependsOn.map((d, position) => ({ planId: task.planId, taskId: task.id, dependsOn: d, position })),
  );
}

/** Removes every edge pointing at one of `taskIds` (before those tasks are deleted). */
export async function deleteDependenciesOn(
  db: Executor,
  workspace: string,
  taskIds: readonly string[],
): Promise<void> {
  if (taskIds.length === 0) return;
  await db
    .deleteFrom("task_dependencies")
    .where("workspace", "=", workspace)
    .where("depends_on", "in", [...taskIds])
    .execute();
}

/** Removes one edge. */
export async function deleteDependency(
  db: Executor,
  workspace: string,
  edge: { readonly taskId: string; readonly dependsOn: string },
): Promise<void> {
  await db
    .deleteFrom("task_dependencies")
    .where("workspace", "=", workspace)
    .where("task_id", "=", edge.taskId)
    .where("depends_on", "=", edge.dependsOn)
    .execute();
}

/** Edges whose target task does not exist. */
export async function findDanglingDependencies(
  db: Executor,
  workspace: string,
): Promise<DanglingDependency[]> {
  const rows = await db
    .selectFrom("task_dependencies as d")
    .leftJoin("tasks as t", (j) =>
      j.onRef("t.workspace", "=", "d.workspace").onRef("t.id", "=", "d.depends_on"),
    )
    .select(["d.task_id", "d.depends_on", "d.plan_id"])
    .where("d.workspace", "=", workspace)
    .where("t.id", "is", null)
    .execute();
  return rows.map((r) => ({ planId: r.plan_id, taskId: r.task_id, dependsOn: r.depends_on }));
}
