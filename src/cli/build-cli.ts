import { type CAC, cac } from "cac";
import type { Env } from "../platform/env.ts";
import { finishCli } from "./command-table.ts";
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
import type { Output } from "./output.ts";

/**
 * Every command and global option, registered on a fresh cac instance: for the help listing, an
 * unknown command, and the generated CLI reference (scripts/gen-docs.ts). A run of one named
 * command loads only that command's module instead (cli/command-table.ts, held equal to this by
 * tests/unit/cli-lazy.test.ts), so `serve`'s supervisor does not evaluate the whole program.
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
  return finishCli(cli);
}
