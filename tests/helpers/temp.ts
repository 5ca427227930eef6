import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ON_POSTGRES } from "./test-store.ts";

/**
 * A fresh project folder (with a .git marker) under the system temp dir; removed by `cleanup`.
 * Under ORCHESTRATOR_TEST_STORE=postgres, `cleanup` first fails the test when the project's own
 * SQLite database exists: something ran on SQLite that should have run on PostgreSQL.
 */
export function makeProject(prefix = "orch-"): { dir: string; cleanup: () => void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  mkdirSync(join(dir, ".git"));
  return {
    dir,
    cleanup: () => {
      const sqlite = join(dir, ".task_orchestrator", "orchestrator.db");
      const fellBack = ON_POSTGRES && existsSync(sqlite);
      rmSync(dir, { recursive: true, force: true });
      if (fellBack) throw new Error(`${sqlite} was created under ORCHESTRATOR_TEST_STORE=postgres`);
    },
  };
}
