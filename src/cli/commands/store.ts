import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { CAC } from "cac";
import { OrchestratorError } from "../../core/errors.ts";
import type { Env } from "../../platform/env.ts";
import type { CopyReport } from "../../store/copy/copy.ts";
import { EXIT } from "../exit-codes.ts";
import type { Output } from "../output.ts";
import { cliWorkspaceFolder } from "./_workspace.ts";

interface Flags {
  from?: string;
  to?: string;
  workspace?: string;
  project?: string;
  dryRun?: boolean;
  json?: boolean;
}

const ACTIONS = ["copy"] as const;

/** `orchestrator store copy`: move plans between a SQLite file and a PostgreSQL database, either way. */
export function registerStoreCommand(cli: CAC, env: Env, io: Output, setCode: (c: number) => void): void {
  cli
    .command("store <action>", "Copy plans between stores: store copy --from <file|url> --to <file|url>")
    .option("--from <file|url>", "Source: a SQLite file or a postgres:// URL")
    .option("--to <file|url>", "Target: a SQLite file (created when missing) or a postgres:// URL")
    .option("--workspace <dir>", "Only this project (its project id); default: every project in the source")
    .option("--project <id>", "Only the project with this id")
    .option("--dry-run", "Report what would be copied; write nothing")
    .option("--json", "Print the report as JSON")
    .action(async (action: string, flags: Flags) => {
      if (!(ACTIONS as readonly string[]).includes(action)) {
        throw new OrchestratorError(
          "USAGE",
          `unknown store action '${action}'. Use: orchestrator store copy --from <file|url> --to <file|url>.`,
        );
      }
      const from = target(env, flags.from, "--from");
      const to = target(env, flags.to, "--to");
      if (from === to)
        throw new OrchestratorError("USAGE", "--from and --to name the same store; give two different ones.");
      if (!isUrl(from) && !existsSync(from)) {
        throw new OrchestratorError(
          "USAGE",
          `--from ${from} does not exist. Pass the SQLite file that holds the plans (a workspace's .task_orchestrator/orchestrator.db) or a postgres:// URL.`,
        );
      }
      const [{ StoreCache }, { copyStore, listProjects }] = await Promise.all([
        import("../../store/cache.ts"),
        import("../../store/copy/copy.ts"),
      ]);
      const stores = new StoreCache();
      try {
        const source = await stores.get(from);
        const held = await listProjects(source.db);
        const projects = await pickProjects(env, flags, held);
        // A dry run creates nothing: a target file that does not exist yet is read as an empty store.
        const sink = await (flags.dryRun ? stores.forReading(to) : stores.get(to));
        const { localTextReader } = await import("./_copy-texts.ts");
        const localText = localTextReader({
          source: from,
          sourceIsFile: !isUrl(from),
          workspace: flags.workspace === undefined ? undefined : cliWorkspaceFolder(env, flags),
          store: source,
        });
        const report = await copyStore(source.db, sink.db, {
          projects,
          dryRun: flags.dryRun === true,
          localText,
        });
        if (flags.json) io.out(JSON.stringify({ from: source.path, to: sink.path, ...report }, null, 2));
        else renderReport(io, source.path, sink.path, report);
        setCode(copyFailed(report) ? EXIT.FAILED : EXIT.OK);
      } finally {
        await stores.closeAll();
      }
    });
}

function isUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//i.test(s);
}

function target(env: Env, given: string | undefined, flag: string): string {
  if (given === undefined || given === "" || typeof given !== "string") {
    throw new OrchestratorError("USAGE", `${flag} is required: a SQLite file or a postgres:// URL.`);
  }
  if (isUrl(given)) return given;
  const path = resolve(env.cwd, given);
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new OrchestratorError(
      "USAGE",
      `${flag} ${path} is a folder; pass the database file (e.g. ${path}/.task_orchestrator/orchestrator.db).`,
    );
  }
  return path;
}

