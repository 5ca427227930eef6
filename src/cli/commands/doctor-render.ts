import type { Area, CheckStatus, DoctorReport } from "../../doctor/report.ts";
import type { Output } from "../output.ts";

const NOT_FOUND = "not found on this machine";

const AREAS: Record<Area, string> = {
  binary: "Binary",
  data: "Data",
  roles: "Roles",
  clients: "Clients",
  live: "Live check",
  environment: "Environment",
};

/** The report as a person reads it: grouped by area, ✓ ⚠ ✗ –, fixes under problems, a verdict. */
export function renderReport(io: Output, report: DoctorReport, opts: { fixRequested: boolean }): void {
  const { c } = io;
  const mark: Record<CheckStatus, string> = {
    ok: c.green("✓"),
    warn: c.yellow("⚠"),
    fail: c.red("✗"),
    skip: c.dim("–"),
  };
  for (const area of Object.keys(AREAS) as Area[]) {
    const rows = report.checks.filter((k) => k.area === area);
    if (rows.length === 0) continue;
    io.out(c.bold(AREAS[area]));
    // Clients that are not on this machine make one line, not fifteen.
    const absent = rows.filter((k) => k.status === "skip" && k.detail === NOT_FOUND);
    if (absent.length > 1)
      io.out(
        `  ${mark.skip} ${c.dim(`Not found on this machine: ${absent.map((k) => k.title).join(", ")}`)}`,
      );
    for (const k of rows) {
      if (absent.length > 1 && absent.includes(k)) continue;
      const text = `${k.title}: ${k.detail}`;
      io.out(`  ${mark[k.status]} ${k.status === "skip" ? c.dim(text) : text}`);
      if (k.fix && (k.status === "fail" || k.status === "warn")) io.out(`      ${c.cyan("→")} ${k.fix}`);
    }
  }
  if (report.fixes.length > 0) {
    io.out(c.bold("Fixes"));
    for (const f of report.fixes) io.out(`  ${f.ok ? c.green("✓") : c.red("✗")} ${f.result}`);
  } else if (opts.fixRequested) {
    io.out(c.dim("Nothing that --fix can repair safely."));
  }
  const color = report.verdict === "ok" ? c.green : report.verdict === "warn" ? c.yellow : c.red;
  const fixable = report.checks.some((k) => k.fixable && k.status !== "ok");
  io.out("");
  io.out(
    `${color(report.summary)} ${c.dim(`(${report.duration_ms} ms)`)}${fixable && !opts.fixRequested ? ` Run 'orchestrator doctor --fix' to repair what is marked fixable.` : ""}`,
  );
}
