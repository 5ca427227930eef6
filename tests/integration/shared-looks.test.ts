import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isOrchestratorError } from "../../src/core/errors.ts";
import { DEFAULT_SETTINGS } from "../../src/core/settings.ts";
import { readEnv } from "../../src/platform/env.ts";
import { randomHex } from "../../src/platform/fs.ts";
import { Session } from "../../src/server/session.ts";
import { StoreCache } from "../../src/store/cache.ts";
import { createRoleLoader } from "../../src/workspace/roles.ts";
import { createSettingsLoader } from "../../src/workspace/settings.ts";
import { makeProject } from "../helpers/temp.ts";
import { testDbUrl } from "../helpers/test-store.ts";

/*
 * The sharing rule of server/shared-looks.ts through a real Session and real files: calls in
 * flight together share one look at the workspace's files, a call that starts alone sees every
 * change made before it. "In flight" is a call opened and not yet ended, so no sleeps.
 */

let project: { dir: string; cleanup: () => void };
let stores: StoreCache;
let session: Session;
let settingsFile: string;
beforeEach(() => {
  project = makeProject("orch-looks-");
  mkdirSync(join(project.dir, ".task_orchestrator"), { recursive: true });
  settingsFile = join(project.dir, ".task_orchestrator", "settings.yaml");
  stores = new StoreCache();
  session = new Session(
    {
      version: "test",
      env: { ...readEnv(), cwd: project.dir, homedir: "/nonexistent-home" },
      workspace: project.dir,
      db: testDbUrl(),
      settings: DEFAULT_SETTINGS,
      settingsLoader: createSettingsLoader(),
      tools: "standard",
      clock: { now: () => new Date().toISOString() },
      random: { hex: randomHex },
      roleLoader: createRoleLoader(),
      stores,
      // Far beyond a call's time even on a loaded machine: the age bound has its unit test.
      shareLookMs: 600_000,
    },
    undefined,
  );
});
afterEach(async () => {
  await stores.closeAll();
  project.cleanup();
});

const leaseOf = async (): Promise<number> => {
  const call = await session.open(undefined);
  call.end();
  return call.ctx.settings.leaseMs;
};

test("calls in flight together share one look; the next call alone sees the edit made meanwhile", async () => {
  const first = await session.open(undefined);
  // Roles are read when a call first asks for them (execute_subtask, plan_task).
  expect(first.ctx.roles().files).toEqual([]);
  writeFileSync(settingsFile, "lease: 2m\n");
  mkdirSync(join(project.dir, ".task_orchestrator", "roles"));
  writeFileSync(
    join(project.dir, ".task_orchestrator", "roles", "mine.yaml"),
    "reviewer_2:\n  role_definition: r\n",
  );
  const overlapping = await session.open(undefined);
  expect(overlapping.ctx.settings.leaseMs).toBe(DEFAULT_SETTINGS.leaseMs);
  expect(overlapping.ctx.roles().files).toEqual([]);
  first.end();
  overlapping.end();

  const alone = await session.open(undefined);
  expect(alone.ctx.settings.leaseMs).toBe(120_000);
  expect(alone.ctx.roles().files).toEqual([".task_orchestrator/roles/mine.yaml"]);
  alone.end();
});

test("one call at a time: each settings.yaml edit applies to the next call", async () => {
  expect(await leaseOf()).toBe(DEFAULT_SETTINGS.leaseMs);
  writeFileSync(settingsFile, "lease: 2m\n");
  expect(await leaseOf()).toBe(120_000);
  writeFileSync(settingsFile, "lease: 1h\n");
  expect(await leaseOf()).toBe(3_600_000);
  rmSync(settingsFile);
  expect(await leaseOf()).toBe(DEFAULT_SETTINGS.leaseMs);
});

test("a call that failed before its context ends its hold on the look", async () => {
  writeFileSync(settingsFile, "project: [broken\n");
  const failed = await session.open(undefined).catch((e: unknown) => e);
  expect(isOrchestratorError(failed, "SETTINGS_INVALID")).toBe(true);
  writeFileSync(settingsFile, "lease: 2m\n");
  expect(await leaseOf()).toBe(120_000);
});

test("a removed workspace fails the next call with WORKSPACE_NOT_FOUND", async () => {
  expect(await leaseOf()).toBe(DEFAULT_SETTINGS.leaseMs);
  rmSync(project.dir, { recursive: true, force: true });
  const failed = await session.open(undefined).catch((e: unknown) => e);
  expect(isOrchestratorError(failed, "WORKSPACE_NOT_FOUND")).toBe(true);
});

test.skipIf(testDbUrl() !== undefined)(
  "a database swapped for a symlink is refused by the next call",
  async () => {
    (await session.open(undefined)).end();
    const db = join(project.dir, ".task_orchestrator", "orchestrator.db");
    const elsewhere = join(project.dir, "elsewhere.db");
    writeFileSync(elsewhere, "");
    rmSync(db);
    symlinkSync(elsewhere, db);
    const failed = await session.open(undefined).catch((e: unknown) => e);
    expect(isOrchestratorError(failed, "PATH_OUTSIDE_DATA_DIR")).toBe(true);
  },
);
