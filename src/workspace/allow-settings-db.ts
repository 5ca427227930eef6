/**
 * The user's opt-in that lets a workspace's settings file choose its store (`db:`). Its own
 * import-free module: `serve` reads it before loading anything heavy.
 */
export const ALLOW_SETTINGS_DB = "ORCHESTRATOR_ALLOW_SETTINGS_DB";

/** Whether the user opted in (`ORCHESTRATOR_ALLOW_SETTINGS_DB=1`, or true/yes). */
export function settingsDbAllowed(vars: Readonly<Record<string, string | undefined>>): boolean {
  return /^(1|true|yes)$/i.test((vars[ALLOW_SETTINGS_DB] ?? "").trim());
}
