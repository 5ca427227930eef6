import { OrchestratorError } from "../core/errors.ts";
import { openSqliteReadOnly } from "./driver.ts";

/**
 * A task breakdown of the Python MCP Task Orchestrator (v1.x `task_breakdowns` row), as SQLite
 * hands it over. The file is not ours and SQLite columns hold any type (an INTEGER `created_at`,
 * a BLOB title, NUL bytes in an id), so every value is `unknown` until app/_legacy-rows.ts has
 * checked it.
 */
export interface LegacyBreakdown {
  readonly parent_task_id: unknown;
  readonly description: unknown;
  readonly complexity: unknown;
  readonly context: unknown;
  readonly created_at: unknown;
}

/** One of its subtasks (`subtasks` row), unchecked like LegacyBreakdown. */
export interface LegacySubtask {
  readonly task_id: unknown;
  readonly parent_task_id: unknown;
  readonly title: unknown;
  readonly description: unknown;
  readonly specialist_type: unknown;
  readonly dependencies: unknown;
  readonly estimated_effort: unknown;
  readonly status: unknown;
  readonly results: unknown;
  readonly artifacts: unknown;
  readonly created_at: unknown;
  readonly completed_at: unknown;
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
    // A damaged or crafted file may fail anywhere in here: one clear refusal, never a stack.
    try {
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
    } catch (e) {
      throw new OrchestratorError(
        "INVALID_INPUT",
        `Cannot read the plans in ${path}: ${(e as Error).message}. Check the file with sqlite3 (pragma integrity_check), or pass --from with a sound copy.`,
        { data: { path } },
      );
    }
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
