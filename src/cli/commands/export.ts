import { resolve } from "node:path";
import type { CAC } from "cac";
import { OrchestratorError } from "../../core/errors.ts";
import type { Env } from "../../platform/env.ts";
import { EXIT } from "../exit-codes.ts";
import type { Output } from "../output.ts";
import { cliWorkspace, openCliContext } from "./_workspace.ts";

interface ExportFlags {
  workspace?: string;
  db?: string;
  format?: string;
  plan?: string;
  out?: string;
}

/** `orchestrator export`: the workspace's plans as Markdown reports or JSON. */
export function registerExportCommand(cli: CAC, env: Env, io: Output, setCode: (c: number) => void): void {
  cli
    .command("export", "Export plans as Markdown reports or JSON")
    .option("--format <md|json>", "Output format", { default: "md" })
    .option("--plan <id>", "Only this plan")
    .option("--out <file>", "Write to a file (atomically) instead of stdout")
    .option("--workspace <dir>", "Project folder (default: the project containing the current directory)")
    .option("--db <path>", "Shared database file, as given to serve --db")
    .action(async (flags: ExportFlags) => {
      const format = String(flags.format);
      if (format !== "md" && format !== "json") {
        throw new OrchestratorError("USAGE", `--format must be md or json, got '${format}'.`);
      }
      const where = await cliWorkspace(env, flags);
      const { workspace, dbPath, exists } = where;
      if (where.database.ignored) io.err(`warning: ${where.database.ignored}`);
      if (!exists) {
        throw new OrchestratorError(
          "PLAN_NOT_FOUND",
          `No orchestrator data in ${workspace} (${dbPath} does not exist), so there is nothing to export.`,
        );
      }
      const { exportPlans } = await import("../../app/export.ts");
      const { ctx, close } = await openCliContext(where, { readOnly: true });
      try {
        const text = await exportPlans(ctx, { planId: flags.plan, format });
        if (flags.out) {
          const { atomicWriteFile } = await import("../../platform/fs.ts");
          const target = resolve(env.cwd, String(flags.out));
          // Agents' output is data like the rest: owner-only when we create the file, as the
          // database and artifacts are; a file the user already has keeps its mode.
          await atomicWriteFile(target, text, { createMode: 0o600 });
          io.err(`wrote ${target}`);
        } else io.out(text);
        setCode(EXIT.OK);
      } finally {
        await close();
      }
    });
}
