import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { McpError, type ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import type { AppContext } from "../app/context.ts";
import { getArtifact, MAX_PAGE_CHARS } from "../app/get-artifact.ts";
import { getStatus } from "../app/get-status.ts";
import { getTask } from "../app/get-task.ts";
import { ERROR_CATALOGUE, isOrchestratorError } from "../core/errors.ts";
import type { Session } from "./session.ts";
import { artifactLink } from "./views/artifact.ts";
import { planSummary } from "./views/plan.ts";
import { taskBrief, taskView } from "./views/task.ts";

/** MCP's "resource not found" error code. */
const RESOURCE_NOT_FOUND = -32002;

/**
 * Plans, tasks and artifacts as resources (orchestrator://plans/{id}, /tasks/{id},
 * /artifacts/{id}), mirroring get_status, get_task and get_artifact for clients that browse
 * resources. They use the connection's workspace (initialize_session, --workspace, roots or cwd).
 */
export function registerResources(server: McpServer, session: Session): void {
  const withContext = async <T>(uri: URL, body: (ctx: AppContext) => Promise<T>): Promise<T> => {
    try {
      return await body(await session.context(await session.resolve(undefined), { readOnly: true }));
    } catch (e) {
      if (isOrchestratorError(e)) {
        throw new McpError(
          RESOURCE_NOT_FOUND,
          `${uri.href}: ${e.code}: ${e.message} ${ERROR_CATALOGUE[e.code].fix}`,
        );
      }
      throw e;
    }
  };
  const json = (uri: URL, data: unknown): ReadResourceResult => ({
    contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(data, null, 2) }],
  });
  const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? "") : (v ?? ""));

  server.registerResource(
    "plan",
    new ResourceTemplate("orchestrator://plans/{id}", {
      list: async () => {
        // Over HTTP without --workspace no list request can name a project (resources/list takes
        // no working_directory), so there is nothing to list rather than an error no call can fix.
        if (session.remote && !session.deps.workspace) return { resources: [] };
        return withContext(new URL("orchestrator://plans"), async (ctx) => {
          const plans = await ctx.store.direct.findPlans(ctx.project, ["active", "completed"], 100);
          return {
            resources: plans.map((p) => ({
              uri: `orchestrator://plans/${p.id}`,
              name: p.id,
              title: p.description.slice(0, 100),
              mimeType: "application/json",
            })),
          };
        });
      },
    }),
    {
      title: "Plan",
      description: "A plan with progress and all its tasks (as orchestrator_get_status with parent_task_id)",
      mimeType: "application/json",
    },
    async (uri, vars) =>
      withContext(uri, async (ctx) => {
        const s = await getStatus(ctx, { includeCompleted: true, planId: one(vars.id), limit: 1 });
        // get_status's view of the plan, less the fields this resource has never carried.
        const { complexity, created_at, updated_at, hidden_tasks, ...plan } = planSummary(s.plans[0]!, false);
        return json(uri, { workspace: ctx.workspace, ...plan });
      }),
  );

  server.registerResource(
    "task",
    new ResourceTemplate("orchestrator://tasks/{id}", { list: undefined }),
    {
      title: "Task",
      description:
        "One task with dependencies, dependents, claim, history and artifacts (as orchestrator_get_task)",
      mimeType: "application/json",
    },
    async (uri, vars) =>
      withContext(uri, async (ctx) => {
        const d = await getTask(ctx, one(vars.id));
        return json(uri, {
          workspace: ctx.workspace,
          task: taskView(d.task),
          dependencies: d.dependencies.map((t) => taskBrief(t)),
          dependents: d.dependents.map((t) => taskBrief(t)),
          history: d.history,
          artifacts: d.artifacts.map(artifactLink),
        });
      }),
  );

  server.registerResource(
    "artifact",
    new ResourceTemplate("orchestrator://artifacts/{id}", { list: undefined }),
    {
      title: "Artifact",
      description: "The stored detailed work of a subtask (as orchestrator_get_artifact)",
      mimeType: "text/markdown",
    },
    async (uri, vars) =>
      withContext(uri, async (ctx) => {
        const id = one(vars.id);
        let offset = 0;
        let text = "";
        for (;;) {
          const page = await getArtifact(ctx, id, { offset, maxChars: MAX_PAGE_CHARS });
          text += page.content;
          if (page.nextOffset === null) break;
          offset = page.nextOffset;
        }
        return { contents: [{ uri: uri.href, mimeType: "text/markdown", text }] };
      }),
  );
}