async function pickProjects(env: Env, flags: Flags, held: readonly string[]): Promise<string[]> {
  if (flags.workspace !== undefined && flags.project !== undefined) {
    throw new OrchestratorError("USAGE", "Pass --workspace or --project, not both.");
  }
  let wanted: string | undefined;
  if (flags.project !== undefined) wanted = String(flags.project);
  else if (flags.workspace !== undefined) {
    const ws = cliWorkspaceFolder(env, { workspace: flags.workspace });
    const [{ readProjectIdentity }, { createSettingsLoader }] = await Promise.all([
      import("../../workspace/project.ts"),
      import("../../workspace/settings.ts"),
    ]);
    const { id } = readProjectIdentity(ws, createSettingsLoader());
    // A source written before project ids keys the workspace by its absolute path.
    wanted = !held.includes(id) && held.includes(ws) ? ws : id;
  }
  if (wanted === undefined) return [...held];
  if (!held.includes(wanted)) {
    throw new OrchestratorError(
      "USAGE",
      `The source holds no project '${wanted}'. It holds: ${held.length > 0 ? held.join(", ") : "none"}.`,
    );
  }
  return [wanted];
}

function copyFailed(report: CopyReport): boolean {
  return report.projects.some((p) => p.verified === false || p.tables.some((t) => t.conflicts.length > 0));
}

function renderReport(io: Output, from: string, to: string, report: CopyReport): void {
  const { c } = io;
  io.out(`${report.dryRun ? "Dry run: would copy" : "Copied"} from ${from} to ${to}`);
  if (report.projects.length === 0) io.out("  the source holds no projects: nothing to copy");
  for (const p of report.projects) {
    const state =
      p.verified === true
        ? c.green("verified")
        : p.verified === false
          ? c.red("VERIFICATION FAILED")
          : p.tables.some((t) => t.conflicts.length > 0)
            ? c.red("not written: conflicts")
            : c.dim("dry run");
    io.out(`  project ${p.project}: ${state}`);
    for (const t of p.tables) {
      if (t.source === 0) continue;
      const sum = t.targetChecksum
        ? ` sha256 ${t.sourceChecksum.slice(0, 12)}${t.targetChecksum === t.sourceChecksum ? " =" : ` ≠ ${t.targetChecksum.slice(0, 12)}`}`
        : "";
      io.out(
        `    ${t.table.padEnd(18)} ${String(t.source).padStart(7)} rows: ${t.copied} ${report.dryRun ? "to copy" : "copied"}, ${t.present} already there${sum}`,
      );
      for (const x of t.conflicts.slice(0, 10))
        io.out(c.red(`      conflict ${x.key}: the target differs in ${x.columns.join(", ")}`));
      if (t.conflicts.length > 10) io.out(c.red(`      … ${t.conflicts.length - 10} more conflicts`));
      if (t.filled > 0)
        io.out(
          `      ${t.filled} text(s) written before 2026-12 read from their local files, so every machine can read them`,
        );
      if (t.withoutText.length > 0) {
        io.out(
          c.yellow(
            `      ${t.withoutText.length} artifact(s) without their text (no matching local file here: ${t.withoutText.slice(0, 5).join(", ")}${t.withoutText.length > 5 ? ", …" : ""}); run the copy on the machine that has them, with --workspace`,
          ),
        );
      }
      for (const x of t.refused.slice(0, 10)) io.out(c.yellow(`      not copied ${x.key}: ${x.reason}`));
      if (t.refused.length > 10) io.out(c.yellow(`      … ${t.refused.length - 10} more rows not copied`));
    }
    if (p.tables.some((t) => t.conflicts.length > 0)) {
      io.out(
        "    The target holds other values under the same ids, so this project was not copied (nothing is overwritten). Compare with `orchestrator export --db <each store>`, keep the one you want, or copy into a fresh database.",
      );
    }
  }
}
