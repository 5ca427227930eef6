import type { Insertable, Selectable } from "kysely";

/** The answer to a write call that carried a request_id, kept a day so a retry gets it again. */
export interface RequestResultsTable {
  workspace: string;
  tool: string;
  request_id: string;
  /** sha256 of the call's arguments: the same request_id with other arguments is refused. */
  fingerprint: string;
  /** The use-case's result as JSON. */
  result: string;
  created_at: string;
}
export type RequestResultRow = Selectable<RequestResultsTable>;
export type NewRequestResultRow = Insertable<RequestResultsTable>;
