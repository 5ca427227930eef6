/**
 * Tool profiles: which tools `tools/list` offers, so a client pays (in context) only for what it
 * uses. Only the names live here, free of the SDK and of the tools themselves, so the CLI and the
 * session can name a profile without importing every tool; tools/index.ts maps each to its tools.
 */
export const TOOL_PROFILES = ["core", "standard", "all"] as const;
export type ToolProfile = (typeof TOOL_PROFILES)[number];

export const DEFAULT_TOOL_PROFILE: ToolProfile = "standard";

export function isToolProfile(name: string): name is ToolProfile {
  return (TOOL_PROFILES as readonly string[]).includes(name);
}
