import { checkBinary } from "./checks/binary.ts";
import { checkClients, type InstalledEntry } from "./checks/clients.ts";
import { checkData } from "./checks/data.ts";
import { checkEnvironment } from "./checks/environment.ts";
import { checkLive } from "./checks/live.ts";
import { checkRoles } from "./checks/roles.ts";
import { checkTrust } from "./checks/trust.ts";
import type { DoctorContext } from "./context.ts";
import { type Area, type CheckResult, type DoctorReport, type Finding, fail } from "./report.ts";

/**
 * Runs every check, in order of the areas a person reads top to bottom. Never throws: a check
 * that crashes becomes a failed result naming the bug, so the rest of the report still comes.
 */
export async function runDoctor(ctx: DoctorContext): Promise<DoctorReport> {
  const t0 = performance.now();
  const checks: CheckResult[] = [];
  const timed = async <T>(
    area: Area,
    body: () => T | Promise<T>,
    pick: (t: T) => Finding[],
  ): Promise<T | undefined> => {
    const s = performance.now();
    try {
      const value = await body();
      const ms = Math.round(performance.now() - s);
      const found = pick(value);
      for (const f of found)
        checks.push({
          ...f,
          fixable: f.fixable ?? false,
          duration_ms: Math.round(ms / Math.max(1, found.length)),
        });
      return value;
    } catch (e) {
      checks.push({
        ...fail(
          area,
          `${area}.internal`,
          `${area} checks`,
          `the check itself failed: ${(e as Error).message}`,
          "Report this as a bug with the output of 'orchestrator doctor --json'.",
        ),
        fixable: false,
        duration_ms: Math.round(performance.now() - s),
      });
      return undefined;
    }
  };
  await timed(
    "binary",
    () => checkBinary(ctx),
    (f) => f,
  );
  const data = await timed(
    "data",
    () => checkData(ctx),
    (d) => d.findings,
  );
  await timed(
    "roles",
    () => checkRoles(data?.workspace),
    (f) => f,
  );
  const clients = await timed(
    "clients",
    () => checkClients(ctx),
    (c) => c.findings,
  );
  // After the entries themselves: a right entry the client holds back is the next thing to know.
  await timed(
    "clients",
    () => checkTrust(ctx),
    (f) => f,
  );
  const entries: InstalledEntry[] = clients?.installed ?? [];
  await timed(
    "live",
    () => checkLive(ctx, entries),
    (f) => f,
  );
  await timed(
    "environment",
    () => checkEnvironment(ctx),
    (f) => f,
  );
  return summarize(ctx.version, checks, Math.round(performance.now() - t0), []);
}

export function summarize(
  version: string,
  checks: CheckResult[],
  durationMs: number,
  fixes: DoctorReport["fixes"],
): DoctorReport {
  const counts = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) counts[c.status]++;
  const verdict = counts.fail > 0 ? "fail" : counts.warn > 0 ? "warn" : "ok";
  const summary =
    verdict === "ok"
      ? `All good: ${counts.ok} checks passed.`
      : verdict === "warn"
        ? `Working, with ${counts.warn} warning(s) to look at.`
        : `${counts.fail} problem(s) found${counts.warn ? ` and ${counts.warn} warning(s)` : ""}: see the ✗ lines and their fixes.`;
  return { version, verdict, summary, counts, duration_ms: durationMs, checks, fixes };
}
