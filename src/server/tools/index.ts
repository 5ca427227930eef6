import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Session } from "../session.ts";
import { registerCompleteSubtaskTool } from "./complete-subtask.ts";
import { registerExecuteSubtaskTool } from "./execute-subtask.ts";
import { registerGetStatusTool } from "./get-status.ts";
import { registerInitializeSessionTool } from "./initialize-session.ts";
import { registerMaintenanceCoordinatorTool } from "./maintenance-coordinator.ts";
import { registerPlanTaskTool } from "./plan-task.ts";
import { registerSynthesizeResultsTool } from "./synthesize-results.ts";

/** The core profile: the upstream's 7 tools, in the order clients list them. */
export function registerCoreTools(server: McpServer, session: Session): void {
  registerInitializeSessionTool(server, session);
  registerPlanTaskTool(server, session);
  registerExecuteSubtaskTool(server, session);
  registerCompleteSubtaskTool(server, session);
  registerSynthesizeResultsTool(server, session);
  registerGetStatusTool(server, session);
  registerMaintenanceCoordinatorTool(server, session);
}
