/** The example calls shown in tools.md and errors.md, in the order they run (each builds on the ones before). */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { type CallToolResult, CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";

export interface Example {
  readonly args: Record<string, unknown>;
  readonly result: CallToolResult;
}

/**
 * The wire result, without the SDK client's output-schema check: error results carry
 * `structuredContent.error`, which that check rejects for tools that declare an output schema.
 */
async function rawCall(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.request(
    { method: "tools/call", params: { name, arguments: args } },
    CallToolResultSchema,
  )) as CallToolResult;
}

/** The calls shown as examples, in the order they run (each builds on the ones before). */
export async function runExamples(
  client: Client,
  workspace: string,
): Promise<{ examples: Map<string, Example>; errors: ErrorExamples }> {
  const examples = new Map<string, Example>();
  const run = async (name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> => {
    // callTool, not rawCall: a success must also pass the client's output-schema check.
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    if (result.isError) {
      const t = result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
      throw new Error(`example call ${name} failed: ${t}`);
    }
    examples.set(name, { args, result });
    return result.structuredContent ?? {};
  };

  await run("orchestrator_initialize_session", { working_directory: workspace });
  const plan = await run("orchestrator_plan_task", {
    description: "Add a /health endpoint to the API",
    complexity_level: "simple",
    subtasks: [
      {
        task_id: "design_health",
        title: "Design the endpoint",
        specialist_type: "architect",
        description: "Decide the response shape and status codes.",
        estimated_effort: "30m",
      },
      {
        task_id: "implement_health",
        title: "Implement the endpoint",
        specialist_type: "implementer",
        description: "Add the route and its test.",
        dependencies: ["design_health"],
        estimated_effort: "1h",
      },
    ],
  });
  const planId = String(plan.parent_task_id);
  await run("orchestrator_get_status", {});
  await run("orchestrator_execute_subtask", { task_id: "design_health", agent_id: "agent-a" });
  const done = await run("orchestrator_complete_subtask", {
    task_id: "design_health",
    summary: "GET /health returns 200 with {status, version}.",
    detailed_work:
      '# Design\n\nGET /health → 200 `{"status":"ok","version":"1.2.3"}`; 503 when the database is down.\n',
    file_paths: ["docs/health.md"],
    artifact_type: "design",
    agent_id: "agent-a",
  });
  const artifactId = String((done.artifact as { artifact_id: string }).artifact_id);
  await run("orchestrator_get_task", { task_id: "design_health" });
  await run("orchestrator_get_artifact", { artifact_id: artifactId });
  await run("orchestrator_query_tasks", { status: ["pending"] });
  await run("orchestrator_update_task", { task_id: "implement_health", estimated_effort: "2h" });
  await run("orchestrator_health_check", {});
  await run("orchestrator_maintenance_coordinator", { action: "validate_structure" });
  await run("orchestrator_synthesize_results", { parent_task_id: planId });
  await run("orchestrator_cancel_task", { task_id: "implement_health", reason: "Moved to next sprint." });
  await run("orchestrator_delete_task", { task_id: planId });

  const notFoundArgs = { task_id: "no_such_task" };
  const schemaArgs = { subtasks: [] };
  return {
    examples,
    errors: {
      catalogued: {
        tool: "orchestrator_get_task",
        args: notFoundArgs,
        result: await rawCall(client, "orchestrator_get_task", notFoundArgs),
      },
      schema: {
        tool: "orchestrator_plan_task",
        args: schemaArgs,
        result: await rawCall(client, "orchestrator_plan_task", schemaArgs),
      },
    },
  };
}

export interface ErrorExamples {
  readonly catalogued: Example & { tool: string };
  readonly schema: Example & { tool: string };
}
