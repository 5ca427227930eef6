import type { CAC } from "cac";
import { OrchestratorError } from "../../core/errors.ts";
import { CLIENT_IDS } from "../../install/clients.ts";
import { SCOPES, type Scope } from "../../install/types.ts";
import { type Env, parseDuration } from "../../platform/env.ts";
import { isDatabaseUrl, parsePostgresUrl } from "../../store/postgres/url.ts";
import { checkDirectory, findProjectRoot } from "../../workspace/resolve.ts";
import { EXIT } from "../exit-codes.ts";
import type { Output } from "../output.ts";
import { installEnvFrom, pickClients, serverCommand } from "./_install-env.ts";

interface Flags {
  client?: string;
  json?: boolean;
  fix?: boolean;
  workspace?: string;
  db?: string;
  timeout?: string;
  scope?: string;
}

/** `orchestrator doctor`: finds the real problem and says how to fix it. Exit 0 when nothing failed. */
export function registerDoctorCommand(cli: CAC, env: Env, io: Output, setCode: (c: number) => void): void {
  cli
    .command("doctor", "Diagnose the binary, data, roles, client configs and a live handshake with each")
    .option("--client <id>", "Only these clients (comma-separated)")
    .option(
      "--scope <scope>",
      "Only this client scope: user, project or local (default: all, for the project doctor runs in)",
    )
    .option("--fix", "Repair what is safe and reversible (stale binary paths, with a backup)")
    .option("--json", "Print the report as JSON")
    .option("--workspace <dir>", "Check this workspace (default: the project around the current folder)")
    .option(
      "--db <path|url>",
      "Check this shared database instead (a file or a postgres:// URL; env ORCHESTRATOR_DB)",
    )
    .option("--timeout <duration>", "How long the live check waits for each server", { default: "5s" })
    .action(async (flags: Flags) => {
      let timeoutMs: number;
      try {
        timeoutMs = parseDuration(String(flags.timeout ?? "5s"), "--timeout");
      } catch (e) {
        throw new OrchestratorError("USAGE", (e as Error).message);
      }
      const workspace = flags.workspace
        ? checkDirectory(String(flags.workspace), "--workspace", { cwd: env.cwd, homedir: env.homedir })
        : undefined;
      const clients = flags.client ? pickClients(flags, () => []) : CLIENT_IDS;
      const scope = flags.scope === undefined ? undefined : String(flags.scope);
      if (scope !== undefined && !SCOPES.includes(scope as Scope))
        throw new OrchestratorError("USAGE", `--scope must be ${SCOPES.join(", ")}, got '${scope}'.`);
      // ORCHESTRATOR_DB as status, export and serve read it; without it doctor checked another store.
      const given = flags.db ?? env.vars.ORCHESTRATOR_DB;
      const db = given ? String(given) : undefined;
      // A malformed or non-PostgreSQL URL is a usage error (exit 2), like every other command's --db.
      if (db !== undefined && isDatabaseUrl(db)) parsePostgresUrl(db);
      const [{ runDoctor, summarize }, { applyFixes }, { renderReport }, { BUILD_INFO }] = await Promise.all([
        import("../../doctor/run.ts"),
        import("../../doctor/fix.ts"),
        import("./doctor-render.ts"),
        import("../../build-info.ts"),
      ]);
      const ctx = {
        env,
        install: installEnvFrom(env),
        version: BUILD_INFO.version,
        target: BUILD_INFO.target,
        self: serverCommand(env, undefined),
        clients,
        workspace,
        projectDir: workspace ?? findProjectRoot(env.cwd, env.homedir) ?? env.cwd,
        scopes: scope === undefined ? undefined : [scope as Scope],
        db,
        timeoutMs,
      };
      let report = await runDoctor(ctx);
      if (flags.fix) {
        const fixes = await applyFixes(ctx, report);
        if (fixes.length > 0) {
          const after = await runDoctor(ctx);
          report = summarize(after.version, after.checks, report.duration_ms + after.duration_ms, fixes);
        }
      }
      if (flags.json) io.out(JSON.stringify(report, null, 2));
      else renderReport(io, report, { fixRequested: Boolean(flags.fix) });
      setCode(report.verdict === "fail" ? EXIT.FAILED : EXIT.OK);
    });
}
