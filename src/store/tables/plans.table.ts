import type { Insertable, Selectable, Updateable } from "kysely";

/** One plan (the parent task of a job), with per-status task counters kept in step by every write. */
export interface PlansTable {
  workspace: string;
  id: string;
  description: string;
  complexity: string;
  context: string | null;
  status: string;
  n_pending: number;
  n_active: number;
  n_blocked: number;
  n_completed: number;
  n_failed: number;
  n_cancelled: number;
  n_total: number;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}
export type PlanRow = Selectable<PlansTable>;
export type NewPlanRow = Insertable<PlansTable>;
export type PlanUpdate = Updateable<PlansTable>;
