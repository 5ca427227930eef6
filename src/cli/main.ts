import { type CAC, cac } from "cac";
import { isOrchestratorError, OrchestratorError } from "../core/errors.ts";
import { releaseCodePagesWhenQuiet } from "../platform/code-pages.ts";
import { readEnv } from "../platform/env.ts";
import { normalJitAfterStart } from "../platform/jit.ts";
import { commandModuleFor, finishCli } from "./command-table.ts";
import { EXIT, exitCodeFor } from "./exit-codes.ts";
import { createOutput } from "./output.ts";

/**
 * How long a process waits without input before releasing the code pages its work touched
 * (platform/code-pages.ts). The first call after a release pays the page faults (~4 ms measured,
 * docs/performance.md "Idle memory"): 10 s keeps an agent's burst of calls from paying them
 * twice, while a server nobody calls idles small.
 */
const CODE_PAGES_QUIET_MS = 10_000;

/**
 * The CLI: argv → cac → a command's use-case. Returns the exit code (0 ok, 1 failed, 2 usage);
 * user errors become one line on stderr, with the stack only under --verbose.
 */
export async function main(argv: readonly string[]): Promise<number> {
  normalJitAfterStart();
  releaseCodePagesWhenQuiet(CODE_PAGES_QUIET_MS);
  const env = readEnv();
  const io = createOutput(env);
  const verbose = argv.includes("--verbose");
  let code: number = EXIT.OK;
  const setCode = (c: number): void => {
    code = c;
  };
  // Only the named command's module is loaded (cli/command-table.ts says why); anything else
  // gets every command, for the listing or the unknown-command error.
  const one = commandModuleFor(argv);

  try {
    let cli: CAC;
    if (one) {
      cli = cac("orchestrator");
      (await one.load())(cli, env, io, setCode);
      finishCli(cli);
    } else {
      cli = await (await import("./build-cli.ts")).buildCli(env, io, setCode);
    }
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
