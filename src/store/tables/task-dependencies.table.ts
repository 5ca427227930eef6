import type { Selectable } from "kysely";

/** `task_id` may start only once `depends_on` (a sibling in the same plan) is done. */
export interface TaskDependenciesTable {
  workspace: string;
  /** The plan both tasks belong to, so a plan's edges load with one index range. */
  plan_id: string;
  task_id: string;
  depends_on: string;
}
export type TaskDependencyRow = Selectable<TaskDependenciesTable>;
