import { type CAC, cac } from "cac";
import type { Env } from "../platform/env.ts";
import { COMMAND_MODULES, finishCli } from "./command-table.ts";
import type { Output } from "./output.ts";

/**
 * Every command and global option, registered on a fresh cac instance: for the help listing, an
 * unknown command, and the generated CLI reference (scripts/gen-docs.ts). It loads every module
 * of the one command table, in its order; a run of one named command loads only that command's
 * module instead (cli/command-table.ts), so `serve`'s supervisor does not evaluate the whole program.
 */
export async function buildCli(env: Env, io: Output, setCode: (c: number) => void = () => {}): Promise<CAC> {
  const cli = cac("orchestrator");
  for (const m of COMMAND_MODULES) (await m.load())(cli, env, io, setCode);
  return finishCli(cli);
}
