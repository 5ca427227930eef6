import { z } from "zod";
import { getTask } from "../../app/get-task.ts";
import { IdSchema } from "../../core/ids.ts";
import { workingDirectoryField } from "../fields.ts";
import type { Session } from "../session.ts";
import { artifactRef, artifactRefShape } from "../views/artifact.ts";
import { planRef, planRefShape } from "../views/plan.ts";
import { taskBrief, taskBriefShape, taskView, taskViewShape } from "../views/task.ts";
import { workspaceFields, workspaceShape } from "../views/workspace.ts";
import type { ToolHost } from "./_catalog.ts";
import { inWorkspaceReadOnly, ok } from "./_shared.ts";

const outputSchema = {
  ...workspaceShape,
  task: taskViewShape.describe("The task's fields"),
  plan: planRefShape.describe("Its plan"),
  dependencies: z.array(taskBriefShape).describe("The tasks it depends on, with their status"),
  unmet_dependencies: z
    .array(z.object({ task_id: z.string(), title: z.string(), status: z.string() }))
    .describe("Those not completed or cancelled yet: they keep it from starting"),
  dependents: z.array(taskBriefShape).describe("The tasks that depend on it"),
  claim: z
    .object({ agent_id: z.string(), expires_at: z.string(), expired: z.boolean() })
    .nullable()
    .describe("Who holds the task; expired (lease run out or holder disconnected): it can be taken over"),
  history: z
    .array(
      z.object({
        at: z.string(),
        event: z.string(),
        from: z.string().nullable(),
        to: z.string().nullable(),
        agent_id: z.string().nullable(),
        note: z.string().nullable(),
      }),
    )
    .describe("Every change to the task, oldest first"),
  artifacts: z.array(artifactRefShape).describe("Its stored results, newest last"),
};

const inputSchema = z.object({
  task_id: IdSchema.describe("The task's id"),
  working_directory: workingDirectoryField,
});

/** Registers orchestrator_get_task: one task with everything around it. */
export function registerGetTaskTool(server: ToolHost, session: Session): void {
  server.registerTool(
    "orchestrator_get_task",
    {
      title: "Show one task",
      description:
        "One task in full: fields, dependencies and dependents, claim, history, artifacts (read them with orchestrator_get_artifact).",
      inputSchema,
      outputSchema,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args) =>
      inWorkspaceReadOnly(session, args.working_directory, async (ctx, ws) => {
        const d = await getTask(ctx, args.task_id);
        const structured = {
          ...workspaceFields(ws),
          task: taskView(d.task),
          plan: planRef(d.plan),
          dependencies: d.dependencies.map((t) => taskBrief(t)),
          unmet_dependencies: d.unmet.map((u) => ({ ...u })),
          dependents: d.dependents.map((t) => taskBrief(t)),
          claim: d.task.claim
            ? { agent_id: d.task.claim.agentId, expires_at: d.task.claim.expiresAt, expired: d.claimExpired }
            : null,
          history: d.history.map((e) => ({
            at: e.at,
            event: e.action ?? e.kind,
            from: e.from,
            to: e.to,
            agent_id: e.agentId,
            note: e.note,
          })),
          artifacts: d.artifacts.map(artifactRef),
        };
        const t = d.task;
        const lines = [
          `${t.id} [${t.status}] ${t.title} · ${t.specialistType} · plan ${d.plan.id} (workspace ${ws.path})`,
          t.description,
          ...(t.summary ? [`Summary: ${t.summary}`] : []),
          ...(t.statusNote ? [`Note: ${t.statusNote}`] : []),
          `Dependencies: ${t.dependencies.length ? d.dependencies.map((x) => `${x.id} (${x.status})`).join(", ") : "none"}`,
          `Dependents: ${d.dependents.length ? d.dependents.map((x) => `${x.id} (${x.status})`).join(", ") : "none"}`,
          `Claim: ${t.claim ? `${t.claim.agentId} until ${t.claim.expiresAt}${d.claimExpired ? " (expired)" : ""}` : "none"}`,
          `Artifacts: ${d.artifacts.length ? d.artifacts.map((a) => `${a.id} ${a.path}`).join(", ") : "none"}`,
          "History:",
          ...d.history.map(
            (e) =>
              `  ${e.at} ${e.action ?? e.kind}${e.from || e.to ? ` ${e.from ?? ""} → ${e.to ?? ""}` : ""}${e.agentId ? ` by ${e.agentId}` : ""}${e.note ? ` (${e.note})` : ""}`,
          ),
        ];
        return ok(structured, lines.join("\n"));
      }),
  );
}
