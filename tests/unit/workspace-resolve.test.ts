import { describe, expect, test } from "bun:test";
import { mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { isOrchestratorError } from "../../src/core/errors.ts";
import { checkDirectory } from "../../src/workspace/resolve.ts";
import { systemFolderOf } from "../../src/workspace/system-folders.ts";
import { makeProject } from "../helpers/temp.ts";

describe("system folders are never a workspace", () => {
  test.each([
    ["/etc", "/etc"],
    ["/etc/nginx", "/etc"],
    ["/dev", "/dev"],
    ["/dev/shm/x", "/dev"],
    ["/proc/1", "/proc"],
    ["/usr/local/src/app", "/usr"],
    ["/var", "/var"],
    ["/var/lib/postgresql", "/var/lib"],
    ["/tmp", "/tmp"],
    ["/tmp/", "/tmp"],
    ["/home", "/home"],
    ["/private/etc/hosts", "/private/etc"],
  ])("posix %s is refused (%s)", (path, folder) => {
    expect(systemFolderOf(path, "linux")).toBe(folder);
  });

  test.each([
    "/var/www/site",
    "/srv/app",
    "/tmp/checkout",
    "/opt/tool",
    "/home/me/project",
    "/Users/me/x",
    "/work",
  ])("posix %s is a user's project and allowed", (path) => {
    expect(systemFolderOf(path, "linux")).toBeUndefined();
  });

  test.each([
    ["C:\\Windows", "C:\\Windows"],
    ["c:\\windows\\System32", "c:\\Windows"],
    ["D:\\Program Files\\App", "D:\\Program Files"],
    ["C:\\ProgramData\\x", "C:\\ProgramData"],
    ["C:\\Users", "C:\\Users"],
  ])("windows %s is refused", (path, folder) => {
    expect(systemFolderOf(path, "win32")).toBe(folder);
  });

  test.each(["C:\\Users\\me\\project", "D:\\src\\app", "C:\\WindowsApps-not-really\\x"])(
    "windows %s is allowed",
    (path) => {
      expect(systemFolderOf(path, "win32")).toBeUndefined();
    },
  );
});

describe("checkDirectory", () => {
  const c = { cwd: "/", homedir: "/nonexistent-home" };

  test("a relative working_directory is refused with what to pass instead; a CLI flag resolves it", () => {
    const p = makeProject();
    try {
      let err: unknown;
      try {
        checkDirectory(".", "working_directory", { cwd: p.dir, homedir: c.homedir, absoluteOnly: true });
      } catch (e) {
        err = e;
      }
      expect(isOrchestratorError(err, "INVALID_INPUT")).toBe(true);
      expect((err as Error).message).toContain("relative path");
      expect(checkDirectory(".", "--workspace", { cwd: p.dir, homedir: c.homedir })).toBe(p.dir);
    } finally {
      p.cleanup();
    }
  });

  test("a malformed file:// URI is INVALID_INPUT, a good one is followed", () => {
    for (const bad of ["file://%zz", "file:///tmp/%2Fx"]) {
      let err: unknown;
      try {
        checkDirectory(bad, "working_directory", c);
      } catch (e) {
        err = e;
      }
      expect(isOrchestratorError(err, "INVALID_INPUT")).toBe(true);
      expect((err as Error).message).toContain("not a valid file:// URI");
    }
    const p = makeProject();
    try {
      const spaced = join(p.dir, "my project");
      mkdirSync(spaced);
      expect(checkDirectory(`file://${encodeURI(spaced)}`, "root", c)).toBe(realpathSync(spaced));
    } finally {
      p.cleanup();
    }
  });

  test("/etc is refused as WORKSPACE_FORBIDDEN naming it a system folder", () => {
    let err: unknown;
    try {
      checkDirectory("/etc", "working_directory", c);
    } catch (e) {
      err = e;
    }
    expect(isOrchestratorError(err, "WORKSPACE_FORBIDDEN")).toBe(true);
    expect((err as Error).message).toContain("operating-system folder");
  });
});
