import { describe, expect, test } from "bun:test";
import { cac } from "cac";
import { buildCli } from "../../src/cli/build-cli.ts";
import { COMMAND_MODULES, commandModuleFor, finishCli } from "../../src/cli/command-table.ts";
import type { Output } from "../../src/cli/output.ts";
import { readEnv } from "../../src/platform/env.ts";

const SILENT: Output = { color: false, out: () => {}, err: () => {}, c: {} as Output["c"] };
const env = readEnv();

/** What a registered command looks like to a user: its usage, description and options. */
const shape = (cli: ReturnType<typeof cac>) =>
  cli.commands.map((c) => ({
    name: c.name,
    rawName: c.rawName,
    description: c.description,
    options: c.options.map((o) => [o.rawName, o.description, o.config.default]),
  }));

describe("the CLI loads only the command it runs (cli/command-table.ts)", () => {
  test("every command of the full CLI is in the table, registered by its module exactly as in the full CLI", async () => {
    const full = shape(await buildCli(env, SILENT));
    const lazy: ReturnType<typeof shape> = [];
    for (const m of COMMAND_MODULES) {
      const cli = cac("orchestrator");
      (await m.load())(cli, env, SILENT, () => {});
      const registered = shape(finishCli(cli));
      // The table names each command its module registers, no more and no fewer.
      expect(registered.map((c) => c.name)).toEqual([...m.names]);
      lazy.push(...registered);
    }
    expect(lazy).toEqual(full);
  });

  test("the global options are the same either way", async () => {
    const cli = cac("orchestrator");
    (await COMMAND_MODULES[0]!.load())(cli, env, SILENT, () => {});
    const opts = (c: ReturnType<typeof cac>) => c.globalCommand.options.map((o) => o.rawName);
    expect(opts(finishCli(cli))).toEqual(opts(await buildCli(env, SILENT)));
  });

  test("a named command picks its module; help, no command and unknown names get every command", () => {
    expect(commandModuleFor(["serve", "--workspace", "x"])?.names).toEqual(["serve"]);
    expect(commandModuleFor(["--verbose", "uninstall", "--client", "cursor"])?.names).toContain("uninstall");
    expect(commandModuleFor(["rollback"])?.names).toContain("rollback");
    expect(commandModuleFor([])).toBeUndefined();
    expect(commandModuleFor(["--version"])).toBeUndefined();
    expect(commandModuleFor(["serve", "--help"])).toBeUndefined();
    expect(commandModuleFor(["servee"])).toBeUndefined();
  });
});
