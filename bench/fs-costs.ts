/**
 * `bun bench/fs-costs.ts [folder…]`: what the file-system calls of an artifact's local copy cost
 * on this machine, per call, in the folders given (default: the temp folder, where the benches'
 * workspaces live). A copy is one mkdir (its task folder), one create + write + close (the temp
 * file), one rename, and a few lstats (the data-folder wall). Prints wall and CPU time (user +
 * system) per call, so a bench's figures can be read against the disk and kernel they ran on:
 * on the 2-core VM of docs/performance.md, creating a folder or a file on its ext4 disk costs
 * ~10× what it does on tmpfs. Each folder is measured twice, the second time right after the
 * first run's files and folders were deleted.
 */
import {
  closeSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { noteCleanup } from "./_util.ts";

const N = 2000;
const TEXT = Buffer.from("x".repeat(180));

function measure(root: string): Record<string, { wall_us: number; cpu_us: number }> {
  const out: Record<string, { wall_us: number; cpu_us: number }> = {};
  const time = (label: string, f: (i: number) => void) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) f(i);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    out[label] = {
      wall_us: Math.round((wall / N) * 10_000) / 10,
      cpu_us: Math.round(((cpu.user + cpu.system) / N) * 10) / 10,
    };
  };
  time("mkdir", (i) => mkdirSync(join(root, `d${i}`), { mode: 0o700 }));
  time("lstat (exists)", (i) => lstatSync(join(root, `d${i}`)));
  time("lstat (absent)", (i) => lstatSync(join(root, `none${i}`), { throwIfNoEntry: false }));
  time("create + write + close", (i) => {
    const fd = openSync(join(root, `d${i}`, ".a.tmp"), "wx", 0o600);
    writeSync(fd, TEXT);
    closeSync(fd);
  });
  time("rename", (i) => renameSync(join(root, `d${i}`, ".a.tmp"), join(root, `d${i}`, "a.md")));
  return out;
}

const folders = process.argv.slice(2);
for (const folder of folders.length > 0 ? folders : [tmpdir()]) {
  // Twice: the second run right after deleting the first one's 2 × N entries. On ext4 without a
  // journal a new inode skips those freed in the last 60–360 s, after looking each one up
  // (`recently_deleted()`), so creating right after a large delete costs more: why the benches
  // remove their workspaces only when a run ends (bench/_util.ts removeAtEnd) and the next run
  // waits for them to age out (bench/disk.ts settleDisk). This script's own deletes (8,000
  // inodes) make the next few minutes' figures of any bench on the same disk worse.
  for (const afterDeleting of [0, 2 * N]) {
    const root = mkdtempSync(join(folder, "orch-fs-costs-"));
    try {
      console.log(JSON.stringify({ folder, calls: N, after_deleting: afterDeleting, ...measure(root) }));
    } finally {
      rmSync(root, { recursive: true, force: true });
      noteCleanup();
    }
  }
}
