import { OrchestratorError } from "../core/errors.ts";
import { openSqliteReadOnly } from "./driver.ts";

/** A task breakdown of the Python MCP Task Orchestrator (v1.x `task_breakdowns` row). */
export interface LegacyBreakdown {
  readonly parent_task_id: string;
  readonly description: string | null;
  readonly complexity: string | null;
  readonly context: string | null;
  readonly created_at: string | null;
}

/** One of its subtasks (`subtasks` row). */
export interface LegacySubtask {
  readonly task_id: string;
  readonly parent_task_id: string;
  readonly title: string | null;
  readonly description: string | null;
  readonly specialist_type: string | null;
  readonly dependencies: string | null;
  readonly estimated_effort: string | null;
  readonly status: string | null;
  readonly results: string | null;
  readonly artifacts: string | null;
  readonly created_at: string | null;
  readonly completed_at: string | null;
}

/**
 * Reads the plans of a Python MCP Task Orchestrator (v1.x) database, read-only: its
 * `task_breakdowns` and `subtasks` tables. The file is never written.
 */
export async function readLegacyDatabase(
  path: string,
): Promise<{ breakdowns: LegacyBreakdown[]; subtasks: LegacySubtask[] }> {
  let db: Awaited<ReturnType<typeof openSqliteReadOnly>>;
  try {
    db = await openSqliteReadOnly(path);
  } catch (e) {
    throw new OrchestratorError(
      "INVALID_INPUT",
      `Cannot open ${path} as a SQLite database: ${(e as Error).message}.`,
      {
        data: { path },
      },
    );
  }
  try {
    let tables: string[];
    try {
      tables = (
        db.all("select name from sqlite_master where type = 'table' order by name") as { name: string }[]
      ).map((r) => r.name);
    } catch (e) {
      throw new OrchestratorError(
        "INVALID_INPUT",
        `${path} is not a readable SQLite database: ${(e as Error).message}.`,
        {
          data: { path },
        },
      );
    }
    assertLegacyShape(tables, path);
    const columns = (table: string): Set<string> =>
      new Set((db.all(`pragma table_info(${table})`) as { name: string }[]).map((c) => c.name));
    // Older and newer 1.x files differ in optional columns: select what exists, null the rest.
    const pick = (table: string, wanted: readonly string[]): string =>
      wanted.map((c) => (columns(table).has(c) ? `"${c}"` : `null as "${c}"`)).join(", ");
    const breakdowns = db.all(
      `select ${pick("task_breakdowns", ["parent_task_id", "description", "complexity", "context", "created_at"])} from task_breakdowns order by created_at`,
    ) as LegacyBreakdown[];
    const subtasks = db.all(
      `select ${pick("subtasks", [
        "task_id",
        "parent_task_id",
        "title",
        "description",
        "specialist_type",
        "dependencies",
        "estimated_effort",
        "status",
        "results",
        "artifacts",
        "created_at",
        "completed_at",
      ])} from subtasks`,
    ) as LegacySubtask[];
    return { breakdowns, subtasks };
  } finally {
    db.close();
  }
}

/** Checks that rows read from a file look like the Python orchestrator's, before using them. */
function assertLegacyShape(tables: readonly string[], path: string): void {
  if (!tables.includes("task_breakdowns") || !tables.includes("subtasks")) {
    throw new OrchestratorError(
      "INVALID_INPUT",
      `${path} is not a Python MCP Task Orchestrator database: it has no task_breakdowns and subtasks tables (found: ${tables.join(", ") || "none"}).`,
      { data: { path } },
    );
  }
}
