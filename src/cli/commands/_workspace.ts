import { existsSync } from "node:fs";
import type { AppContext } from "../../app/context.ts";
import { OrchestratorError } from "../../core/errors.ts";
import { systemClock } from "../../platform/clock.ts";
import type { Env } from "../../platform/env.ts";
import { isDatabaseUrl, parsePostgresUrl } from "../../store/postgres/url.ts";
import { databasePath } from "../../workspace/layout.ts";
import { checkDirectory, findProjectRoot } from "../../workspace/resolve.ts";

/** The workspace and database a CLI command works on: --workspace, ORCHESTRATOR_WORKSPACE, or the project around cwd. */
export function cliWorkspace(
  env: Env,
  flags: { workspace?: string; db?: string },
): { workspace: string; db: string | undefined; dbPath: string; exists: boolean } {
  const home = { cwd: env.cwd, homedir: env.homedir };
  const given = flags.workspace ?? env.vars.ORCHESTRATOR_WORKSPACE;
  const workspace = given
    ? checkDirectory(String(given), "--workspace", home)
    : findProjectRoot(env.cwd, env.homedir);
  if (!workspace) {
    throw new OrchestratorError(
      "WORKSPACE_UNRESOLVED",
      `${env.cwd} is not inside a project (no .git, package.json or .task_orchestrator above it). Run this in your project, or pass --workspace DIR.`,
    );
  }
  const dbFlag = flags.db ?? env.vars.ORCHESTRATOR_DB;
  const db = dbFlag ? String(dbFlag) : undefined;
  if (db !== undefined && isDatabaseUrl(db)) {
    // A server database is there or fails to open with its own named error; never a file check.
    return { workspace, db, dbPath: parsePostgresUrl(db).redacted, exists: true };
  }
  const dbPath = databasePath(workspace, db);
  return { workspace, db, dbPath, exists: existsSync(dbPath) };
}

/**
 * The use-case context of a CLI command (app/open-context.ts, as the server builds its own):
 * default settings, no ids drawn, no claims taken. `close` closes the store it opened.
 */
export async function openCliContext(
  workspace: string,
  db: string | undefined,
  opts: { readonly readOnly?: boolean } = {},
): Promise<{ ctx: AppContext; close: () => Promise<void> }> {
  const [{ openContext }, { StoreCache }, { createRoleLoader }, { DEFAULT_SETTINGS }] = await Promise.all([
    import("../../app/open-context.ts"),
    import("../../store/cache.ts"),
    import("../../workspace/roles.ts"),
    import("../../core/settings.ts"),
  ]);
  // A reading command can read a database this user cannot write (opened read-only, nothing created).
  const stores = new StoreCache({ readUnwritable: opts.readOnly === true });
  const ctx = await openContext(
    {
      db,
      settings: DEFAULT_SETTINGS,
      roleLoader: createRoleLoader(),
      stores,
      clock: systemClock,
      random: { hex: (n: number) => "0".repeat(n) },
    },
    workspace,
    opts,
  );
  return { ctx, close: () => stores.closeAll() };
}
