import { afterEach, beforeEach, expect, test } from "bun:test";
import {
  mkdirSync,
  mkdtempSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isOrchestratorError } from "../../src/core/errors.ts";
import {
  createDataDirMemo,
  type DataDirMemo,
  entryKind,
  isWorkspaceFolder,
  lookAtDataDir,
  SETTLED_MS,
} from "../../src/workspace/data-dir-look.ts";
import { databasePath } from "../../src/workspace/layout.ts";
import { createRoleLoader } from "../../src/workspace/roles.ts";
import { createSettingsLoader } from "../../src/workspace/settings.ts";

let base: string;
let ws: string;
let data: string;
let memo: DataDirMemo;
beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "orch-dirlook-")));
  ws = join(base, "project");
  data = join(ws, ".task_orchestrator");
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, "orchestrator.db"), "");
  memo = createDataDirMemo();
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** A look as if taken once the folder's last change is old enough to trust. */
const settledLook = () => lookAtDataDir(memo, ws, Date.now() + SETTLED_MS + 1_000);

test("a settled data folder vouches for the entries recorded under it", () => {
  const first = settledLook();
  expect(first.kind).toBe("dir");
  expect(first.known("orchestrator.db")).toBeUndefined();
  expect(entryKind(first, "orchestrator.db")).toBe("other");
  expect(entryKind(first, "settings.yaml")).toBe("absent");
  const next = settledLook();
  expect(next.known("orchestrator.db")).toBe("other");
  expect(next.known("settings.yaml")).toBe("absent");
});

test("a folder changed within the last moments vouches for nothing (its ctime may not move again)", () => {
  const now = lookAtDataDir(memo, ws, Date.now());
  entryKind(now, "settings.yaml");
  expect(lookAtDataDir(memo, ws, Date.now()).known("settings.yaml")).toBeUndefined();
  expect(settledLook().known("settings.yaml")).toBeUndefined();
});

test("any entry made, removed or renamed in the folder ends what was recorded", () => {
  entryKind(settledLook(), "settings.yaml");
  writeFileSync(join(data, "settings.yaml"), "lease: 2m\n");
  expect(settledLook().known("settings.yaml")).toBeUndefined();

  entryKind(settledLook(), "roles");
  expect(settledLook().known("roles")).toBe("absent");
  mkdirSync(join(data, "roles"));
  expect(settledLook().known("roles")).toBeUndefined();

  entryKind(settledLook(), "orchestrator.db");
  renameSync(join(data, "orchestrator.db"), join(data, "moved.db"));
  expect(settledLook().known("orchestrator.db")).toBeUndefined();
});

test("a database swapped for a symlink is refused by the next look, whatever was recorded", () => {
  const outside = join(base, "elsewhere.db");
  writeFileSync(outside, "");
  expect(databasePath(ws, undefined, settledLook())).toBe(join(data, "orchestrator.db"));
  expect(settledLook().known("orchestrator.db")).toBe("other");
  unlinkSync(join(data, "orchestrator.db"));
  symlinkSync(outside, join(data, "orchestrator.db"));
  let refused: unknown;
  try {
    databasePath(ws, undefined, settledLook());
  } catch (e) {
    refused = e;
  }
  expect(isOrchestratorError(refused, "PATH_OUTSIDE_DATA_DIR")).toBe(true);
});

test("a data folder that is a symlink vouches for nothing and the wall refuses it", () => {
  rmSync(data, { recursive: true });
  mkdirSync(join(base, "other"));
  symlinkSync(join(base, "other"), data);
  const look = settledLook();
  expect(look.kind).toBe("link");
  expect(entryKind(look, "orchestrator.db")).toBe("absent");
  expect(settledLook().known("orchestrator.db")).toBeUndefined();
  expect(() => databasePath(ws, undefined, look)).toThrow(/symlink/);
});

test("the workspace is a folder when anything is found in it; else its own stat says", () => {
  expect(isWorkspaceFolder(settledLook())).toBe(true);
  rmSync(data, { recursive: true });
  expect(isWorkspaceFolder(settledLook())).toBe(true);
  rmSync(ws, { recursive: true });
  expect(isWorkspaceFolder(settledLook())).toBe(false);
  writeFileSync(ws, "a file");
  expect(isWorkspaceFolder(settledLook())).toBe(false);
});

test("settings and roles: no file read while the folder proves them absent; a new one applies at once", () => {
  const settings = createSettingsLoader();
  const roles = createRoleLoader();
  expect(settings.snapshot(ws, settledLook()).load(ws)).toEqual({});
  expect(roles.load(ws, settledLook()).files).toEqual([]);
  const look = settledLook();
  expect(look.known("settings.yaml")).toBe("absent");
  expect(look.known("roles")).toBe("absent");

  writeFileSync(join(data, "settings.yaml"), "lease: 2m\n");
  mkdirSync(join(data, "roles"));
  writeFileSync(join(data, "roles", "mine.yaml"), "reviewer_2:\n  role_definition: r\n");
  expect(settings.snapshot(ws, settledLook()).load(ws)).toEqual({ leaseMs: 120_000 });
  expect(roles.load(ws, settledLook()).files).toEqual([".task_orchestrator/roles/mine.yaml"]);
});

test("a dangling settings.yaml link is not recorded as absent: its target may appear", () => {
  symlinkSync(join(base, "later.yaml"), join(data, "settings.yaml"));
  const settings = createSettingsLoader();
  expect(settings.snapshot(ws, settledLook()).load(ws)).toEqual({});
  writeFileSync(join(base, "later.yaml"), "lease: 3m\n");
  expect(settings.snapshot(ws, settledLook()).load(ws)).toEqual({ leaseMs: 180_000 });
});
