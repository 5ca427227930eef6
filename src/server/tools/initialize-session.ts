import { z } from "zod";
import { initializeSession } from "../../app/initialize-session.ts";
import { ORCHESTRATOR_GUIDANCE } from "../../core/roles/builtin.ts";
import { workingDirectoryField } from "../fields.ts";
import type { Session } from "../session.ts";
import { planProgress, planProgressShape } from "../views/plan.ts";
import { workspaceFields, workspaceShape } from "../views/workspace.ts";
import type { ToolHost } from "./_catalog.ts";
import { inWorkspace, ok } from "./_shared.ts";

const outputSchema = {
  session_initialized: z.literal(true).describe("Always true"),
  ...workspaceShape,
  orchestrator_path: z.string().describe("The workspace's .task_orchestrator folder"),
  roles_seeded: z.boolean().describe("True when this call created roles/ with an example file"),
  orchestrator_context: z
    .object({
      role: z.string(),
      capabilities: z.array(z.string()),
      instructions: z.string(),
      specialist_roles: z.record(z.string(), z.string()),
    })
    .describe("What the orchestrator is and does, for the model"),
  roles: z
    .array(
      z.object({ name: z.string(), summary: z.string(), source: z.enum(["builtin", "custom", "override"]) }),
    )
    .describe("Every role usable as specialist_type: built-in and custom, with their one-line summaries"),
  role_files: z.array(z.string()).describe("The role files read from .task_orchestrator/roles/"),
  role_file_errors: z
    .array(
      z.object({
        file: z.string(),
        line: z.number().nullable(),
        column: z.number().nullable(),
        message: z.string(),
      }),
    )
    .describe("Problems in those files (file, line, message); their roles are not loaded"),
  active_tasks: z.array(planProgressShape).describe("The open plans of this workspace with their subtasks"),
  instructions: z.string().describe("How to work through a plan with the other tools"),
};

const inputSchema = z.object({ working_directory: workingDirectoryField });

/** Registers orchestrator_initialize_session: binds the workspace to this connection. */
export function registerInitializeSessionTool(server: ToolHost, session: Session): void {
  server.registerTool(
    "orchestrator_initialize_session",
    {
      title: "Start an orchestration session",
      description:
        "Call first, with working_directory = the project root: binds it to this connection and returns the workflow, the specialist roles and the open plans.",
      inputSchema,
      outputSchema,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async ({ working_directory }) =>
      inWorkspace(session, working_directory, async (ctx, ws) => {
        const r = await initializeSession(ctx);
        session.boundWorkspace = ws.path;
        const specialist_roles = Object.fromEntries(r.roles.map((role) => [role.name, role.summary]));
        const instructions = [
          session.remote
            ? `Workspace ${ws.path}. Over HTTP each call stands alone: pass working_directory with every call.`
            : `Workspace ${ws.path} is bound to this connection.`,
          "Break the job into subtasks for the roles below and call orchestrator_plan_task; then for each ready subtask call orchestrator_execute_subtask, do the work as that specialist, and record it with orchestrator_complete_subtask. Finish with orchestrator_synthesize_results.",
        ].join(" ");
        const structured = {
          session_initialized: true as const,
          ...workspaceFields(ws),
          orchestrator_path: r.dataDir,
          roles_seeded: r.rolesSeeded,
          orchestrator_context: {
            role: ORCHESTRATOR_GUIDANCE.role,
            capabilities: [...ORCHESTRATOR_GUIDANCE.capabilities],
            instructions: ORCHESTRATOR_GUIDANCE.approach.join("\n"),
            specialist_roles,
          },
          roles: r.roles.map((role) => ({ name: role.name, summary: role.summary, source: role.source })),
          role_files: [...r.roleFiles],
          role_file_errors: r.roleErrors.map((e) => ({ ...e })),
          active_tasks: r.openPlans.map(planProgress),
          instructions,
        };
        const text = [
          `Session initialized for workspace ${ws.path} (chosen by: ${ws.source}), project ${ctx.identity.id}.`,
          "",
          `# ${ORCHESTRATOR_GUIDANCE.role}`,
          "",
          ...ORCHESTRATOR_GUIDANCE.approach.map((a) => `- ${a}`),
          "",
          "## Specialist roles",
          ...r.roles.map(
            (role) =>
              `- ${role.name}${role.source === "builtin" ? "" : ` (${role.source})`}: ${role.summary}`,
          ),
          ...(r.roleErrors.length > 0
            ? [
                "",
                "## Role files with errors (ignored until fixed)",
                ...r.roleErrors.map((e) => `- ${e.file}${e.line ? ` line ${e.line}` : ""}: ${e.message}`),
              ]
            : []),
          "",
          "## Open plans",
          ...(r.openPlans.length === 0
            ? ["(none)"]
            : r.openPlans.map(
                ({ plan, progress }) =>
                  `- ${plan.id}: ${plan.description} — ${progress.completed}/${progress.total} done`,
              )),
        ].join("\n");
        return ok(structured, text);
      }),
  );
}
