import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { DATA_DIR } from "../core/artifact.ts";
import { OrchestratorError } from "../core/errors.ts";
import type { ArtifactFileState, ArtifactFolderEntry, DataFiles } from "../core/ports.ts";
import { atomicWriteFile, sha256 } from "../platform/fs.ts";
import { SYNC_COPY_MAX_BYTES, writeCopySync } from "./copy-writer.ts";
import type { DataDirLook } from "./data-dir-look.ts";
import {
  checkDataPath,
  checkStoredDataPath,
  dataPath,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  storedDataPath,
} from "./layout.ts";
import { copiesSettled, copyFailures, forgetCopyFailures, queueCopy } from "./local-copies.ts";

const PRIVATE = { mode: PRIVATE_FILE_MODE, dirMode: PRIVATE_DIR_MODE } as const;

/**
 * Files this orchestrator writes under artifacts/: <plan>/<task>/artifact_<8 hex>.md, and the temp
 * files of an interrupted atomic write next to them (.<name>.<pid>.<hex>.tmp).
 */
const OUR_ARTIFACT_FILE =
  /^[^/]+\/[^/]+\/(artifact_[0-9a-f]{8}\.md|\.artifact_[0-9a-f]{8}\.md\.\d+\.[0-9a-f]+\.tmp)$/;

/** How long health_check, validate_structure and a restore wait for copies queued before them. */
const SETTLE_MS = 10_000;

/**
 * The data-folder files of one workspace on the local disk. Every path goes through
 * `dataPath`/`storedDataPath`, the one wall that keeps reads, writes and deletes inside
 * `.task_orchestrator/`. `copyDelayMs`: a test hook holding back queued copies.
 */
export function createDataFiles(
  workspace: string,
  opts: {
    readonly copyDelayMs?: number | undefined;
    /**
     * Looks at the data folder (data-dir-look.ts) for the wall's checks: `now` is the call's own,
     * `again` takes a fresh one, for a copy written after the answer. The same wall with fewer
     * `lstat`s: the data folder's own is the look's, and `artifacts/` is not looked at again while
     * the data folder provably has not changed (statx per state change at 8 in flight 4.05 → 2.57).
     */
    readonly looks?: { readonly now: DataDirLook; readonly again: () => DataDirLook } | undefined;
  } = {},
): DataFiles {
  const root = join(workspace, DATA_DIR) + sep;
  const settled = async (path?: string): Promise<void> => {
    await copiesSettled(path === undefined ? root : dirname(join(workspace, path)) + sep, SETTLE_MS);
  };
  const toPosix = (abs: string): string => relative(workspace, abs).replaceAll("\\", "/");
  // Listed paths → the files they name. A POSIX name may hold a backslash, which the listed
  // (slash-separated) path cannot tell from a folder, so later calls use what was found.
  const listed = new Map<string, { root: string; file: string }>();
  const listedFile = (path: string): { root: string; file: string } => {
    const found = listed.get(path);
    if (!found) {
      throw new OrchestratorError(
        "PATH_OUTSIDE_DATA_DIR",
        `Refused ${JSON.stringify(path)}: it was not listed in ${DATA_DIR}/artifacts.`,
        {
          data: { path },
        },
      );
    }
    return found;
  };
  return {
    async writeArtifact(path, bytes): Promise<void> {
      await atomicWriteFile(storedDataPath(workspace, path), bytes, { ...PRIVATE, durable: false });
      const abs = join(workspace, path);
      forgetCopyFailures((failed) => failed === abs);
    },

    copyLater(path, bytes) {
      // The wall is checked when the copy is written, right before its folder is created, through
      // a look taken then (never the call's: the copy may be written long after it).
      const at = () => storedDataPath(workspace, path, opts.looks?.again());
      const write =
        bytes.length <= SYNC_COPY_MAX_BYTES
          ? () => writeCopySync(at(), bytes)
          : () => atomicWriteFile(at(), bytes, { ...PRIVATE, durable: false });
      queueCopy(join(workspace, path), write, {
        bytes: bytes.length,
        delayMs: opts.copyDelayMs,
        describe: (reason) =>
          `the result is stored, but its local copy ${path} could not be written (${reason}); it is written again by the next execute_subtask of a dependent, or by validate_structure with repair: true.`,
      });
    },

    copiesSettled: settled,

    copyFailures: () => copyFailures(root),

    checkArtifactPath(path) {
      storedDataPath(workspace, path, opts.looks?.now);
    },

    async readArtifact(path) {
      const abs = storedDataPath(workspace, path);
      let bytes: Buffer;
      try {
        bytes = await readFile(abs);
      } catch (cause) {
        return { unreadable: (cause as NodeJS.ErrnoException).code ?? "error", cause };
      }
      return { text: bytes.toString("utf8"), sha256: sha256(bytes) };
    },

    prepareRemoval(files, folder) {
      const paths = files.map((f) => storedDataPath(workspace, f));
      const dir =
        folder.taskId === undefined
          ? dataPath(workspace, "artifacts", folder.planId)
          : dataPath(workspace, "artifacts", folder.planId, folder.taskId);
      return async () => {
        // A copy still queued into the folder would create it again after the removal.
        await copiesSettled(dir + sep, SETTLE_MS);
        for (const p of paths) await rm(p, { force: true });
        await rm(dir, { recursive: true, force: true });
        forgetCopyFailures((abs) => abs.startsWith(dir + sep));
      };
    },

    verifyArtifact(artifact, deep): ArtifactFileState {
      const checked = checkStoredDataPath(workspace, artifact.path);
      if ("problem" in checked) return { state: "refused", problem: checked.problem };
      if (!existsSync(checked.path)) return { state: "missing" };
      const size = statSync(checked.path).size;
      if (size !== artifact.size) return { state: "resized", size };
      // Reading every file costs; a size check alone catches most changes.
      if (deep && sha256(readFileSync(checked.path)) !== artifact.sha256) return { state: "altered" };
      return { state: "intact" };
    },

    listArtifactFolder() {
      const root = checkDataPath(workspace, "artifacts");
      if ("problem" in root) return { problem: root.problem };
      listed.clear();
      const files = listFiles(root.path).map(({ path, symlink }): ArtifactFolderEntry => {
        listed.set(toPosix(path), { root: root.path, file: path });
        return {
          path: toPosix(path),
          symlinkTo: symlink ? safeReadlink(path) : null,
          ours: OUR_ARTIFACT_FILE.test(relative(root.path, path).replaceAll("\\", "/")),
        };
      });
      return { files };
    },

    modifiedMs(path) {
      return statSync(listedFile(path).file).mtimeMs;
    },

    async moveOrphan(path) {
      const { root, file } = listedFile(path);
      const target = dataPath(workspace, "orphaned", ...relative(root, file).split(sep));
      await mkdir(dirname(target), { recursive: true, mode: PRIVATE_DIR_MODE });
      await rename(file, target);
      return toPosix(target);
    },

    async writeDocument(name, text) {
      await atomicWriteFile(dataPath(workspace, name), text, PRIVATE);
      return `${DATA_DIR}/${name}`;
    },
  };
}

/** Every file under `dir`; symlinks are listed as such, never followed. */
function listFiles(dir: string): { path: string; symlink: boolean }[] {
  if (!existsSync(dir)) return [];
  const out: { path: string; symlink: boolean }[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else out.push({ path: p, symlink: e.isSymbolicLink() });
  }
  return out;
}

function safeReadlink(p: string): string {
  try {
    return readlinkSync(p);
  } catch {
    return "?";
  }
}
