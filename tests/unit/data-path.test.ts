import { afterEach, beforeEach, expect, test } from "bun:test";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isOrchestratorError } from "../../src/core/errors.ts";
import {
  checkDataPath,
  databasePath,
  dataPath,
  ensureDataDir,
  seedRolesDir,
  storedDataPath,
} from "../../src/workspace/layout.ts";

let base: string;
let ws: string;
let outside: string;
beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "orch-datapath-")));
  ws = join(base, "project");
  outside = join(base, "outside");
  mkdirSync(join(ws, ".task_orchestrator", "artifacts"), { recursive: true });
  mkdirSync(outside);
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

function refused(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isOrchestratorError(e, "PATH_OUTSIDE_DATA_DIR")) return e.message;
    throw e;
  }
  throw new Error("not refused");
}

test("paths inside the data folder are joined, whether they exist yet or not", () => {
  expect(dataPath(ws, "artifacts", "task_1", "t_1", "artifact_1.md")).toBe(
    join(ws, ".task_orchestrator", "artifacts", "task_1", "t_1", "artifact_1.md"),
  );
  expect(dataPath(ws, "PLANS.md")).toBe(join(ws, ".task_orchestrator", "PLANS.md"));
  expect(storedDataPath(ws, ".task_orchestrator/artifacts/p/t/a.md")).toBe(
    join(ws, ".task_orchestrator", "artifacts", "p", "t", "a.md"),
  );
});

test("'..', absolute segments, the data folder itself, backslashes and NUL are refused", () => {
  expect(refused(() => dataPath(ws, "artifacts", "../.."))).toContain("outside");
  expect(refused(() => dataPath(ws, "artifacts", "../../../x"))).toContain("outside");
  refused(() => dataPath(ws, "artifacts", "..", ".."));
  refused(() => dataPath(ws, "/etc"));
  refused(() => dataPath(ws, "artifacts", ".."));
  refused(() => dataPath(ws));
  refused(() => dataPath(ws, "artifacts", "a\\..\\..\\b"));
  refused(() => dataPath(ws, "artifacts", "a\0b"));
  refused(() => storedDataPath(ws, "src/app.ts"));
  refused(() => storedDataPath(ws, ".task_orchestrator/../README.md"));
  refused(() => storedDataPath(ws, ".task_orchestrator"));
});

test("a symlinked subfolder that leads outside is refused, also for paths below it that do not exist", () => {
  symlinkSync(outside, join(ws, ".task_orchestrator", "artifacts", "task_evil"));
  const msg = refused(() => dataPath(ws, "artifacts", "task_evil", "t_1", "artifact_1.md"));
  expect(msg).toContain("symlink");
  refused(() => dataPath(ws, "artifacts", "task_evil"));
});

test("a dangling symlink on the way is refused (writing through it would create its target)", () => {
  symlinkSync(join(outside, "not-yet"), join(ws, ".task_orchestrator", "artifacts", "task_dangling"));
  expect(refused(() => dataPath(ws, "artifacts", "task_dangling", "x.md"))).toContain("points nowhere");
});

test("a symlink that stays inside the data folder is fine", () => {
  mkdirSync(join(ws, ".task_orchestrator", "artifacts", "real"));
  symlinkSync(
    join(ws, ".task_orchestrator", "artifacts", "real"),
    join(ws, ".task_orchestrator", "artifacts", "alias"),
  );
  expect("path" in checkDataPath(ws, "artifacts", "alias", "f.md")).toBe(true);
});

test("a data folder that is itself a symlink (a repository can ship one) is refused, also for the database", () => {
  // Pointing out of the workspace, at the workspace itself, or at a folder inside it: the writes
  // and deletes would land where the link says, not in a folder of ours.
  for (const [name, target] of [
    ["out", join(outside, "data")],
    ["self", "."],
    ["inside", "src"],
  ] as const) {
    const w = join(base, `project-${name}`);
    mkdirSync(join(w, "src"), { recursive: true });
    if (name === "out") mkdirSync(target, { recursive: true });
    symlinkSync(target, join(w, ".task_orchestrator"));
    expect(refused(() => dataPath(w, "artifacts", "p", "t", "a.md"))).toContain("must be a real folder");
    refused(() => databasePath(w, undefined));
    refused(() => ensureDataDir(w));
  }
  expect(existsSync(join(outside, "data", "artifacts"))).toBe(false);
});

test("an orchestrator.db that is a symlink out of the data folder is refused; --db is taken as given", () => {
  writeFileSync(join(outside, "other-app.db"), "");
  symlinkSync(join(outside, "other-app.db"), join(ws, ".task_orchestrator", "orchestrator.db"));
  expect(refused(() => databasePath(ws, undefined))).toContain("symlink");
  expect(databasePath(ws, join(outside, "shared.db"))).toBe(join(outside, "shared.db"));
});

test("a workspace reached through a symlink keeps working (only the data folder itself must be real)", () => {
  const alias = join(base, "alias");
  symlinkSync(ws, alias);
  expect(databasePath(alias, undefined)).toBe(join(alias, ".task_orchestrator", "orchestrator.db"));
});

test("seeding roles/ through a dangling roles link is refused by name, and creates nothing at its target", () => {
  symlinkSync(join(outside, "roles"), join(ws, ".task_orchestrator", "roles"));
  expect(refused(() => seedRolesDir(ws))).toContain("points nowhere");
  expect(existsSync(join(outside, "roles"))).toBe(false);
});

test("a data folder or subfolder swapped for a symlink after checks passed is refused by the next check", () => {
  // The checks of one session: the database, then an artifact in an existing plan folder.
  mkdirSync(join(ws, ".task_orchestrator", "artifacts", "p"));
  writeFileSync(join(ws, ".task_orchestrator", "orchestrator.db"), "");
  expect(databasePath(ws, undefined)).toBe(join(ws, ".task_orchestrator", "orchestrator.db"));
  expect("path" in checkDataPath(ws, "artifacts", "p", "t", "a.md")).toBe(true);
  // A plan folder replaced by a link out, mid-session.
  rmSync(join(ws, ".task_orchestrator", "artifacts", "p"), { recursive: true });
  symlinkSync(outside, join(ws, ".task_orchestrator", "artifacts", "p"));
  expect(refused(() => dataPath(ws, "artifacts", "p", "t", "a.md"))).toContain("symlink");
  // The whole data folder replaced by a link to a copy elsewhere (same names inside).
  mkdirSync(join(outside, "data", "artifacts"), { recursive: true });
  writeFileSync(join(outside, "data", "orchestrator.db"), "");
  rmSync(join(ws, ".task_orchestrator"), { recursive: true });
  symlinkSync(join(outside, "data"), join(ws, ".task_orchestrator"));
  expect(refused(() => databasePath(ws, undefined))).toContain("must be a real folder");
  expect(refused(() => dataPath(ws, "artifacts", "p", "t", "a.md"))).toContain("must be a real folder");
});

test("a file where a folder is expected gives the same answer as before, and nothing throws", () => {
  writeFileSync(join(ws, ".task_orchestrator", "artifacts", "p"), "not a folder");
  // Not a way out: the path is inside, writing there fails later with the file system's error.
  expect(checkDataPath(ws, "artifacts", "p", "t", "a.md")).toEqual({
    path: join(ws, ".task_orchestrator", "artifacts", "p", "t", "a.md"),
  });
});
