import { readFileSync, realpathSync } from "node:fs";
import { whenQuiet } from "./activity.ts";
import { detectRuntime } from "./env.ts";

/**
 * Most of an idle orchestrator process's resident memory is not its data but pages of the
 * runtime's own machine code (the executable's `r-xp` mapping: 28 of the supervisor's 42 MiB,
 * docs/performance.md, "Idle memory"). Starting touches far more of that code (parsing,
 * module loading, the compilers) than a process waiting on a pipe needs, and the kernel maps
 * neighbouring cached pages on each fault, so the set stays large long after start.
 *
 * `MADV_DONTNEED` on that mapping drops those pages from this process's page tables. They are
 * clean, unmodified file pages: they stay in the page cache (shared with every other process
 * of the binary) and the next use faults them back in from there, as the kernel would after
 * reclaiming them under memory pressure. Only the executable mapping is released, never a
 * writable one or a read-only one (relocated data is read-only but not the file's bytes).
 */

/** `MADV_DONTNEED` on Linux (all architectures Bun builds for). */
const MADV_DONTNEED = 4;

/** One `r-xp` mapping of a file, as /proc/self/maps lists it. */
export interface CodeMapping {
  readonly start: bigint;
  readonly end: bigint;
}

/** The executable mappings of `file` in a /proc/<pid>/maps text. */
export function executableMappingsOf(maps: string, file: string): CodeMapping[] {
  const out: CodeMapping[] = [];
  for (const line of maps.split("\n")) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) r-xp [0-9a-f]+ \S+ \d+\s+(.+)$/.exec(line);
    if (m?.[3] !== file) continue;
    out.push({ start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`) });
  }
  return out;
}

type Madvise = (addr: bigint, length: bigint, advice: number) => number;

let madvise: Madvise | null | undefined;

/** libc's madvise through bun:ffi, or null where that cannot be had (not Bun, not glibc/musl Linux). */
async function loadMadvise(): Promise<Madvise | null> {
  if (madvise !== undefined) return madvise;
  madvise = null;
  if (process.platform !== "linux" || detectRuntime() !== "bun") return null;
  try {
    const { dlopen, FFIType } = await import("bun:ffi");
    for (const name of ["libc.so.6", "libc.so", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1"]) {
      try {
        const lib = dlopen(name, {
          madvise: { args: [FFIType.u64, FFIType.u64, FFIType.i32], returns: FFIType.i32 },
        });
        const fn = lib.symbols.madvise as unknown as Madvise;
        madvise = fn;
        return fn;
      } catch {
        // Try the next name.
      }
    }
  } catch {
    // No FFI in this runtime: nothing to release.
  }
  return null;
}

/**
 * Releases this process's resident pages of its executable's code; returns the bytes advised, 0
 * where that is not possible. Never throws: it is an optimisation.
 */
export async function releaseCodePages(): Promise<number> {
  try {
    const advise = await loadMadvise();
    if (!advise) return 0;
    const exe = realpathSync("/proc/self/exe");
    let bytes = 0n;
    for (const m of executableMappingsOf(readFileSync("/proc/self/maps", "utf8"), exe)) {
      if (advise(m.start, m.end - m.start, MADV_DONTNEED) === 0) bytes += m.end - m.start;
    }
    return Number(bytes);
  } catch {
    return 0;
  }
}

let armed = false;

/**
 * From now on, releases the code pages whenever the process has been quiet for `quietMs`
 * (platform/activity.ts: no input), so a busy process is never interrupted and a process that
 * goes quiet again sheds what its work paged in.
 */
export function releaseCodePagesWhenQuiet(quietMs: number): void {
  if (armed) return;
  armed = true;
  whenQuiet(quietMs, () => void releaseCodePages(), { repeat: true });
}
