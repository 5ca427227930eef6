import { type CAC, cac } from "cac";
import { BUILD_INFO } from "../build-info.ts";
import { isOrchestratorError, OrchestratorError } from "../core/errors.ts";
import { type Env, readEnv } from "../platform/env.ts";
import { registerBackupCommands } from "./commands/backups.ts";
import { registerConnectCommand } from "./commands/connect.ts";
import { registerDoctorCommand } from "./commands/doctor.ts";
import { registerExportCommand } from "./commands/export.ts";
import { registerImportCommand } from "./commands/import.ts";
import { registerInstallCommands } from "./commands/install.ts";
import { registerServeCommand } from "./commands/serve.ts";
import { registerStatusCommand } from "./commands/status.ts";
import { registerStoreCommand } from "./commands/store.ts";
import { registerTokenCommand } from "./commands/token.ts";
import { registerUiCommand } from "./commands/ui.ts";
import { registerVersionCommand } from "./commands/version.ts";
import { EXIT, exitCodeFor } from "./exit-codes.ts";
import { createOutput, type Output } from "./output.ts";

/**
 * The CLI: argv → cac → a command's use-case. Returns the exit code (0 ok, 1 failed, 2 usage);
 * user errors become one line on stderr, with the stack only under --verbose.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const env = readEnv();
  const io = createOutput(env);
  const verbose = argv.includes("--verbose");
  let code: number = EXIT.OK;
  const cli = buildCli(env, io, (c) => {
    code = c;
  });

  try {
    cli.parse(["node", "orchestrator", ...argv], { run: false });
    if (!cli.matchedCommand) {
      if (cli.options.help || cli.options.version) return EXIT.OK;
      const name = cli.args[0];
      if (name === undefined) {
        cli.outputHelp();
        return EXIT.OK;
      }
      throw new OrchestratorError(
        "USAGE",
        `unknown command '${name}'. Run 'orchestrator --help' to see the commands.`,
      );
    }
    await cli.runMatchedCommand();
    return code;
  } catch (e) {
    if (isOrchestratorError(e)) {
      io.err(`orchestrator: ${e.message}`);
      if (verbose && e.stack) io.err(e.stack);
      return exitCodeFor(e.code);
    }
    if (e instanceof Error && e.name === "CACError") {
      io.err(`orchestrator: ${e.message}. Run 'orchestrator --help' for usage.`);
      return EXIT.USAGE;
    }
    io.err(
      `orchestrator: unexpected error: ${e instanceof Error ? e.message : String(e)}${verbose ? "" : " (run with --verbose for details)"}`,
    );
    if (verbose && e instanceof Error && e.stack) io.err(e.stack);
    return EXIT.FAILED;
  }
}

/**
 * Every command and global option, registered on a fresh cac instance. Separate from main() so
 * the generated CLI reference (scripts/gen-docs.ts) reads the very definitions main() parses with.
 */
export function buildCli(env: Env, io: Output, setCode: (c: number) => void = () => {}): CAC {
  const cli = cac("orchestrator");
  registerServeCommand(cli, env, setCode);
  registerStatusCommand(cli, env, io, setCode);
  registerExportCommand(cli, env, io, setCode);
  registerImportCommand(cli, env, io, setCode);
  registerInstallCommands(cli, env, io, setCode);
  registerBackupCommands(cli, env, io, setCode);
  registerDoctorCommand(cli, env, io, setCode);
  registerStoreCommand(cli, env, io, setCode);
  registerTokenCommand(cli, env, io, setCode);
  registerUiCommand(cli, env, io, setCode);
  registerConnectCommand(cli, env);
  registerVersionCommand(cli, env, io);
  cli.option("--verbose", "Show stack traces for errors");
  cli.help();
  cli.version(BUILD_INFO.version);
  return cli;
}
