import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { taskPrompt } from "../app/task-prompt.ts";
import { ERROR_CATALOGUE, isOrchestratorError } from "../core/errors.ts";
import { IdSchema } from "../core/ids.ts";
import { buildRolePrompt } from "../core/prompt.ts";
import type { Role } from "../core/roles/role.ts";
import type { Session } from "./session.ts";

/** Every role prompt's arguments, built once (`serve --http` registers the prompts per kept server). */
const argsSchema = {
  task: z.string().optional().describe("What to do, in your words"),
  task_id: IdSchema.optional().describe("Or: a stored subtask whose full prompt you want"),
};

/**
 * One MCP prompt per specialist role: with `task` it frames free-form work for that role; with
 * `task_id` it returns the stored task's full specialist prompt (as execute_subtask would, without
 * claiming it). Roles are those known when the server starts (built-ins plus the custom roles of
 * its default workspace); tools always see the current role files.
 */
export function registerPrompts(server: McpServer, session: Session, roles: readonly Role[]): void {
  for (const role of roles) {
    server.registerPrompt(
      role.name,
      {
        title: `${role.name} specialist`,
        description: role.summary,
        argsSchema,
      },
      async ({ task, task_id }) => {
        let text: string;
        if (task_id) {
          try {
            const ctx = await session.context(await session.resolve(undefined), { readOnly: true });
            text = await taskPrompt(ctx, task_id);
          } catch (e) {
            if (isOrchestratorError(e))
              throw new McpError(-32602, `${e.code}: ${e.message} ${ERROR_CATALOGUE[e.code].fix}`);
            throw e;
          }
        } else {
          text = buildRolePrompt(role, task ?? "");
        }
        return { description: role.summary, messages: [{ role: "user", content: { type: "text", text } }] };
      },
    );
  }
}
