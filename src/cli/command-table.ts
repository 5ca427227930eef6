import type { CAC } from "cac";
import { BUILD_INFO } from "../build-info.ts";
import type { Env } from "../platform/env.ts";
import type { Output } from "./output.ts";

/** Registers one command module's commands on a cac instance (the same call build-cli.ts makes). */
export type RegisterCommands = (cli: CAC, env: Env, io: Output, setCode: (c: number) => void) => void;

/**
 * Which module registers each command, loaded only when that command runs. In the compiled
 * binary every module a static import reaches is evaluated at start; `serve`'s supervisor lives
 * as long as the client's session, and evaluating every command (SDK, zod schemas, Kysely, the
 * dashboard) cost it ~13 MiB of memory it never used (docs/performance.md, "Idle memory").
 * The full CLI (build-cli.ts: help, unknown commands, the docs) is built from this same table;
 * tests/unit/cli-lazy.test.ts holds that each module registers exactly the names listed here.
 */
export const COMMAND_MODULES: readonly {
  readonly names: readonly string[];
  readonly load: () => Promise<RegisterCommands>;
}[] = [
  {
    names: ["serve"],
    load: async () => {
      const { registerServeCommand } = await import("./commands/serve.ts");
      return (cli, env, _io, setCode) => registerServeCommand(cli, env, setCode);
    },
  },
  { names: ["status"], load: async () => (await import("./commands/status.ts")).registerStatusCommand },
  { names: ["export"], load: async () => (await import("./commands/export.ts")).registerExportCommand },
  {
    names: ["import-legacy"],
    load: async () => (await import("./commands/import.ts")).registerImportCommand,
  },
  {
    names: ["install", "uninstall"],
    load: async () => (await import("./commands/install.ts")).registerInstallCommands,
  },
  {
    names: ["validate", "backups", "rollback"],
    load: async () => (await import("./commands/backups.ts")).registerBackupCommands,
  },
  { names: ["doctor"], load: async () => (await import("./commands/doctor.ts")).registerDoctorCommand },
  { names: ["store"], load: async () => (await import("./commands/store.ts")).registerStoreCommand },
  { names: ["token"], load: async () => (await import("./commands/token.ts")).registerTokenCommand },
  { names: ["ui"], load: async () => (await import("./commands/ui.ts")).registerUiCommand },
  {
    names: ["connect"],
    load: async () => {
      const { registerConnectCommand } = await import("./commands/connect.ts");
      return (cli, env) => registerConnectCommand(cli, env);
    },
  },
  { names: ["version"], load: async () => (await import("./commands/version.ts")).registerVersionCommand },
];

/**
 * The module that registers the command `argv` names, or undefined when argv names none we know
 * (no command, `--help`, a typo): then every command is registered, for the listing or the error.
 * Only boolean global options (--verbose, --help, --version) may come before the command name.
 */
export function commandModuleFor(argv: readonly string[]): (typeof COMMAND_MODULES)[number] | undefined {
  const name = argv.find((a) => !a.startsWith("-"));
  if (name === undefined || argv.includes("--help") || argv.includes("-h")) return undefined;
  return COMMAND_MODULES.find((m) => m.names.includes(name));
}

/** The global options every command accepts, added last (the help lists them after the commands'). */
export function finishCli(cli: CAC): CAC {
  cli.option("--verbose", "Show stack traces for errors");
  cli.help();
  cli.version(BUILD_INFO.version);
  return cli;
}
