import { artifactPath } from "../../core/artifact.ts";
import { OrchestratorError } from "../../core/errors.ts";
import { ID_RULE, isValidId, showId } from "../../core/ids.ts";

/**
 * The store boundary for ids read back from the database. Rows are written only through the
 * validated paths of this program, so a row whose id breaks the rule was put there by something
 * else (a shared database edited by another program, a crafted file). Such a row is refused with
 * STORE_ROW_INVALID, never mapped into a domain object whose id could become a path;
 * validate_structure lists these rows and its repair removes them.
 */
export function requireRowIds(table: string, ids: Readonly<Record<string, unknown>>): void {
  for (const [column, value] of Object.entries(ids)) {
    if (isValidId(value)) continue;
    throw new OrchestratorError(
      "STORE_ROW_INVALID",
      `The database holds a ${table} row whose ${column} ${showId(value)} breaks the id rule (${ID_RULE}); this orchestrator never writes such a row, so it was not used. Run orchestrator_maintenance_coordinator with action validate_structure and repair: true to remove it.`,
      { data: { table, column, value: String(value) } },
    );
  }
}

/** Artifact rows must point exactly where their ids say; anything else did not come from here. */
export function requireArtifactRowPath(row: {
  readonly id: string;
  readonly task_id: string;
  readonly plan_id: string;
  readonly path: string;
}): void {
  requireRowIds("artifacts", { id: row.id, task_id: row.task_id, plan_id: row.plan_id });
  if (row.path === artifactPath(row.plan_id, row.task_id, row.id)) return;
  throw new OrchestratorError(
    "STORE_ROW_INVALID",
    `The database holds artifact ${row.id} with the path ${showId(row.path)}, not the one its ids give (${artifactPath(row.plan_id, row.task_id, row.id)}); it was not used. Run orchestrator_maintenance_coordinator with action validate_structure and repair: true to remove it.`,
    { data: { table: "artifacts", column: "path", value: row.path } },
  );
}

/**
 * The same rule on the way in: every insert of a plan, task, dependency or artifact row checks
 * its ids here, whichever use-case or importer built it, so no caller can store a row the
 * mappers would then refuse forever.
 */
export function requireIdsToStore(table: string, ids: Readonly<Record<string, unknown>>): void {
  for (const [column, value] of Object.entries(ids)) {
    if (isValidId(value)) continue;
    throw new OrchestratorError(
      "INVALID_INPUT",
      `Refused to store a ${table} row whose ${column} ${showId(value)} breaks the id rule (${ID_RULE}). Use an id of that form.`,
      { data: { table, column, value: String(value) } },
    );
  }
}
