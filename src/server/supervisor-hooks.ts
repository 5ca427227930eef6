import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { RESTORE_SESSION_METHOD, RestoreSessionParams } from "../protocol/worker-channel.ts";
import type { Session } from "./session.ts";

const RestoreSessionRequest = z.object({
  method: z.literal(RESTORE_SESSION_METHOD),
  params: RestoreSessionParams,
});

/**
 * What a supervised worker answers its supervisor beyond MCP (docs/reboot.md): the workspace the
 * connection bound before this worker started, so a restart or crash does not send calls without
 * working_directory elsewhere. Clients cannot reach it: the supervisor owns the id space and
 * only a worker under it registers the method.
 */
export function registerSupervisorHooks(server: McpServer, session: Session): void {
  server.server.setRequestHandler(RestoreSessionRequest, async (request) => {
    session.boundWorkspace = request.params.workspace;
    return {};
  });
}
