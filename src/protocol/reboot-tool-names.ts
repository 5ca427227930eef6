/**
 * The reboot tools' names, without their schemas: the supervisor routes on these at every call,
 * and loads the zod contract (reboot-tools.ts) only when one is called, so building those schemas
 * costs nothing before it answers `initialize` (docs/performance.md, cold start).
 */
export const REBOOT_TOOL_NAMES = [
  "orchestrator_restart_server",
  "orchestrator_shutdown_prepare",
  "orchestrator_restart_status",
  "orchestrator_reconnect_test",
] as const;

export type RebootToolName = (typeof REBOOT_TOOL_NAMES)[number];

export function isRebootTool(name: unknown): name is RebootToolName {
  return (REBOOT_TOOL_NAMES as readonly unknown[]).includes(name);
}
