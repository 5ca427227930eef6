/**
 * The disk the benches' workspaces live on, as a bench's figures depend on it: what creating an
 * inode costs there now, and on ext4 without a journal, waiting until recent deletes stop
 * costing. There the kernel will not hand out an inode freed in the last 60 s (up to 360 s while
 * its inode-table block is still dirty): every allocation walks the group's free inodes from the
 * start and looks each recently freed one up in the buffer cache before skipping it
 * (`recently_deleted()` in fs/ext4/ialloc.c, only checked without a journal). After thousands of
 * deletes (a previous bench's workspaces, `rm -rf node_modules`) a mkdir or a create costs
 * 60–300 µs instead of ~20 µs for minutes, and a completion's artifact copy (a folder and a file)
 * becomes the largest part of the worker's time: docs/performance.md, "Issue 16's eleventh round".
 * The reference server rewrites one file and never allocates, so only our figures move with it.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve, sep } from "node:path";
import { benchCleanedUpAt, removeAtEnd, round } from "./_util.ts";

/** Below this mean µs per inode the disk counts as settled (BENCH_SETTLED_INODE_US to change). */
const SETTLED_INODE_US = Number(process.env.BENCH_SETTLED_INODE_US ?? 40);
/** The kernel's longest window: 60 s, plus 300 s while the inode table's block is dirty. */
const KERNEL_WINDOW_MS = 370_000;
/** The whole wait, at most: past the window, only deletes during the wait could still cost. */
const SETTLE_MAX_MS = 480_000;
const PROBE_EVERY_MS = 30_000;

/**
 * Mean µs to create one folder and one small file (as a completion's copy makes a folder and a
 * file), 25 of each in each of 4 fresh folders under `base`: a new folder may land in another
 * block group, and only some groups hold the freed inodes, so one folder's figure swings with
 * where it landed. The folders are removed when the run ends, with its workspaces: a probe that
 * deleted its own would add to what the next probe skips (the window is extended while the
 * inode table's block is dirty, and a probe dirties it), and probing every few seconds kept this
 * VM at twice its settled cost for five minutes.
 */
export function inodeCostUs(base: string = tmpdir()): number {
  const dirs = Array.from({ length: 4 }, () => mkdtempSync(join(base, "orch-disk-probe-")));
  for (const dir of dirs) removeAtEnd(dir);
  const t0 = performance.now();
  for (const dir of dirs)
    for (let i = 0; i < 25; i++) {
      mkdirSync(join(dir, `d${i}`));
      writeFileSync(join(dir, `f${i}`), "x");
    }
  return round(((performance.now() - t0) * 1000) / 200, 1);
}

/** The file system holding `path` (Linux: /proc/self/mountinfo), and whether it is ext4 without a journal. */
export function fileSystemOf(
  path: string,
): { mount: string; type: string; source: string; ext4NoJournal: boolean } | undefined {
  let info: string;
  try {
    info = readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return undefined;
  }
  const target = resolve(path);
  let best: { mount: string; type: string; source: string } | undefined;
  for (const line of info.split("\n")) {
    const [left, right] = line.split(" - ");
    const mount = left?.split(" ")[4];
    const [type, source] = right?.split(" ") ?? [];
    if (!mount || !type || !source) continue;
    const inside = target === mount || target.startsWith(mount === sep ? mount : mount + sep);
    if (inside && (!best || mount.length >= best.mount.length)) best = { mount, type, source };
  }
  if (!best) return undefined;
  let journaled = false;
  try {
    // /proc/fs/jbd2 has one entry per journal, named after the device (`vda-8`, `sda1-8`).
    journaled = readdirSync("/proc/fs/jbd2").some((j) => j.startsWith(`${basename(best.source)}-`));
  } catch {
    journaled = false;
  }
  return { ...best, ext4NoJournal: best.type === "ext4" && !journaled };
}

export interface DiskState {
  folder: string;
  file_system?: string;
  /** ext4 without a journal: the only case the kernel skips recently freed inodes, so the only one waited for. */
  recently_freed_inodes_skipped: boolean;
  inode_us_at_start: number;
  waited_s: number;
  inode_us: number;
  settled: boolean;
}

/**
 * Makes sure recent deletes no longer cost, where they can (ext4 without a journal): first until
 * the kernel's longest window has passed since the last bench run removed its workspaces (tens of
 * thousands of inodes: `benchCleanedUpAt`), then until two probes in a row cost at most
 * SETTLED_INODE_US (deletes by anything else), for at most SETTLE_MAX_MS in all. The probe alone
 * cannot tell: a probe's folders land in a few block groups and may miss those holding the freed
 * inodes (this VM: 31 µs, then 56 µs a minute later, three minutes after a cleanup).
 * BENCH_NO_SETTLE=1 only probes.
 */
export async function settleDisk(folder: string = tmpdir()): Promise<DiskState> {
  const fs = fileSystemOf(folder);
  const skipsFreed = fs?.ext4NoJournal ?? false;
  const first = inodeCostUs(folder);
  let us = first;
  const t0 = Date.now();
  if (skipsFreed && process.env.BENCH_NO_SETTLE !== "1") {
    const cleanedUp = benchCleanedUpAt();
    const windowLeft = cleanedUp === undefined ? 0 : cleanedUp + KERNEL_WINDOW_MS - t0;
    if (windowLeft > 0 || us > SETTLED_INODE_US) {
      console.log(
        `disk: ext4 without a journal under ${folder}, an inode costs ${us} µs (settled ≤ ${SETTLED_INODE_US})${windowLeft > 0 ? `, a bench removed its workspaces ${round((t0 - (cleanedUp ?? t0)) / 1000, 0)} s ago` : ""}: waiting for recent deletes to age out (at most ${SETTLE_MAX_MS / 1000} s; BENCH_NO_SETTLE=1 skips)`,
      );
      if (windowLeft > 0) await Bun.sleep(Math.min(windowLeft, SETTLE_MAX_MS));
      us = inodeCostUs(folder);
      // Two settled probes in a row: one can land only in groups that hold no freed inodes.
      let settledInARow = us <= SETTLED_INODE_US ? 1 : 0;
      while (settledInARow < 2 && Date.now() - t0 < SETTLE_MAX_MS) {
        await Bun.sleep(PROBE_EVERY_MS);
        us = inodeCostUs(folder);
        settledInARow = us <= SETTLED_INODE_US ? settledInARow + 1 : 0;
      }
      console.log(`disk: ${us} µs per inode after ${round((Date.now() - t0) / 1000, 0)} s`);
    }
  }
  return {
    folder,
    ...(fs ? { file_system: `${fs.type} on ${fs.source}${fs.ext4NoJournal ? " (no journal)" : ""}` } : {}),
    recently_freed_inodes_skipped: skipsFreed,
    inode_us_at_start: first,
    waited_s: round((Date.now() - t0) / 1000, 0),
    inode_us: us,
    settled: us <= SETTLED_INODE_US,
  };
}
