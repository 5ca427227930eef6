import type { Database } from "../database.ts";

/**
 * What `store copy` moves, in foreign-key order (a row's parent is copied before it). `scope` is
 * the column that holds the project key; `key` the primary key, or null for the append-only
 * history, whose rows are matched by their content instead (a copy must not repeat an event, and
 * `seq` is each database's own numbering).
 */
export interface CopyTable {
  readonly name: keyof Database;
  readonly scope: string;
  readonly key: readonly string[] | null;
  /** Columns the target assigns itself (never copied, never compared). */
  readonly generated: readonly string[];
}

export const COPY_TABLES: readonly CopyTable[] = [
  { name: "plans", scope: "workspace", key: ["workspace", "id"], generated: [] },
  { name: "tasks", scope: "workspace", key: ["workspace", "id"], generated: [] },
  {
    name: "task_dependencies",
    scope: "workspace",
    key: ["workspace", "task_id", "depends_on"],
    generated: [],
  },
  { name: "artifacts", scope: "workspace", key: ["workspace", "id"], generated: [] },
  { name: "events", scope: "workspace", key: null, generated: ["seq"] },
  {
    name: "request_results",
    scope: "workspace",
    key: ["workspace", "tool", "request_id"],
    generated: [],
  },
];
