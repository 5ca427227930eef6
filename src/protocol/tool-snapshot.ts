import { createHash } from "node:crypto";

// Written by scripts/build.ts (bun build --define) from the tools the worker registers; unbuilt
// runs (`bun bin/orchestrator.ts`) have none and always relay tools/list to the worker.
declare const __ORCHESTRATOR_TOOL_LISTS__: string | undefined;

/**
 * The worker's `tools/list` for a profile (under the supervisor), as this very binary's worker
 * answers it: computed at build time from the same source, so the supervisor can answer the first
 * `tools/list` while the worker is still loading (docs/reboot.md, cold start). `digest` names it,
 * so a worker from another binary can tell the client its list changed.
 */
export interface ToolListSnapshot {
  readonly tools: readonly unknown[];
  readonly digest: string;
}

/** Set in a worker's environment: the digest of the tools/list the supervisor may have answered. */
export const LISTED_TOOLS_VAR = "ORCHESTRATOR_LISTED_TOOLS";

/** The shape build.ts embeds: the `all` list (supervised) and how many of it each profile lists. */
export interface EmbeddedToolLists {
  readonly tools: readonly unknown[];
  readonly counts: Readonly<Record<string, number>>;
}

/** This binary's tools/list for `profile` under the supervisor, or undefined in an unbuilt run. */
export function builtToolList(profile: string): ToolListSnapshot | undefined {
  if (typeof __ORCHESTRATOR_TOOL_LISTS__ !== "string") return undefined;
  const { tools, counts } = JSON.parse(__ORCHESTRATOR_TOOL_LISTS__) as EmbeddedToolLists;
  const n = counts[profile];
  if (typeof n !== "number") return undefined;
  const list = tools.slice(0, n);
  return { tools: list, digest: toolListDigest(list) };
}

export function toolListDigest(tools: readonly unknown[]): string {
  return createHash("sha256").update(JSON.stringify(tools)).digest("hex").slice(0, 16);
}
