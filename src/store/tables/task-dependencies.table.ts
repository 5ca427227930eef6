import type { Generated, Selectable } from "kysely";

/** `task_id` may start only once `depends_on` (a sibling in the same plan) is done. */
export interface TaskDependenciesTable {
  workspace: string;
  /** The plan both tasks belong to, so a plan's edges load with one index range. */
  plan_id: string;
  task_id: string;
  depends_on: string;
  /** Index of `depends_on` in the task's list: edges read back in the order given (default 0). */
  position: Generated<number>;
}
export type TaskDependencyRow = Selectable<TaskDependenciesTable>;
