import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { OrchestratorError } from "../../core/errors.ts";
import type { Env } from "../../platform/env.ts";
import { databasePath, ensureDataDir } from "../../workspace/layout.ts";
import { checkDirectory, findProjectRoot } from "../../workspace/resolve.ts";

/** `--db`: an existing folder's database file, as an absolute path; a usage error otherwise. */
export function checkDbPath(input: string, cwd: string): string {
  const abs = resolve(cwd, input);
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    throw new OrchestratorError(
      "USAGE",
      `--db ${input} is a folder; pass the path of a database file, e.g. ${abs}/orchestrator.db.`,
    );
  }
  if (!existsSync(dirname(abs))) {
    throw new OrchestratorError(
      "USAGE",
      `--db ${input}: the folder ${dirname(abs)} does not exist; create it first or choose another path.`,
    );
  }
  return abs;
}

/**
 * The database that holds the HTTP server's tokens: `--db` / ORCHESTRATOR_DB when given (the
 * team setup: one database for every project), else the database of `--workspace` /
 * ORCHESTRATOR_WORKSPACE or of the project around the current directory. `token` and
 * `serve --http` share this rule, so a token created beside the server is the one it checks.
 * `create` makes the workspace's data folder when needed; undefined when there is no such database.
 */
export function tokenDatabase(
  env: Env,
  flags: { readonly workspace?: string | undefined; readonly db?: string | undefined },
  opts: { readonly create: boolean },
): string | undefined {
  const dbFlag = flags.db ?? env.vars.ORCHESTRATOR_DB;
  if (dbFlag) return checkDbPath(String(dbFlag), env.cwd);
  const home = { cwd: env.cwd, homedir: env.homedir };
  const given = flags.workspace ?? env.vars.ORCHESTRATOR_WORKSPACE;
  const workspace = given
    ? checkDirectory(String(given), "--workspace", home)
    : findProjectRoot(env.cwd, env.homedir);
  if (!workspace) return undefined;
  if (opts.create) ensureDataDir(workspace);
  return databasePath(workspace, undefined);
}
