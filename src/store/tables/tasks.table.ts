import type { Insertable, Selectable, Updateable } from "kysely";

/** One subtask. `claimed_by` / `claim_expires_at` are the lease of the agent working on it. */
export interface TasksTable {
  workspace: string;
  id: string;
  plan_id: string;
  position: number;
  title: string;
  description: string;
  specialist_type: string;
  estimated_effort: string;
  status: string;
  archived_from: string | null;
  summary: string | null;
  status_note: string | null;
  claimed_by: string | null;
  claim_expires_at: string | null;
  /** Host and pid of the claim's holder process (ClaimHolder); null before 2026_11_30. */
  claim_host: string | null;
  claim_pid: number | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  completed_at: string | null;
}
export type TaskRow = Selectable<TasksTable>;
export type NewTaskRow = Insertable<TasksTable>;
export type TaskUpdate = Updateable<TasksTable>;
