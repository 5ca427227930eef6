import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DATA_DIR } from "../core/artifact.ts";
import { OrchestratorError } from "../core/errors.ts";
import { ROLES_SEED_YAML } from "../core/roles/builtin.ts";

/** `<workspace>/.task_orchestrator`. */
export function dataDir(workspace: string): string {
  return join(workspace, DATA_DIR);
}

/** The database for a workspace: `--db` when given, else `<workspace>/.task_orchestrator/orchestrator.db`. */
export function databasePath(workspace: string, sharedDb: string | undefined): string {
  return sharedDb ?? join(dataDir(workspace), "orchestrator.db");
}

/** Creates `.task_orchestrator/` and `artifacts/`; throws WORKSPACE_NOT_WRITABLE when it cannot. */
export function ensureDataDir(workspace: string): void {
  try {
    mkdirSync(join(dataDir(workspace), "artifacts"), { recursive: true });
  } catch (cause) {
    throw new OrchestratorError(
      "WORKSPACE_NOT_WRITABLE",
      `Cannot create ${dataDir(workspace)}: ${(cause as Error).message}. Check the folder's permissions.`,
      { cause, data: { workspace } },
    );
  }
}

/** Creates `roles/` with a commented example file when it does not exist yet. Returns true if it did. */
export function seedRolesDir(workspace: string): boolean {
  const dir = join(dataDir(workspace), "roles");
  if (existsSync(dir)) return false;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "custom_roles.yaml"), ROLES_SEED_YAML, { flag: "wx" });
  return true;
}
