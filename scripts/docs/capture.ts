/** Capturing: real in-process servers per tool profile, one real call per tool, for the reference pages. */
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { BUILD_INFO } from "../../src/build-info.ts";
import { DEFAULT_SETTINGS } from "../../src/core/settings.ts";
import { readEnv } from "../../src/platform/env.ts";
import { createServer } from "../../src/server/create-server.ts";
import { TOOL_PROFILES, type ToolProfile } from "../../src/server/profiles.ts";
import type { CatalogEntry } from "../../src/server/tools/_catalog.ts";
import { StoreCache } from "../../src/store/cache.ts";
import { createRoleLoader } from "../../src/workspace/roles.ts";
import { createSettingsLoader } from "../../src/workspace/settings.ts";
import { type ErrorExamples, type Example, runExamples } from "./examples.ts";
import { makeNormalizer, type Normalizer } from "./normalize.ts";

export interface Capture {
  /** Every tool in registration order, as tools/list of profile `all` under a supervisor gives it. */
  readonly tools: readonly Tool[];
  /** Tool name → its full output schema, with the field descriptions tools/list leaves out. */
  readonly outputs: ReadonlyMap<string, Record<string, unknown>>;
  /** Tool name → the profiles that list it (the second element says "under a supervisor only"). */
  readonly profiles: ReadonlyMap<string, { profiles: ToolProfile[]; supervisedOnly: boolean }>;
  readonly examples: ReadonlyMap<string, Example>;
  readonly errorExamples: ErrorExamples;
  /** Applied to everything shown from the run. */
  readonly normalize: Normalizer;
}

/** A seeded sequence, so ids (and so the order of equal-time rows) are the same on every run. */
function seededHex(seed: number): (n: number) => string {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % 16;
  };
  return (n) => Array.from({ length: n }, () => next().toString(16)).join("");
}

/** A clock that moves one second per reading, so "newest first" orders are decided, not tied. */
function steppingClock(startIso: string): () => string {
  let t = Date.parse(startIso);
  return () => {
    const iso = new Date(t).toISOString();
    t += 1000;
    return iso;
  };
}

async function connect(
  workspace: string,
  tools: ToolProfile,
  supervised: boolean,
): Promise<{ client: Client; catalog: () => readonly CatalogEntry[]; close: () => Promise<void> }> {
  const stores = new StoreCache();
  const { server, tools: catalog } = createServer({
    version: BUILD_INFO.version,
    env: { ...readEnv(), cwd: workspace, homedir: "/nonexistent-home" },
    settings: DEFAULT_SETTINGS,
    settingsFixed: new Set(),
    settingsLoader: createSettingsLoader(),
    tools,
    supervised,
    clock: { now: steppingClock("2026-01-15T09:00:00.000Z") },
    random: { hex: seededHex(20260115) },
    roleLoader: createRoleLoader(),
    stores,
  });
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "docs-client", version: "1.0.0" });
  await server.connect(a);
  await client.connect(b);
  return {
    client,
    catalog,
    close: async () => {
      await client.close();
      await server.close();
      await stores.closeAll();
    },
  };
}

export async function capture(): Promise<Capture> {
  const workspace = realpathSync(mkdtempSync(join(tmpdir(), "orch-docs-")));
  mkdirSync(join(workspace, ".git"));
  try {
    const profiles = new Map<string, { profiles: ToolProfile[]; supervisedOnly: boolean }>();
    for (const profile of TOOL_PROFILES) {
      const conn = await connect(workspace, profile, false);
      try {
        for (const t of (await conn.client.listTools()).tools) {
          const entry = profiles.get(t.name) ?? { profiles: [], supervisedOnly: false };
          entry.profiles.push(profile);
          profiles.set(t.name, entry);
        }
      } finally {
        await conn.close();
      }
    }
    const supervised = await connect(workspace, "all", true);
    let tools: Tool[];
    const outputs = new Map<string, Record<string, unknown>>();
    try {
      tools = (await supervised.client.listTools()).tools;
      for (const e of supervised.catalog()) if (e.output) outputs.set(e.wire.name, e.output);
    } finally {
      await supervised.close();
    }
    for (const t of tools) {
      if (!profiles.has(t.name)) profiles.set(t.name, { profiles: ["all"], supervisedOnly: true });
    }

    const conn = await connect(workspace, "all", false);
    try {
      const { examples, errors } = await runExamples(conn.client, workspace);
      return {
        tools,
        outputs,
        profiles,
        examples,
        errorExamples: errors,
        normalize: makeNormalizer(workspace),
      };
    } finally {
      await conn.close();
    }
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}
