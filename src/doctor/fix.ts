import type { ClientId } from "../install/clients.ts";
import { installClients } from "../install/run.ts";
import type { Scope } from "../install/types.ts";
import type { DoctorContext } from "./context.ts";
import type { DoctorReport } from "./report.ts";

/**
 * `doctor --fix`: repairs what is safe and reversible. Today that is a client entry that runs a
 * missing or other orchestrator binary: it is rewritten to this binary through the installer's
 * pipeline, so the old file is backed up and `orchestrator rollback` undoes it.
 */
export async function applyFixes(ctx: DoctorContext, report: DoctorReport): Promise<DoctorReport["fixes"]> {
  const fixes: DoctorReport["fixes"] = [];
  for (const check of report.checks) {
    if (!check.fixable || check.status === "ok") continue;
    // Ids are `clients.<client>[.<scope>][.<n>]` (see findingId).
    const [, id, rawScope] = check.id.split(".") as [string, ClientId, string | undefined];
    const scope: Scope = rawScope === "project" || rawScope === "local" ? rawScope : "user";
    const [r] = await installClients(ctx.install, [id], {
      scope,
      projectDir: ctx.projectDir,
      dryRun: false,
      force: true,
      command: ctx.self.command,
      commandArgs: [...ctx.self.commandArgs],
      now: new Date().toISOString(),
    });
    const ok = r?.status === "applied" || r?.status === "unchanged";
    fixes.push({
      check: check.id,
      ok,
      result: ok
        ? `pointed the ${id} entry at ${ctx.self.command}${r?.backup ? ` (backup ${r.backup.id}; undo with 'orchestrator rollback --client ${id}')` : ""}`
        : `could not rewrite the ${id} entry: ${r?.message ?? "no result"}`,
    });
  }
  return fixes;
}
