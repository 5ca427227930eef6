import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DATA_DIR } from "../core/artifact.ts";
import { OrchestratorError } from "../core/errors.ts";
import { ROLES_SEED_YAML } from "../core/roles/builtin.ts";
import { writeErrorOf } from "../platform/fs.ts";

/** `<workspace>/.task_orchestrator`. */
export function dataDir(workspace: string): string {
  return join(workspace, DATA_DIR);
}

/** The database for a workspace: `--db` when given, else `<workspace>/.task_orchestrator/orchestrator.db`. */
export function databasePath(workspace: string, sharedDb: string | undefined): string {
  return sharedDb ?? join(dataDir(workspace), "orchestrator.db");
}

/**
 * Creates `.task_orchestrator/` and `artifacts/` with mode 0700: plans and agents' output are not
 * for other local users. Folders that exist keep their mode (doctor warns when it is looser).
 * Throws WORKSPACE_NOT_WRITABLE (or DISK_FULL) when it cannot.
 */
export function ensureDataDir(workspace: string): void {
  try {
    mkdirSync(join(dataDir(workspace), "artifacts"), { recursive: true, mode: DATA_DIR_MODE });
  } catch (cause) {
    const full = (cause as NodeJS.ErrnoException).code === "ENOSPC";
    throw new OrchestratorError(
      full ? "DISK_FULL" : "WORKSPACE_NOT_WRITABLE",
      `Cannot create ${dataDir(workspace)}: ${(cause as Error).message}. ${full ? "Free space on that disk." : "Check the folder's permissions."}`,
      { cause, data: { workspace } },
    );
  }
}

/** The mode of the folders the orchestrator creates: owner only. */
export const DATA_DIR_MODE = 0o700;

/** Creates `roles/` with a commented example file when it does not exist yet. Returns true if it did. */
export function seedRolesDir(workspace: string): boolean {
  const dir = join(dataDir(workspace), "roles");
  if (existsSync(dir)) return false;
  const file = join(dir, "custom_roles.yaml");
  try {
    mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
    writeFileSync(file, ROLES_SEED_YAML, { flag: "wx" });
  } catch (e) {
    throw writeErrorOf(e, file);
  }
  return true;
}
