import type { CAC } from "cac";
import type { Env } from "../../platform/env.ts";
import type { Output } from "../output.ts";
import { checkScope, installEnvFrom, pickClients, pickScope, serverCommand } from "./_install-env.ts";
import { renderResults } from "./install-render.ts";

interface InstallFlags {
  client?: string;
  all?: boolean;
  scope?: string;
  project?: string;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
  binary?: string;
  viaCli?: boolean;
}

/** `orchestrator install` and `uninstall`: add or remove our entry in MCP clients' configs, safely. */
export function registerInstallCommands(cli: CAC, env: Env, io: Output, setCode: (c: number) => void): void {
  const common = (c: ReturnType<CAC["command"]>) =>
    c
      .option(
        "--client <id>",
        "Client id (comma-separated for several): claude-desktop, claude-code, cursor, vscode, ...",
      )
      .option("--all", "Every client detected on this machine")
      .option("--scope <scope>", "user (default) or project", { default: "user" })
      .option("--project <dir>", "Project folder for --scope project (default: current folder)")
      .option("--dry-run", "Print the diff, change nothing")
      .option("--json", "Print the results as JSON");

  common(cli.command("install", "Register the server in an MCP client's config (with a backup)"))
    .option("--force", "Replace an entry with our name that runs something else")
    .option("--binary <path>", "Command to register (default: this binary)")
    .option(
      "--via-cli",
      "Use the client's own command (claude, code, codex, gemini) instead of editing the file",
    )
    .action(async (flags: InstallFlags) => {
      const { installClients, detectClients } = await import("../../install/run.ts");
      const ienv = installEnvFrom(env);
      const ids = pickClients(flags, () => detectClients(ienv));
      const { scope, projectDir } = pickScope(env, flags);
      checkScope(ids, scope);
      if (flags.viaCli) {
        const { viaCli } = await import("./install-via-cli.ts");
        setCode(
          viaCli(io, ids, {
            scope,
            projectDir,
            dryRun: Boolean(flags.dryRun),
            ...serverCommand(env, flags.binary),
            env: ienv,
            folder: projectDir ?? env.cwd,
          }),
        );
        return;
      }
      const written = await installClients(ienv, ids, {
        scope,
        projectDir,
        dryRun: Boolean(flags.dryRun),
        force: Boolean(flags.force),
        ...serverCommand(env, flags.binary),
        now: new Date().toISOString(),
      });
      const { withGateNotices } = await import("./install-gates.ts");
      const results = withGateNotices(ienv, written, projectDir ?? env.cwd);
      setCode(
        renderResults(io, results, {
          json: Boolean(flags.json),
          verb: "install",
          noneDetected: flags.all === true && ids.length === 0,
        }),
      );
    });

  common(
    cli.command("uninstall", "Remove exactly our entry from an MCP client's config (with a backup)"),
  ).action(async (flags: InstallFlags) => {
    const { uninstallClients, detectClients } = await import("../../install/run.ts");
    const ienv = installEnvFrom(env);
    const ids = pickClients(flags, () => detectClients(ienv));
    const { scope, projectDir } = pickScope(env, flags);
    checkScope(ids, scope);
    const results = await uninstallClients(ienv, ids, {
      scope,
      projectDir,
      dryRun: Boolean(flags.dryRun),
      now: new Date().toISOString(),
    });
    setCode(
      renderResults(io, results, {
        json: Boolean(flags.json),
        verb: "uninstall",
        noneDetected: flags.all === true && ids.length === 0,
      }),
    );
  });
}
