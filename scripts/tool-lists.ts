/**
 * What the worker lists in tools/list for each profile, computed from the source: scripts/build.ts
 * embeds it so the supervisor can answer the first tools/list itself (src/protocol/tool-snapshot.ts).
 */
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { DEFAULT_SETTINGS } from "../src/core/settings.ts";
import { readEnv } from "../src/platform/env.ts";
import { randomHex } from "../src/platform/fs.ts";
import { holderGone } from "../src/platform/process.ts";
import type { EmbeddedToolLists } from "../src/protocol/tool-snapshot.ts";
import { createServer } from "../src/server/create-server.ts";
import { TOOL_PROFILES, type ToolProfile } from "../src/server/profiles.ts";
import { StoreCache } from "../src/store/cache.ts";
import { createRoleLoader } from "../src/workspace/roles.ts";
import { createSettingsLoader } from "../src/workspace/settings.ts";

/** Exactly what tools/list answers for a profile (the catalog's wire definitions). */
export function listedTools(tools: ToolProfile, supervised: boolean): Tool[] {
  const { tools: catalog } = createServer({
    version: "build",
    env: { ...readEnv(), cwd: "/nonexistent", homedir: "/nonexistent-home" },
    settings: DEFAULT_SETTINGS,
    settingsFixed: new Set(),
    settingsLoader: createSettingsLoader(),
    tools,
    supervised,
    clock: { now: () => new Date().toISOString() },
    random: { hex: randomHex },
    roleLoader: createRoleLoader(),
    stores: new StoreCache(),
    holderGone,
  });
  return catalog().map((e) => e.wire);
}

/**
 * Every profile's list under the supervisor, stored once: each profile lists a prefix of `all`
 * (checked here, so a profile that stops being one fails the build instead of listing wrongly).
 */
export function embeddedToolLists(): EmbeddedToolLists {
  const all = listedTools("all", true);
  const counts: Record<string, number> = {};
  for (const profile of TOOL_PROFILES) {
    const list = listedTools(profile, true);
    if (JSON.stringify(list) !== JSON.stringify(all.slice(0, list.length)))
      throw new Error(`the ${profile} profile's tools/list is not a prefix of all's`);
    counts[profile] = list.length;
  }
  return { tools: all, counts };
}
