import type { Env } from "../../platform/env.ts";
import { settingsDbAllowed } from "../../workspace/allow-settings-db.ts";
import { ensureDataDir } from "../../workspace/layout.ts";
import { checkDirectory, findProjectRoot } from "../../workspace/resolve.ts";

/**
 * The database that holds the HTTP server's tokens: `--db` / ORCHESTRATOR_DB when given (the
 * team setup: one database for every project), else the database of `--workspace` /
 * ORCHESTRATOR_WORKSPACE or of the project around the current directory, chosen by the rule every
 * call follows (its settings' `db:` with ORCHESTRATOR_ALLOW_SETTINGS_DB). `token` and
 * `serve --http` share this rule, so a token created beside the server is the one it checks.
 * `create` makes the workspace's data folder when needed; undefined when there is no such database.
 */
export async function tokenDatabase(
  env: Env,
  flags: { readonly workspace?: string | undefined },
  /** `--db` / ORCHESTRATOR_DB, already checked (serve's checkDbPath). */
  db: string | undefined,
  opts: { readonly create: boolean },
): Promise<string | undefined> {
  if (db) return db;
  const home = { cwd: env.cwd, homedir: env.homedir };
  const given = flags.workspace ?? env.vars.ORCHESTRATOR_WORKSPACE;
  const workspace = given
    ? checkDirectory(String(given), "--workspace", home)
    : findProjectRoot(env.cwd, env.homedir);
  if (!workspace) return undefined;
  const [{ chooseDatabase }, { createSettingsLoader }] = await Promise.all([
    import("../../workspace/database-choice.ts"),
    import("../../workspace/settings.ts"),
  ]);
  const choice = chooseDatabase(workspace, {
    given: undefined,
    allowSettings: settingsDbAllowed(env.vars),
    settings: createSettingsLoader(),
  });
  if (opts.create && choice.source === "workspace") ensureDataDir(workspace);
  return choice.target;
}
