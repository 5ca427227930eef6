import { afterAll, beforeAll, expect, test } from "bun:test";
import { expectNothingLost } from "../helpers/crash-expect.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { makeProject } from "../helpers/temp.ts";
import { runCrashSafety } from "../stress/crash-safety.ts";
import { runLoad } from "../stress/load.ts";

// The SQLite crash and load suites (tests/e2e/crash-safety.test.ts, load.test.ts) on PostgreSQL:
// the same harness with `--db <url>`. Fast rounds here; `bun run stress` runs the long ones.
let crashDb: TestDatabase;
let loadDb: TestDatabase;
const project = makeProject("orch-pg-crash-");
const loadA = makeProject("orch-pg-load-a-");
const loadB = makeProject("orch-pg-load-b-");
beforeAll(async () => {
  [crashDb, loadDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
}, 60_000);
afterAll(async () => {
  for (const p of [project, loadA, loadB]) p.cleanup();
  await Promise.all([crashDb?.drop(), loadDb?.drop()]);
});

test("12 SIGKILLs of servers writing to PostgreSQL: nothing acknowledged is lost, nothing torn", async () => {
  const report = await runCrashSafety({
    workspace: project.dir,
    db: crashDb.url,
    seed: 2026,
    kills: 12,
    processes: 2,
    agentsPerProcess: 2,
  });
  expectNothingLost(report, { kills: 12, killsDuringComplete: 3, completesAcked: 5 });
}, 120_000);

test("4 server processes racing for next-ready tasks on one PostgreSQL database: 0 lost, 0 double claims, counters exact", async () => {
  const r = await runLoad({
    workspaces: [loadA.dir, loadB.dir],
    db: loadDb.url,
    processes: 4,
    opsPerProcess: 60,
    claim: "next",
  });
  expect(r.errors).toBe(0);
  expect(r.acknowledged_completions).toBe(80);
  expect(r.lost_or_doubled).toBe(0);
  expect(r.double_claims).toBe(0);
  expect(r.counter_problems).toEqual([]);
}, 120_000);
