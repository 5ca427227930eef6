import type { Generated, Insertable, Selectable } from "kysely";

/** The append-only history: rows are inserted, never updated or deleted. */
export interface EventsTable {
  seq: Generated<number>;
  workspace: string;
  at: string;
  kind: string;
  plan_id: string;
  task_id: string | null;
  action: string | null;
  from_status: string | null;
  to_status: string | null;
  agent_id: string | null;
  note: string | null;
}
export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Insertable<EventsTable>;
