import { OrchestratorError } from "../core/errors.ts";
import { writeHandover, writePlansDocument } from "./_documents.ts";
import type { MaintenanceBody, MaintenanceInput, MaintenanceResult } from "./_maintenance-report.ts";
import type { AppContext } from "./context.ts";
import { scanCleanup } from "./maintenance-cleanup.ts";
import { validateStructure } from "./maintenance-validate.ts";

export {
  MAINTENANCE_ACTIONS,
  MAINTENANCE_SCOPES,
  type MaintenanceInput,
  type MaintenanceResult,
  VALIDATION_LEVELS,
} from "./_maintenance-report.ts";

/**
 * Whether a maintenance run may write: a dry-run scan_cleanup and validate_structure without
 * repair only read, so in a workspace without data they create nothing (an empty store instead).
 */
export function maintenanceMayWrite(input: Pick<MaintenanceInput, "action" | "dryRun" | "repair">): boolean {
  if (input.action === "validate_structure") return input.repair === true;
  if (input.action === "scan_cleanup") return !input.dryRun;
  return true;
}

/**
 * The maintenance coordinator. `scan_cleanup` finds stale tasks and expired leases, releases the
 * leases and (at comprehensive or full_audit) archives stale tasks through the state machine;
 * `validate_structure` checks the database, artifact files and checksums, dependencies and plan
 * counters (repairing only the counters, which are derived); the documentation actions write
 * Markdown files under `.task_orchestrator/`. Nothing is ever deleted.
 */
export async function runMaintenance(ctx: AppContext, input: MaintenanceInput): Promise<MaintenanceResult> {
  if (input.scope === "specific_subtask" && !input.targetTaskId) {
    throw new OrchestratorError(
      "INVALID_INPUT",
      "scope specific_subtask needs target_task_id: the id of the task to look at.",
    );
  }
  if (input.targetTaskId && !(await ctx.store.direct.findTask(ctx.project, input.targetTaskId))) {
    throw new OrchestratorError(
      "TASK_NOT_FOUND",
      `Task ${input.targetTaskId} does not exist in workspace ${ctx.workspace}.`,
      {
        data: { task_id: input.targetTaskId },
      },
    );
  }
  const started_at = ctx.clock.now();
  const base = {
    action: input.action,
    scope: input.scope,
    validation_level: input.validationLevel,
    started_at,
  };
  // A read in a workspace without a database ran on an empty stand-in: say so, not "valid".
  const noData = (body: MaintenanceBody): MaintenanceBody =>
    ctx.store.placeholder
      ? {
          ...body,
          summary: `No database yet at ${ctx.store.path} (the first write creates it). ${body.summary}`,
        }
      : body;
  switch (input.action) {
    case "scan_cleanup":
      return { ...base, ...noData(await scanCleanup(ctx, input)) };
    case "validate_structure":
      return { ...base, ...noData(await validateStructure(ctx, input)) };
    case "update_documentation": {
      const path = await writePlansDocument(ctx);
      return { ...base, findings: [], actions_taken: [], files_written: [path], summary: `Wrote ${path}.` };
    }
    case "prepare_handover": {
      const path = await writeHandover(ctx);
      return { ...base, findings: [], actions_taken: [], files_written: [path], summary: `Wrote ${path}.` };
    }
  }
}
