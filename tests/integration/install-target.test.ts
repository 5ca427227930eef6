import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isInside, isLexicallyInside, realTarget } from "../../src/install/target.ts";

// Where a config write really lands, on a real temp folder with real symlinks.
let root: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "orch-target-")));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("realTarget", () => {
  test("a plain path, existing or not, is itself", async () => {
    writeFileSync(join(root, "a.json"), "{}");
    expect(await realTarget(join(root, "a.json"))).toBe(join(root, "a.json"));
    expect(await realTarget(join(root, "new", "b.json"))).toBe(join(root, "new", "b.json"));
  });

  test("a symlinked folder anywhere above the file is resolved", async () => {
    mkdirSync(join(root, "real", "sub"), { recursive: true });
    symlinkSync(join(root, "real"), join(root, "link"));
    expect(await realTarget(join(root, "link", "sub", "mcp.json"))).toBe(
      join(root, "real", "sub", "mcp.json"),
    );
  });

  test("a dangling link (relative, chained) resolves to the file it would create", async () => {
    mkdirSync(join(root, "cfg"));
    symlinkSync("../dot/mcp.json", join(root, "cfg", "first"));
    symlinkSync(join(root, "cfg", "first"), join(root, "cfg", "mcp.json"));
    expect(await realTarget(join(root, "cfg", "mcp.json"))).toBe(join(root, "dot", "mcp.json"));
  });

  test("a symlink loop is an error, not a hang", async () => {
    symlinkSync(join(root, "b"), join(root, "a"));
    symlinkSync(join(root, "a"), join(root, "b"));
    await expect(realTarget(join(root, "a"))).rejects.toThrow("too many levels");
  });

  test("inside: real paths for the target, as written for the configured path", async () => {
    expect(await isInside(join(root, "x", "y"), root)).toBe(true);
    expect(await isInside(root, root)).toBe(false);
    expect(await isInside("/etc/passwd", root)).toBe(false);
    expect(isLexicallyInside(join(root, "..", "elsewhere"), root)).toBe(false);
    expect(isLexicallyInside(join(root, ".cursor", "mcp.json"), root)).toBe(true);
  });
});
