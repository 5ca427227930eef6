import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ToolProfile } from "../profiles.ts";
import type { Session } from "../session.ts";
import { type CatalogEntry, createToolCatalog, type ToolHost } from "./_catalog.ts";
import { registerCancelTaskTool } from "./cancel-task.ts";
import { registerCompleteSubtaskTool } from "./complete-subtask.ts";
import { registerDeleteTaskTool } from "./delete-task.ts";
import { registerExecuteSubtaskTool } from "./execute-subtask.ts";
import { registerGetArtifactTool } from "./get-artifact.ts";
import { registerGetStatusTool } from "./get-status.ts";
import { registerGetTaskTool } from "./get-task.ts";
import { registerHealthCheckTool } from "./health-check.ts";
import { registerInitializeSessionTool } from "./initialize-session.ts";
import { registerMaintenanceCoordinatorTool } from "./maintenance-coordinator.ts";
import { registerPlanTaskTool } from "./plan-task.ts";
import { registerQueryTasksTool } from "./query-tasks.ts";
import { registerHttpRestartTool, registerRebootTools } from "./reboot-tools.ts";
import { registerSynthesizeResultsTool } from "./synthesize-results.ts";
import { registerUpdateTaskTool } from "./update-task.ts";

type Register = (server: ToolHost, session: Session) => void;

/** The upstream's 7 tools, in the order clients list them. */
const CORE: readonly Register[] = [
  registerInitializeSessionTool,
  registerPlanTaskTool,
  registerExecuteSubtaskTool,
  registerCompleteSubtaskTool,
  registerSynthesizeResultsTool,
  registerGetStatusTool,
  registerMaintenanceCoordinatorTool,
];

/** Reading and managing single tasks, plus health. */
const STANDARD: readonly Register[] = [
  registerGetTaskTool,
  registerGetArtifactTool,
  registerQueryTasksTool,
  registerUpdateTaskTool,
  registerCancelTaskTool,
  registerDeleteTaskTool,
  registerHealthCheckTool,
];

/**
 * Which tools each profile lists, in a stable order: a client pays (in context) only for what it
 * uses. `all` adds the reboot tools, which exist only under serve's supervisor.
 */
const PROFILES: Record<ToolProfile, readonly Register[]> = {
  core: CORE,
  standard: [...CORE, ...STANDARD],
  all: [...CORE, ...STANDARD],
};

/**
 * Registers the tools of `profile` (the reboot tools only when a supervisor answers them; over
 * HTTP behind the front, orchestrator_restart_server alone) and
 * answers tools/list from their catalog; returns the catalog's entries (docs read the full output
 * schemas from it).
 *
 * Each tool file keeps its input and output schemas as module constants, the input one as an
 * object schema (the SDK wraps a bare shape again at every registration): `serve --http` makes a
 * server, and so every registration, per request (docs/performance.md, eleventh round).
 */
export function registerTools(
  server: McpServer,
  session: Session,
  profile: ToolProfile,
  supervised: boolean,
): () => readonly CatalogEntry[] {
  const catalog = createToolCatalog(server);
  for (const register of PROFILES[profile]) register(catalog.host, session);
  if (profile === "all" && supervised) registerRebootTools(catalog.host, session);
  else if (profile === "all" && session.deps.httpRestart) registerHttpRestartTool(catalog.host, session);
  catalog.install();
  return catalog.entries;
}
