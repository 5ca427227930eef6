import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replaceFileSync, writeNewFileSync } from "../../src/platform/fs.ts";
import { SYNC_COPY_MAX_BYTES, writeCopySync } from "../../src/workspace/copy-writer.ts";
import { createDataFiles } from "../../src/workspace/data-files.ts";

let base: string;
let ws: string;
let artifacts: string;
beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "orch-copywriter-")));
  ws = join(base, "project");
  artifacts = join(ws, ".task_orchestrator", "artifacts");
  mkdirSync(artifacts, { recursive: true, mode: 0o700 });
});
afterEach(() => {
  chmodSync(artifacts, 0o700);
  rmSync(base, { recursive: true, force: true });
});

const modeOf = (p: string): number => statSync(p).mode & 0o7777;
const bytesOf = (s: string): Uint8Array => new TextEncoder().encode(s);
const posix = process.platform !== "win32";
const root = process.getuid?.() === 0;

describe("writeCopySync: an artifact's local copy", () => {
  test("into a new task folder (and a new plan folder): owner-only folders and file, the exact bytes, no temp file", () => {
    const abs = join(artifacts, "task_0000000a", "t_000001", "artifact_0000000b.md");
    writeCopySync(abs, bytesOf("# work\n"));
    expect(readFileSync(abs, "utf8")).toBe("# work\n");
    if (posix) {
      expect(modeOf(abs)).toBe(0o600);
      expect(modeOf(join(abs, ".."))).toBe(0o700);
      expect(modeOf(join(abs, "..", ".."))).toBe(0o700);
    }
    // A second task of the same plan: its plan folder exists, its own folder is new.
    const second = join(artifacts, "task_0000000a", "t_000002", "artifact_0000000c.md");
    writeCopySync(second, bytesOf("second"));
    expect(readFileSync(second, "utf8")).toBe("second");
    expect(readdirSync(join(abs, ".."))).toEqual(["artifact_0000000b.md"]);
  });

  test("into a folder that exists, over a file that exists: replaced whole, mode 0600 whatever the old one was", () => {
    const dir = join(artifacts, "task_0000000a", "t_000001");
    mkdirSync(dir, { recursive: true });
    const abs = join(dir, "artifact_0000000b.md");
    writeFileSync(abs, "an old, longer copy edited by hand");
    if (posix) chmodSync(abs, 0o644);
    writeCopySync(abs, bytesOf("new"));
    expect(readFileSync(abs, "utf8")).toBe("new");
    if (posix) expect(modeOf(abs)).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["artifact_0000000b.md"]);
    // And a new file next to it in that existing folder.
    writeCopySync(join(dir, "artifact_0000000c.md"), bytesOf("another"));
    expect(readFileSync(join(dir, "artifact_0000000c.md"), "utf8")).toBe("another");
  });

  test.skipIf(!posix || root)(
    "a folder that cannot be written: FILE_NOT_WRITABLE naming the folder at fault, nothing left behind",
    () => {
      chmodSync(artifacts, 0o555);
      const abs = join(artifacts, "task_0000000a", "t_000001", "artifact_0000000b.md");
      let thrown: unknown;
      try {
        writeCopySync(abs, bytesOf("x"));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toMatchObject({ code: "FILE_NOT_WRITABLE" });
      expect((thrown as Error).message).toContain(`${artifacts} is not writable (mode 0555`);
      expect(readdirSync(artifacts)).toEqual([]);
    },
  );
});

describe("the synchronous writers of platform/fs.ts", () => {
  test("writeNewFileSync creates with its mode and refuses an existing name (EEXIST), leaving it as it was", () => {
    const p = join(base, "new.md");
    writeNewFileSync(p, bytesOf("one"), 0o600);
    if (posix) expect(modeOf(p)).toBe(0o600);
    expect(() => writeNewFileSync(p, bytesOf("two"), 0o600)).toThrow(
      expect.objectContaining({ code: "EEXIST" }),
    );
    expect(readFileSync(p, "utf8")).toBe("one");
  });

  test.skipIf(!posix)(
    "a mode the umask would cut comes out exactly, and a large file is written whole",
    () => {
      const p = join(base, "open.md");
      const big = new Uint8Array(3 * 1024 * 1024).fill(97);
      writeNewFileSync(p, big, 0o666);
      expect(modeOf(p)).toBe(0o666);
      expect(statSync(p).size).toBe(big.length);
    },
  );

  test.skipIf(!posix)("replaceFileSync replaces a symlink, never writes through it", () => {
    writeFileSync(join(base, "elsewhere"), "untouched");
    symlinkSync(join(base, "elsewhere"), join(base, "target"));
    replaceFileSync(join(base, "target"), bytesOf("mine"), 0o600);
    expect(readFileSync(join(base, "elsewhere"), "utf8")).toBe("untouched");
    expect(readFileSync(join(base, "target"), "utf8")).toBe("mine");
    expect(readdirSync(base).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });
});

describe("copyLater through DataFiles", () => {
  test("small and large copies land with the same contents and modes, in the order queued", async () => {
    const files = createDataFiles(ws);
    const small = ".task_orchestrator/artifacts/task_0000000a/t_000001/artifact_0000000b.md";
    const large = ".task_orchestrator/artifacts/task_0000000a/t_000002/artifact_0000000c.md";
    const bigText = "x".repeat(SYNC_COPY_MAX_BYTES + 1);
    files.copyLater(small, bytesOf("first"));
    files.copyLater(large, bytesOf(bigText));
    // The same file again, later: the queue's order means the last one queued wins.
    files.copyLater(small, bytesOf("second"));
    await files.copiesSettled();
    expect(readFileSync(join(ws, small), "utf8")).toBe("second");
    expect(readFileSync(join(ws, large), "utf8")).toBe(bigText);
    if (posix) {
      expect(modeOf(join(ws, small))).toBe(0o600);
      expect(modeOf(join(ws, large))).toBe(0o600);
    }
    expect(files.copyFailures()).toEqual([]);
  });

  test("a copy that fails is reported until it is written, and a path outside the data folder is refused", async () => {
    const files = createDataFiles(ws);
    const path = ".task_orchestrator/artifacts/task_0000000a/t_000001/artifact_0000000b.md";
    // A file where the plan's folder should be (a permission error does not stop root).
    writeFileSync(join(artifacts, "task_0000000a"), "in the way");
    files.copyLater(path, bytesOf("x"));
    await files.copiesSettled();
    expect(files.copyFailures()).toEqual([
      expect.stringContaining(`the result is stored, but its local copy ${path} could not be written`),
    ]);
    rmSync(join(artifacts, "task_0000000a"));
    files.copyLater(path, bytesOf("x"));
    await files.copiesSettled();
    expect(files.copyFailures()).toEqual([]);
    expect(readFileSync(join(ws, path), "utf8")).toBe("x");

    if (!posix) return;
    symlinkSync(base, join(artifacts, "task_0000000b"));
    files.copyLater(".task_orchestrator/artifacts/task_0000000b/t_000001/artifact_0000000d.md", bytesOf("y"));
    await files.copiesSettled();
    expect(files.copyFailures()).toEqual([expect.stringContaining("Refused")]);
    expect(existsSync(join(base, "t_000001"))).toBe(false);
  });
});
