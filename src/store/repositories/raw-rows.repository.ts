import type { Executor } from "../database.ts";
import type { RawRowIds, RowRef } from "../records.ts";

/**
 * The ids (and artifact paths) of every row of the workspace, read without the mappers' id
 * checks, so rows a crafted or hand-edited database holds can be found and reported.
 */
export async function findRawRowIds(db: Executor, workspace: string): Promise<RawRowIds> {
  const plans = await db.selectFrom("plans").select("id").where("workspace", "=", workspace).execute();
  const tasks = await db
    .selectFrom("tasks")
    .select(["id", "plan_id"])
    .where("workspace", "=", workspace)
    .execute();
  const artifacts = await db
    .selectFrom("artifacts")
    .select(["id", "task_id", "plan_id", "path"])
    .where("workspace", "=", workspace)
    .execute();
  const edges = await db
    .selectFrom("task_dependencies")
    .select(["task_id", "depends_on"])
    .where("workspace", "=", workspace)
    .execute();
  return {
    plans,
    tasks: tasks.map((t) => ({ id: t.id, planId: t.plan_id })),
    artifacts: artifacts.map((a) => ({ id: a.id, taskId: a.task_id, planId: a.plan_id, path: a.path })),
    dependencies: edges.map((d) => ({ taskId: d.task_id, dependsOn: d.depends_on })),
  };
}

/** Removes rows by key (a plan's tasks and artifacts go with it, by cascade); never a file. */
export async function removeRows(db: Executor, workspace: string, refs: readonly RowRef[]): Promise<void> {
  for (const r of refs) {
    if (r.table === "task_dependencies") {
      await db
        .deleteFrom("task_dependencies")
        .where("workspace", "=", workspace)
        .where("task_id", "=", r.taskId)
        .where("depends_on", "=", r.dependsOn)
        .execute();
    } else {
      await db.deleteFrom(r.table).where("workspace", "=", workspace).where("id", "=", r.id).execute();
    }
  }
}
