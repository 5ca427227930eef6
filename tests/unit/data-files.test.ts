import { afterEach, beforeEach, expect, test } from "bun:test";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 } from "../../src/platform/fs.ts";
import { createDataDirMemo, entryKind, lookAtDataDir } from "../../src/workspace/data-dir-look.ts";
import { createDataFiles } from "../../src/workspace/data-files.ts";

let base: string;
let ws: string;
beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "orch-datafiles-")));
  ws = join(base, "project");
  mkdirSync(join(ws, ".task_orchestrator", "artifacts"), { recursive: true });
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const ART = ".task_orchestrator/artifacts/task_0000000a/t_000001/artifact_0000000b.md";

test("an artifact's local copy is written owner-only, read back with its checksum, verified, and found missing", async () => {
  const files = createDataFiles(ws);
  const bytes = new TextEncoder().encode("# work\n");
  await files.writeArtifact(ART, bytes);
  const abs = join(ws, ART);
  if (process.platform !== "win32") {
    expect(statSync(abs).mode & 0o777).toBe(0o600);
    expect(statSync(join(abs, "..")).mode & 0o777).toBe(0o700);
  }
  expect(await files.readArtifact(ART)).toEqual({ text: "# work\n", sha256: sha256(bytes) });
  const recorded = { path: ART, size: bytes.length, sha256: sha256(bytes) };
  expect(files.verifyArtifact(recorded, true)).toEqual({ state: "intact" });
  expect(files.verifyArtifact({ ...recorded, sha256: "0" }, false)).toEqual({ state: "intact" });
  expect(files.verifyArtifact({ ...recorded, sha256: "0" }, true)).toEqual({ state: "altered" });
  expect(files.verifyArtifact({ ...recorded, size: 1 }, true)).toEqual({
    state: "resized",
    size: bytes.length,
  });
  rmSync(abs);
  expect(files.verifyArtifact(recorded, true)).toEqual({ state: "missing" });
  expect(await files.readArtifact(ART)).toMatchObject({ unreadable: "ENOENT" });
});

test("paths outside the data folder are refused before anything is touched", async () => {
  const files = createDataFiles(ws);
  const outside = ".task_orchestrator/../outside.md";
  await expect(files.writeArtifact(outside, new Uint8Array())).rejects.toMatchObject({
    code: "PATH_OUTSIDE_DATA_DIR",
  });
  await expect(files.readArtifact(outside)).rejects.toMatchObject({ code: "PATH_OUTSIDE_DATA_DIR" });
  expect(() => files.prepareRemoval([outside], { planId: "task_0000000a" })).toThrow();
  expect(files.verifyArtifact({ path: outside, size: 0, sha256: "" }, false).state).toBe("refused");
  expect(existsSync(join(base, "outside.md"))).toBe(false);
});

test("a prepared removal deletes the files and the folder only when run", async () => {
  const files = createDataFiles(ws);
  await files.writeArtifact(ART, new TextEncoder().encode("x"));
  const remove = files.prepareRemoval([ART], { planId: "task_0000000a", taskId: "t_000001" });
  expect(existsSync(join(ws, ART))).toBe(true);
  await remove();
  expect(existsSync(join(ws, ".task_orchestrator/artifacts/task_0000000a/t_000001"))).toBe(false);
  expect(existsSync(join(ws, ".task_orchestrator/artifacts/task_0000000a"))).toBe(true);
});

