import type { ClientResult } from "../../install/run.ts";
import { EXIT } from "../exit-codes.ts";
import type { Output } from "../output.ts";

const MARK = { applied: "✓", unchanged: "=", dry_run: "~", refused: "✗", rolled_back: "↺" } as const;

/** Prints install/uninstall results (or JSON) and returns the exit code: 1 when any failed. */
export function renderResults(
  io: Output,
  results: readonly ClientResult[],
  opts: { json: boolean; verb: string; noneDetected: boolean },
): number {
  const failed = results.some((r) => r.status === "refused" || r.status === "rolled_back");
  if (opts.json) {
    io.out(JSON.stringify({ ok: !failed, results }, null, 2));
    return failed ? EXIT.FAILED : EXIT.OK;
  }
  if (opts.noneDetected) {
    io.out("No MCP clients detected on this machine. Name one with --client ID.");
    return EXIT.OK;
  }
  const { c } = io;
  for (const r of results) {
    const color =
      r.status === "refused" || r.status === "rolled_back"
        ? c.red
        : r.status === "unchanged"
          ? c.dim
          : c.green;
    io.out(
      `${color(MARK[r.status])} ${c.bold(r.client)} (${r.scope}) ${r.path}: ${r.message}${r.backup ? c.dim(` [backup ${r.backup.id}]`) : ""}`,
    );
    if (r.diff && (r.status === "dry_run" || r.status === "applied")) io.out(c.dim(r.diff.trimEnd()));
    for (const w of r.warnings) io.out(c.yellow(`  ⚠ ${w}`));
    for (const n of r.notices ?? []) io.out(c.cyan(`  ℹ ${n}`));
  }
  return failed ? EXIT.FAILED : EXIT.OK;
}
