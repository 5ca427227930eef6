import { afterAll, expect, test } from "bun:test";
import { expectNothingLost } from "../helpers/crash-expect.ts";
import { makeProject } from "../helpers/temp.ts";
import { runCrashSafety } from "../stress/crash-safety.ts";
import { runInstallCrash } from "../stress/install-crash.ts";

const project = makeProject("orch-crash-");
afterAll(() => project.cleanup());

// Fast variant (20 kills); `bun run stress` runs the long one.
test("20 SIGKILLs under plan/execute/complete from 4 agents: nothing acknowledged is lost, nothing half-written stays", async () => {
  const report = await runCrashSafety({
    workspace: project.dir,
    seed: 1234,
    kills: 20,
    processes: 2,
    agentsPerProcess: 2,
  });
  expectNothingLost(report, { kills: 20, killsDuringComplete: 5, completesAcked: 10 });
}, 120_000);

// Eight agents on one server keep several writes queued on its one SQLite connection, so they
// commit in groups (store/transactions.ts): a kill lands while a group is open or committing, and
// no write of a group may be answered before the group's COMMIT.
test("30 SIGKILLs of one server with 8 agents (writes committed in groups): nothing acknowledged is lost", async () => {
  const grouped = makeProject("orch-crash-group-");
  try {
    const report = await runCrashSafety({
      workspace: grouped.dir,
      seed: 4321,
      kills: 30,
      processes: 1,
      agentsPerProcess: 8,
    });
    expectNothingLost(report, { kills: 30, killsDuringComplete: 10, completesAcked: 5 });
  } finally {
    grouped.cleanup();
  }
}, 120_000);

test("20 SIGKILLs during install and uninstall: the config is always the old or the new bytes", async () => {
  const home = makeProject("orch-install-crash-");
  try {
    const report = await runInstallCrash({ home: home.dir, seed: 77, kills: 20 });
    expect(report.problems).toEqual([]);
    expect(report.sawOld + report.sawNew).toBe(20);
    expect(report.backups).toBeGreaterThan(0);
  } finally {
    home.cleanup();
  }
}, 60_000);
