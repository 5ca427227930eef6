import { expect } from "bun:test";
import type { CrashReport } from "../stress/crash-safety.ts";

/**
 * What every crash run must show: no problem found, an intact file, every kill made, and enough
 * kills landing in completions and completions acknowledged for the run to have tested something.
 */
export function expectNothingLost(
  report: CrashReport,
  want: { readonly kills: number; readonly killsDuringComplete: number; readonly completesAcked: number },
): void {
  expect(report.problems).toEqual([]);
  expect(report.integrity).toBe("ok");
  expect(report.kills).toBe(want.kills);
  expect(report.killsDuringComplete).toBeGreaterThanOrEqual(want.killsDuringComplete);
  expect(report.completesAcked).toBeGreaterThan(want.completesAcked);
  expect(report.validateAfterRepair).toEqual({ errors: 0, orphanFiles: 0 });
}
