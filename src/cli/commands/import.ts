import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CAC } from "cac";
import { OrchestratorError } from "../../core/errors.ts";
import { isValidId, showId } from "../../core/ids.ts";
import type { Env } from "../../platform/env.ts";
import { EXIT } from "../exit-codes.ts";
import type { Output } from "../output.ts";
import { snakeCaseKeys } from "../snake-case.ts";
import { cliWorkspace, openCliContext } from "./_workspace.ts";

interface ImportFlags {
  from?: string;
  workspace?: string;
  db?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** Where the Python MCP Task Orchestrator 1.x kept its database in a project. */
const LEGACY_DB = join(".task_orchestrator", "task_orchestrator.db");

/** `orchestrator import-legacy`: the Python MCP Task Orchestrator's plans, into this workspace. */
export function registerImportCommand(cli: CAC, env: Env, io: Output, setCode: (c: number) => void): void {
  cli
    .command("import-legacy", "Import the plans of a Python MCP Task Orchestrator database (read-only)")
    .option("--from <path>", `Its task_orchestrator.db (default: <workspace>/${LEGACY_DB})`)
    .option("--dry-run", "Report what would be imported, write nothing")
    .option("--json", "Print the report as JSON")
    .option("--workspace <dir>", "Project folder (default: the project containing the current directory)")
    .option("--db <path>", "Shared database file, as given to serve --db")
    .action(async (flags: ImportFlags) => {
      const where = await cliWorkspace(env, flags);
      const { workspace } = where;
      if (where.database.ignored) io.err(`warning: ${where.database.ignored}`);
      const from = resolve(env.cwd, flags.from ?? join(workspace, LEGACY_DB));
      if (!existsSync(from)) {
        throw new OrchestratorError(
          "INVALID_INPUT",
          `${from} does not exist. Pass --from with the path of the Python orchestrator's task_orchestrator.db (MCP_TASK_ORCHESTRATOR_DB_PATH, or .task_orchestrator/ in the folder it ran in).`,
        );
      }
      const [{ readLegacyDatabase }, { importLegacy }] = await Promise.all([
        import("../../store/legacy.ts"),
        import("../../app/import-legacy.ts"),
      ]);
      const source = await readLegacyDatabase(from);
      const { ctx, close } = await openCliContext(where);
      try {
        const report = await importLegacy(ctx, { ...source, from }, Boolean(flags.dryRun));
        if (flags.json) {
          io.out(
            JSON.stringify(
              snakeCaseKeys({ from, workspace, dryRun: Boolean(flags.dryRun), ...report }),
              null,
              2,
            ),
          );
        } else {
          const { c } = io;
          const verb = flags.dryRun ? "would import" : "imported";
          io.out(
            `${c.green("✓")} ${verb} ${report.plansImported.length} plan(s) with ${report.tasksImported} task(s) from ${from} into ${workspace}`,
          );
          for (const m of report.statusesMapped) io.out(c.dim(`  ${m.count} × ${m.from} → ${m.to}`));
          if (report.dependenciesDropped > 0)
            io.out(
              c.yellow(
                `  ⚠ ${report.dependenciesDropped} dependency(ies) on tasks outside their plan were dropped`,
              ),
            );
          // A skipped id may hold NUL or terminal escapes: quoted unless it passes the id rule.
          for (const s of report.plansSkipped)
            io.out(c.dim(`  skipped ${isValidId(s.id) ? s.id : showId(s.id)}: ${s.why}`));
          if (!flags.dryRun && report.plansImported.length > 0)
            io.out(c.dim("  Artifacts stay where they were; their paths are in each task's summary."));
        }
        setCode(EXIT.OK);
      } finally {
        await close();
      }
    });
}
