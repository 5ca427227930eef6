import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { RootsListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { SERVER_INSTRUCTIONS } from "../core/guidance.ts";
import { type ServerDeps, Session } from "./session.ts";
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
    { name: "orchestrator", title: "Task Orchestrator", version: deps.version },
    { capabilities: { tools: {}, logging: {} }, instructions: SERVER_INSTRUCTIONS },
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
  registerTools(server, session, deps.tools);
  return { server, session, close: () => server.close() };
}
