import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findProjectRoot } from "../../src/workspace/resolve.ts";
import { BINARY } from "../helpers/client.ts";

// The project around the current directory is found by walking up; a `.task_orchestrator` there
// wins. Anyone can create one in a shared folder (/tmp, /var/tmp): every project below silently
// became that folder, its data in a folder another user owns, and the system-folder wall
// (WORKSPACE_FORBIDDEN for /tmp, /var/tmp...) did not apply to a folder found this way.
const IS_ROOT = process.getuid?.() === 0;
const canUnshare = IS_ROOT && spawnSync("unshare", ["-m", "true"]).status === 0;

let base: string;
beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "orch-discovery-")));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe.skipIf(!IS_ROOT)("a data folder above the project's own root", () => {
  test("another user's is ignored; the user's own is used", () => {
    const project = join(base, "shared", "project");
    mkdirSync(join(project, ".git"), { recursive: true });
    mkdirSync(join(project, "src"));
    mkdirSync(join(base, "shared", ".task_orchestrator"));
    chownSync(join(base, "shared", ".task_orchestrator"), 65534, 65534);
    expect(findProjectRoot(join(project, "src"), "/nonexistent-home")).toBe(project);
    chownSync(join(base, "shared", ".task_orchestrator"), 0, 0);
    expect(findProjectRoot(join(project, "src"), "/nonexistent-home")).toBe(join(base, "shared"));
  });

  test("another user's at the project's own root still counts (it is the project's)", () => {
    const project = join(base, "project");
    mkdirSync(join(project, ".task_orchestrator"), { recursive: true });
    mkdirSync(join(project, "src"));
    chownSync(join(project, ".task_orchestrator"), 65534, 65534);
    expect(findProjectRoot(join(project, "src"), "/nonexistent-home")).toBe(project);
  });
});

test.skipIf(!canUnshare)(
  "a .task_orchestrator planted in /var/tmp does not make /var/tmp the workspace of projects below it",
  () => {
    // A private mount namespace with its own /var/tmp, so nothing outside the test sees it.
    const script = [
      "set -e",
      "mount -t tmpfs tmpfs /var/tmp",
      "mkdir -p /var/tmp/.task_orchestrator /var/tmp/project/.git",
      "cd /var/tmp/project",
      `"${BINARY}" status --json`,
    ].join("\n");
    const r = spawnSync("unshare", ["-m", "sh", "-c", script], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: base },
    });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).workspace).toBe("/var/tmp/project");
  },
);
