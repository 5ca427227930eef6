import { OrchestratorError } from "../../core/errors.ts";
import { CLIENTS, type ClientId } from "../../install/clients.ts";
import { entryFor } from "../../install/run.ts";
import type { InstallEnv, Scope } from "../../install/types.ts";
import { cliCommandFor, runClientCommand } from "../../install/via-cli.ts";
import { EXIT } from "../exit-codes.ts";
import type { Output } from "../output.ts";
import { gateNoticeFor } from "./install-gates.ts";

/** `install --via-cli`: hands the entry to the client's own command (printed only with --dry-run). */
export function viaCli(
  io: Output,
  ids: readonly ClientId[],
  opts: {
    scope: Scope;
    projectDir?: string | undefined;
    dryRun: boolean;
    command: string;
    commandArgs: string[];
    /** For the trust or approval notice after a successful add. */
    env: InstallEnv;
    folder: string;
  },
): number {
  const unsupported = ids.filter((id) => !("cli" in CLIENTS[id]));
  if (unsupported.length > 0) {
    throw new OrchestratorError(
      "USAGE",
      `--via-cli works for claude-code, vscode, codex and gemini-cli; ${unsupported.join(", ")} ${unsupported.length === 1 ? "has" : "have"} no such command. Drop --via-cli to edit the config file (with a backup).`,
    );
  }
  let failed = false;
  for (const id of ids) {
    const entry = entryFor(id, opts);
    const argv = cliCommandFor(id, entry, opts.scope) ?? [];
    const shown = argv.map((a) => (/^[\w./:=-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(" ");
    if (opts.dryRun) {
      io.out(`~ ${id}: would run: ${shown}`);
      continue;
    }
    const r = runClientCommand(argv);
    failed ||= !r.ok;
    io.out(`${r.ok ? io.c.green("✓") : io.c.red("✗")} ${id}: ${r.message}`);
    const notice = r.ok ? gateNoticeFor(opts.env, id, opts.scope, opts.folder) : undefined;
    if (notice) io.out(io.c.cyan(`  ℹ ${notice}`));
  }
  return failed ? EXIT.FAILED : EXIT.OK;
}
