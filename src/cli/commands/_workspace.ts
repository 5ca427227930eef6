import { existsSync } from "node:fs";
import type { AppContext } from "../../app/context.ts";
import { OrchestratorError } from "../../core/errors.ts";
import { systemClock } from "../../platform/clock.ts";
import type { Env } from "../../platform/env.ts";
import { isDatabaseUrl, parsePostgresUrl } from "../../store/postgres/url.ts";
import { settingsDbAllowed } from "../../workspace/allow-settings-db.ts";
import type { DatabaseChoice } from "../../workspace/database-choice.ts";
import { checkDirectory, findProjectRoot } from "../../workspace/resolve.ts";

/** What a CLI command works on: the workspace, the store chosen for it, and whether that store exists. */
export interface CliWorkspace {
  readonly workspace: string;
  /** `--db` / ORCHESTRATOR_DB as given (undefined: the workspace's store rule applies). */
  readonly db: string | undefined;
  /** The store the workspace's calls use (workspace/database-choice.ts), as the server chooses it. */
  readonly database: DatabaseChoice;
  readonly allowSettingsDb: boolean;
  /** The store's file, or its URL without the password. */
  readonly dbPath: string;
  readonly exists: boolean;
}

/**
 * The workspace and database a CLI command works on: --workspace, ORCHESTRATOR_WORKSPACE, or the
 * project around cwd; the store by the server's rule (--db, ORCHESTRATOR_DB, the settings' `db:`
 * when ORCHESTRATOR_ALLOW_SETTINGS_DB is set, the workspace's own file).
 */
export async function cliWorkspace(
  env: Env,
  flags: { workspace?: string; db?: string },
): Promise<CliWorkspace> {
  const workspace = cliWorkspaceFolder(env, flags);
  const dbFlag = flags.db ?? env.vars.ORCHESTRATOR_DB;
  const db = dbFlag ? String(dbFlag) : undefined;
  const [{ chooseDatabase }, { createSettingsLoader }] = await Promise.all([
    import("../../workspace/database-choice.ts"),
    import("../../workspace/settings.ts"),
  ]);
  const allowSettingsDb = settingsDbAllowed(env.vars);
  const database = chooseDatabase(workspace, {
    given: db,
    allowSettings: allowSettingsDb,
    settings: createSettingsLoader(),
  });
  const base = { workspace, db, database, allowSettingsDb };
  if (isDatabaseUrl(database.target)) {
    // A server database is there or fails to open with its own named error; never a file check.
    return { ...base, dbPath: parsePostgresUrl(database.target).redacted, exists: true };
  }
  return { ...base, dbPath: database.target, exists: existsSync(database.target) };
}

/** The workspace folder alone: --workspace, ORCHESTRATOR_WORKSPACE, or the project around cwd. */
export function cliWorkspaceFolder(env: Env, flags: { workspace?: string }): string {
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
  return workspace;
}

/**
 * The use-case context of a CLI command (app/open-context.ts, as the server builds its own):
 * default settings, no ids drawn, no claims taken. `close` closes the store it opened.
 */
export async function openCliContext(
  where: Pick<CliWorkspace, "workspace" | "db" | "allowSettingsDb">,
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
      db: where.db,
      allowSettingsDb: where.allowSettingsDb,
      settings: DEFAULT_SETTINGS,
      roleLoader: createRoleLoader(),
      stores,
      clock: systemClock,
      random: { hex: (n: number) => "0".repeat(n) },
    },
    where.workspace,
    opts,
  );
  return { ctx, close: () => stores.closeAll() };
}
