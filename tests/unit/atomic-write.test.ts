import { afterEach, beforeEach, expect, test } from "bun:test";
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { atomicWriteFile } from "../../src/platform/fs.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "orch-atomic-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (p: string) => statSync(p).mode & 0o7777;

test.skipIf(process.platform === "win32")(
  "modes come out exactly: one the umask leaves alone, one it would cut, and an existing file's own",
  async () => {
    // 0600 passes any usual umask untouched (no chmod needed); 0666 loses bits to every usual one.
    await atomicWriteFile(join(dir, "private"), "a", { mode: 0o600, durable: false });
    expect(modeOf(join(dir, "private"))).toBe(0o600);
    await atomicWriteFile(join(dir, "open"), "b", { mode: 0o666 });
    expect(modeOf(join(dir, "open"))).toBe(0o666);
    writeFileSync(join(dir, "kept"), "old");
    chmodSync(join(dir, "kept"), 0o640);
    await atomicWriteFile(join(dir, "kept"), "new", { createMode: 0o600 });
    expect(modeOf(join(dir, "kept"))).toBe(0o640);
    expect(readFileSync(join(dir, "kept"), "utf8")).toBe("new");
    // Missing folders are made; no temp file is left behind.
    await atomicWriteFile(join(dir, "a", "b", "c.md"), "deep", { mode: 0o600, dirMode: 0o700 });
    expect(modeOf(join(dir, "a", "b", "c.md"))).toBe(0o600);
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  },
);

test.skipIf(process.platform === "win32")(
  "the target being a symlink is replaced, never written through",
  async () => {
    writeFileSync(join(dir, "elsewhere"), "untouched");
    symlinkSync(join(dir, "elsewhere"), join(dir, "target"));
    await atomicWriteFile(join(dir, "target"), "mine", { mode: 0o600 });
    expect(readFileSync(join(dir, "elsewhere"), "utf8")).toBe("untouched");
    expect(readFileSync(join(dir, "target"), "utf8")).toBe("mine");
  },
);
