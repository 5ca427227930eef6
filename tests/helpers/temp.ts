import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh project folder (with a .git marker) under the system temp dir; removed by `cleanup`. */
export function makeProject(prefix = "orch-"): { dir: string; cleanup: () => void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  mkdirSync(join(dir, ".git"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
