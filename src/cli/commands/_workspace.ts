import { existsSync } from "node:fs";
import type { AppContext } from "../../app/context.ts";
import { OrchestratorError } from "../../core/errors.ts";
import type { Env } from "../../platform/env.ts";
import { databasePath } from "../../workspace/layout.ts";
import { checkDirectory, findProjectRoot } from "../../workspace/resolve.ts";

/** The workspace and database a CLI command works on: --workspace, ORCHESTRATOR_WORKSPACE, or the project around cwd. */
export function cliWorkspace(
  env: Env,
  flags: { workspace?: string; db?: string },
): { workspace: string; dbPath: string; exists: boolean } {
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
  const dbPath = databasePath(workspace, dbFlag ? String(dbFlag) : undefined);
  return { workspace, dbPath, exists: existsSync(dbPath) };
}

/** A read-only-use AppContext for CLI commands (no ids are drawn, no leases taken). */
export async function openCliContext(workspace: string, dbPath: string): Promise<AppContext> {
  const [{ openStore }, { createRoleLoader }, { DEFAULT_SETTINGS }, { createDataFiles }] = await Promise.all([
    import("../../store/open.ts"),
    import("../../workspace/roles.ts"),
    import("../../app/context.ts"),
    import("../../workspace/data-files.ts"),
  ]);
  const store = await openStore(dbPath);
  const loader = createRoleLoader();
  return {
    store,
    workspace,
    files: createDataFiles(workspace),
    clock: { now: () => new Date().toISOString() },
    random: { hex: (n: number) => "0".repeat(n) },
    settings: DEFAULT_SETTINGS,
    roles: () => loader.load(workspace),
  };
}
