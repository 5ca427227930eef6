import { afterAll, expect, test } from "bun:test";
import { makeProject } from "../helpers/temp.ts";
import { sqliteOnly } from "../helpers/test-store.ts";
import { runHostileStore } from "../stress/hostile-store.ts";
import { runEnvelopeFuzz, runProtocolFuzz } from "../stress/protocol-fuzz.ts";

const project = makeProject("orch-fuzz-");
afterAll(() => project.cleanup());

// Fast variant; `bun run stress` sends 10,000.
test("2,000 hostile tool calls: each an isError result, no protocol error, store unchanged, same worker healthy", async () => {
  const r = await runProtocolFuzz({ workspace: project.dir, seed: 2026, calls: 2_000 });
  expect(r.protocolErrors).toEqual([]);
  expect(r.notError).toEqual([]);
  expect(r.unclear).toEqual([]);
  expect(r.errorResults).toBe(2_000);
  expect(r.storeUnchanged).toBe(true);
  expect(r.healthyAfter).toBe(true);
  expect(r.sameWorker).toBe(true);
  expect(Object.keys(r.byTool).length).toBe(14);
}, 120_000);

// Fast variant of the hostile-repository case; `bun run stress` runs 40 rounds.
sqliteOnly("the hostile-repository rounds craft SQLite files (legacy databases, a shared --db file)")(
  "hostile repository: crafted legacy databases and shared-database rows never reach outside .task_orchestrator/",
  async () => {
    const r = await runHostileStore({ seed: 11, rounds: 4 });
    expect(r.importProblems).toEqual([]);
    expect(r.importsOk).toBe(4);
    expect(r.badIdsStored).toEqual([]);
    expect(r.internalErrors).toEqual([]);
    expect(r.protocolErrors).toEqual([]);
    expect(r.outsideUnchanged).toBe(true);
    expect(r.databaseKept).toBe(true);
    expect(r.healthyAfter).toBe(true);
    expect(r.calls).toBeGreaterThan(50);
  },
  120_000,
);

// Fast variant; `bun run stress` sends 20,000 lines per mode.
test.each([
  ["supervised", true],
  ["--no-supervisor", false],
])(
  "1,000 lines breaking JSON-RPC 2.0 (%s): each answered as the spec says, same worker serving",
  async (_, supervised) => {
    const r = await runEnvelopeFuzz({
      workspace: project.dir,
      seed: 7,
      lines: 1_000,
      oversized: 3,
      supervised,
    });
    expect(r.wrong).toEqual([]);
    expect(r.rightAnswers).toBe(1_000);
    expect(r.oversized).toBe(3);
    expect(r.healthyAfter).toBe(true);
    expect(r.sameWorker).toBe(true);
  },
  120_000,
);
