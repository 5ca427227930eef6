import { z } from "zod";
import {
  MAINTENANCE_ACTIONS,
  MAINTENANCE_SCOPES,
  maintenanceMayWrite,
  runMaintenance,
  VALIDATION_LEVELS,
} from "../../app/maintenance.ts";
import { IdSchema } from "../../core/ids.ts";
import { workingDirectoryField } from "../fields.ts";
import type { Session } from "../session.ts";
import { workspaceFields, workspaceShape } from "../views/workspace.ts";
import type { ToolHost } from "./_catalog.ts";
import { inWorkspace, ok } from "./_shared.ts";

const outputSchema = {
  ...workspaceShape,
  action: z.enum(MAINTENANCE_ACTIONS),
  scope: z.enum(MAINTENANCE_SCOPES),
  validation_level: z.enum(VALIDATION_LEVELS),
  started_at: z.string().describe("When this run started"),
  findings: z
    .array(
      z.object({
        kind: z.string(),
        severity: z.enum(["info", "warning", "error"]),
        message: z.string(),
        task_id: z.string().optional(),
        path: z.string().optional(),
      }),
    )
    .describe("What was found: kind, severity, task or path, message"),
  actions_taken: z
    .array(
      z.object({
        action: z.string(),
        task_id: z.string().optional(),
        path: z.string().optional(),
        detail: z.string(),
      }),
    )
    .describe("What was changed (only with repair, or archiving at comprehensive); empty on a dry run"),
  files_written: z.array(z.string()).describe("Workspace-relative paths of documents written"),
  summary: z.string().describe("The result in one paragraph"),
};

const inputSchema = z.object({
  action: z.enum(MAINTENANCE_ACTIONS).describe("What to do"),
  scope: z
    .enum(MAINTENANCE_SCOPES)
    .default("current_session")
    .describe("specific_subtask needs target_task_id"),
  validation_level: z.enum(VALIDATION_LEVELS).default("basic").describe("How deep"),
  target_task_id: IdSchema.optional().describe("Task for scope specific_subtask"),
  dry_run: z.boolean().default(false).describe("scan_cleanup: report only"),
  repair: z.boolean().default(false).describe("validate_structure: fix what is safe to fix"),
  working_directory: workingDirectoryField,
});

/** Registers orchestrator_maintenance_coordinator: cleanup, validation and documentation. */
export function registerMaintenanceCoordinatorTool(server: ToolHost, session: Session): void {
  server.registerTool(
    "orchestrator_maintenance_coordinator",
    {
      title: "Maintain the workspace's task data",
      description:
        "scan_cleanup: stale tasks, expired leases (released), open tasks of closed plans; archives stale tasks at comprehensive+ (restorable). validate_structure: database, artifact files, dependencies, counters. update_documentation, prepare_handover: write PLANS.md, HANDOVER.md in .task_orchestrator.",
      inputSchema,
      outputSchema,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (args) => {
      const input = {
        action: args.action,
        scope: args.scope,
        validationLevel: args.validation_level,
        targetTaskId: args.target_task_id,
        dryRun: args.dry_run,
        repair: args.repair,
      };
      // Reading runs create nothing in a workspace without data (an empty store, as get_status).
      return inWorkspace(
        session,
        args.working_directory,
        async (ctx, ws) => {
          const r = await runMaintenance(ctx, input);
          const lines = [`${r.action} in ${ws.path}: ${r.summary}`];
          for (const f of r.findings) lines.push(`- [${f.severity}] ${f.message}`);
          for (const a of r.actions_taken)
            lines.push(`- did ${a.action}${a.task_id ? ` on ${a.task_id}` : ""}: ${a.detail}`);
          return ok({ ...workspaceFields(ws), ...r }, lines.join("\n"));
        },
        { readOnly: !maintenanceMayWrite(input) },
      );
    },
  );
}
