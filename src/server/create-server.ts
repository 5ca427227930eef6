import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { type CallToolResult, RootsListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { OrchestratorError } from "../core/errors.ts";
import { SERVER_INSTRUCTIONS } from "../core/guidance.ts";
import { builtinRoles } from "../core/roles/merge.ts";
import type { Role } from "../core/roles/role.ts";
import { findProjectRoot } from "../workspace/resolve.ts";
import { SERVER_NAME, SERVER_TITLE } from "./handshake.ts";
import { registerPrompts } from "./prompts.ts";
import { registerResources } from "./resources.ts";
import { type ServerDeps, Session } from "./session.ts";
import { registerSupervisorHooks } from "./supervisor-hooks.ts";
import { failure } from "./tools/_shared.ts";
import { registerTools } from "./tools/index.ts";

/**
 * One MCP server for one client connection. The process-wide parts (store cache, role loader,
 * settings) come in `deps`; the connection's own state (bound workspace, roots) lives in its Session.
 */
export function createServer(deps: ServerDeps): {
  server: McpServer;
  session: Session;
  close: () => Promise<void>;
} {
  const server = new McpServer(
    { name: SERVER_NAME, title: SERVER_TITLE, version: deps.version },
    {
      capabilities: { tools: {}, resources: {}, prompts: {}, logging: {} },
      instructions: SERVER_INSTRUCTIONS,
    },
  );
  const session = new Session(deps, async () => {
    if (!server.server.getClientCapabilities()?.roots) return undefined;
    const { roots } = await server.server.listRoots(undefined, { timeout: 5_000 });
    return roots.find((r) => r.uri.startsWith("file://"))?.uri;
  });
  server.server.oninitialized = () => {
    session.clientName = server.server.getClientVersion()?.name ?? "client";
  };
  server.server.setNotificationHandler(RootsListChangedNotificationSchema, async () =>
    session.invalidateRoots(),
  );
  registerTools(server, session, deps.tools, deps.supervised ?? false);
  reportInvalidArguments(server);
  registerResources(server, session);
  registerPrompts(server, session, startupRoles(deps));
  if (deps.supervised) registerSupervisorHooks(server, session);
  return { server, session, close: () => server.close() };
}

/** The roles offered as prompts: the built-ins plus the custom roles of the default workspace, if any. */
function startupRoles(deps: ServerDeps): Role[] {
  const ws = deps.workspace ?? findProjectRoot(deps.env.cwd, deps.env.homedir);
  return [...(ws ? deps.roleLoader.load(ws).roles : builtinRoles()).values()];
}

const SDK_INPUT_ERROR =
  /^MCP error -32602: Input validation error: Invalid arguments for tool (\S+): ([\s\S]*)$/;

/**
 * The SDK checks tool arguments against the input schema before our handler runs and answers
 * "MCP error -32602: Input validation error: ... at task_id". Rewritten here into the same shape
 * as every other refusal: the INVALID_INPUT code, each problem as "field: what", what to do, and
 * the code in _meta, so a model (and a script) handles one error format.
 */
function reportInvalidArguments(server: McpServer): void {
  const sdk = server as unknown as { createToolError(message: string): CallToolResult };
  const original = sdk.createToolError.bind(server);
  sdk.createToolError = (message: string): CallToolResult => {
    const m = SDK_INPUT_ERROR.exec(message);
    if (!m) return original(message);
    const problems = (m[2] ?? "")
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const at = / at (\S+)$/.exec(line);
        return at ? `${at[1]}: ${line.slice(0, at.index)}` : line;
      });
    return failure(new OrchestratorError("INVALID_INPUT", `${m[1]}: ${problems.join("; ")}.`));
  };
}