test("the artifacts folder lists ours, foreign files and symlinks; an orphan moves to orphaned/", async () => {
  const files = createDataFiles(ws);
  await files.writeArtifact(ART, new TextEncoder().encode("x"));
  writeFileSync(join(ws, ".task_orchestrator/artifacts/notes.txt"), "y");
  if (process.platform !== "win32") symlinkSync(base, join(ws, ".task_orchestrator/artifacts/link"));
  const listing = files.listArtifactFolder();
  if ("problem" in listing) throw new Error(listing.problem);
  const byPath = new Map(listing.files.map((f) => [f.path, f]));
  expect(byPath.get(ART)).toEqual({ path: ART, symlinkTo: null, ours: true });
  expect(byPath.get(".task_orchestrator/artifacts/notes.txt")?.ours).toBe(false);
  if (process.platform !== "win32")
    expect(byPath.get(".task_orchestrator/artifacts/link")?.symlinkTo).toBe(base);
  expect(Math.abs(Date.now() - files.modifiedMs(ART))).toBeLessThan(60_000);
  expect(await files.moveOrphan(ART)).toBe(
    ".task_orchestrator/orphaned/task_0000000a/t_000001/artifact_0000000b.md",
  );
  expect(
    existsSync(join(ws, ".task_orchestrator/orphaned/task_0000000a/t_000001/artifact_0000000b.md")),
  ).toBe(true);
  await expect(files.moveOrphan(".task_orchestrator/artifacts/never-listed.md")).rejects.toMatchObject({
    code: "PATH_OUTSIDE_DATA_DIR",
  });
});

test("a document is written at the top of the data folder and named by its stored path", async () => {
  const files = createDataFiles(ws);
  expect(await files.writeDocument("PLANS.md", "# Plans\n")).toBe(".task_orchestrator/PLANS.md");
  expect(statSync(join(ws, ".task_orchestrator/PLANS.md")).size).toBe(8);
});

test.skipIf(process.platform === "win32")(
  "a folder name holding a backslash is found as listed, and never moved out under another name",
  async () => {
    const files = createDataFiles(ws);
    const dir = join(ws, ".task_orchestrator/artifacts/task_0000000a\\t_000001");
    mkdirSync(dir);
    writeFileSync(join(dir, "artifact_0000000c.md"), "z");
    const listing = files.listArtifactFolder();
    if ("problem" in listing) throw new Error(listing.problem);
    const entry = listing.files.find((f) => f.path.endsWith("artifact_0000000c.md"))!;
    expect(entry.path).toBe(".task_orchestrator/artifacts/task_0000000a/t_000001/artifact_0000000c.md");
    expect(files.modifiedMs(entry.path)).toBeGreaterThan(0);
    await expect(files.moveOrphan(entry.path)).rejects.toMatchObject({ code: "PATH_OUTSIDE_DATA_DIR" });
    expect(existsSync(join(dir, "artifact_0000000c.md"))).toBe(true);
  },
);

test("through looks, a copy is checked by a look taken when it is written: artifacts/ swapped for a link after the call is refused", async () => {
  if (process.platform === "win32") return;
  const outside = join(base, "outside");
  mkdirSync(join(outside, "task_0000000a"), { recursive: true });
  mkdirSync(join(ws, ".task_orchestrator", "artifacts", "task_0000000a"));
  const memo = createDataDirMemo();
  // A clock 10 s ahead: the data folder counts as settled, so its entries are remembered by kind.
  const look = () => lookAtDataDir(memo, ws, Date.now() + 10_000);
  const callLook = look();
  expect(entryKind(callLook, "artifacts")).toBe("dir");
  const files = createDataFiles(ws, { looks: { now: callLook, again: look } });
  // The call's own check goes through its look (the data folder and artifacts/ as it saw them).
  expect(() => files.checkArtifactPath(ART)).not.toThrow();
  // After the call, artifacts/ becomes a link out, with the same plan folder at its target.
  rmSync(join(ws, ".task_orchestrator", "artifacts"), { recursive: true });
  symlinkSync(outside, join(ws, ".task_orchestrator", "artifacts"));
  files.copyLater(ART, new TextEncoder().encode("# work\n"));
  await files.copiesSettled();
  expect(existsSync(join(outside, "task_0000000a", "t_000001"))).toBe(false);
  const failures = files.copyFailures().join("\n");
  expect(failures).toContain("symlink");
  // A new call's look sees the link and refuses at once.
  const next = createDataFiles(ws, { looks: { now: look(), again: look } });
  expect(() => next.checkArtifactPath(ART)).toThrow(/symlink/);
});
