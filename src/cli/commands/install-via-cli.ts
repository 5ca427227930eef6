import { OrchestratorError } from "../../core/errors.ts";
import type { ClientId } from "../../install/clients.ts";
import { entryFor } from "../../install/run.ts";
import type { InstallEnv, Scope } from "../../install/types.ts";
import { CLIENT_CLIS, cliCommandFor, runClientCommand } from "../../install/via-cli.ts";
import { EXIT } from "../exit-codes.ts";
import type { Output } from "../output.ts";
import { gateNoticeFor } from "./install-gates.ts";

/**
 * `install --via-cli`: hands the entry to each client's own command (printed only with
 * --dry-run). A client whose command cannot write the asked scope is returned in `viaFile`, each
 * with the notice to print, for the caller to install by editing the file: a scope other than
 * the one asked is never written.
 */
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
): { code: number; viaFile: { id: ClientId; notice: string }[] } {
  const unsupported = ids.filter((id) => CLIENT_CLIS[id] === undefined);
  if (unsupported.length > 0) {
    const withCli = Object.keys(CLIENT_CLIS).join(", ");
    throw new OrchestratorError(
      "USAGE",
      `--via-cli works for ${withCli}; ${unsupported.join(", ")} ${unsupported.length === 1 ? "has" : "have"} no such command. Drop --via-cli to edit the config file (with a backup).`,
    );
  }
  let failed = false;
  const viaFile: { id: ClientId; notice: string }[] = [];
  for (const id of ids) {
    const entry = entryFor(id, opts);
    const argv = cliCommandFor(id, entry, opts.scope);
    if (!argv) {
      const own = CLIENT_CLIS[id]?.argv(entry, "user")[0] ?? id;
      viaFile.push({
        id,
        notice: `'${own}' cannot write the ${opts.scope} scope (it writes only ${CLIENT_CLIS[id]?.scopes.join(", ")}), so the ${opts.scope} file was edited instead.`,
      });
      continue;
    }
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
  return { code: failed ? EXIT.FAILED : EXIT.OK, viaFile };
}
