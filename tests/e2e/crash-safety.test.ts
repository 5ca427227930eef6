import { afterAll, expect, test } from "bun:test";
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
  expect(report.problems).toEqual([]);
  expect(report.integrity).toBe("ok");
  expect(report.kills).toBe(20);
  expect(report.killsDuringComplete).toBeGreaterThanOrEqual(5);
  expect(report.completesAcked).toBeGreaterThan(10);
  expect(report.validateAfterRepair).toEqual({ errors: 0, orphanFiles: 0 });
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
