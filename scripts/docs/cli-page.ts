/** docs/reference/cli.md: the cac commands, their options and the exit codes. */

import { buildCli } from "../../src/cli/build-cli.ts";
import { EXIT } from "../../src/cli/exit-codes.ts";
import type { Output } from "../../src/cli/output.ts";
import { ERROR_CATALOGUE, type ErrorCode } from "../../src/core/errors.ts";
import type { Env } from "../../src/platform/env.ts";
import { code, fence, md, page, table } from "./markdown.ts";

const EXIT_MEANING: Readonly<Record<keyof typeof EXIT, string>> = {
  OK: "Success (for checks: nothing failed).",
  FAILED: "A check or operation failed.",
  USAGE: "Usage error: unknown command, bad flag or argument, or input that can never work.",
};

/** A fixed environment, so nothing about this machine leaks into the page. */
const DOCS_ENV: Env = {
  platform: "linux",
  homedir: "/home/you",
  cwd: "/home/you/project",
  execPath: "/usr/local/bin/orchestrator",
  entryScript: undefined,
  isCompiled: true,
  runtime: "bun",
  runtimeVersion: "0.0.0",
  vars: {},
};

const SILENT: Output = {
  color: false,
  out: () => {},
  err: () => {},
  c: {} as Output["c"],
};

export async function cliPage(): Promise<string> {
  const cli = await buildCli(DOCS_ENV, SILENT);
  const optionRows = (options: typeof cli.globalCommand.options): string[][] =>
    options.map((o) => [
      code(o.rawName),
      o.description,
      // cac gives a --no-x flag an implied default of true for x; the flag itself has none.
      !o.negated && o.config.default !== undefined ? code(JSON.stringify(o.config.default)) : "",
    ]);
  const overview = table(
    ["command", "description"],
    cli.commands.map((c) => [`[${code(c.name)}](#${c.name})`, c.description]),
  );
  const commands = cli.commands.map((c) =>
    [
      `## ${c.name}`,
      md(c.description),
      fence("sh", c.usageText ?? `orchestrator ${c.rawName}${c.options.length > 0 ? " [options]" : ""}`),
      c.options.length > 0
        ? table(["option", "description", "default"], optionRows(c.options))
        : "No options.",
    ].join("\n\n"),
  );
  const exitRows = (Object.keys(EXIT) as (keyof typeof EXIT)[]).map((k) => {
    const codes = (Object.keys(ERROR_CATALOGUE) as ErrorCode[]).filter(
      (e) => ERROR_CATALOGUE[e].exit === EXIT[k],
    );
    return [
      code(String(EXIT[k])),
      code(k),
      EXIT_MEANING[k],
      codes.map((e) => `[${code(e)}](errors.md#${e.toLowerCase()})`).join(", "),
    ];
  });
  return page(
    "Command line",
    "The `orchestrator` binary's commands, as registered with cac in `src/cli/main.ts`. Every command accepts the global options below.",
    [
      overview,
      "## Global options",
      table(["option", "description", "default"], optionRows(cli.globalCommand.options)),
      ...commands,
      "## Exit codes",
      "Errors print one line on stderr (`orchestrator: <message>`; the stack only with `--verbose`) and exit with the code the error catalogue gives.",
      table(["exit", "name", "meaning", "error codes"], exitRows),
    ],
  );
}
