/**
 * The compiled binary starts with JavaScriptCore's JIT tier-up thresholds scaled up
 * (scripts/build.ts, `--compile-jit-policy`): what runs at start (module evaluation, building
 * zod schemas and the MCP server) runs once, and compiling it only pulled the optimizing
 * compilers' code into memory (~3 MiB per process, docs/performance.md, "Idle memory").
 * Once the start is over the normal policy comes back, so hot request paths still optimize.
 */
const START_MS = 1_000;

/** Restores the normal JIT policy shortly after start; a no-op outside Bun or where unsupported. */
export function normalJitAfterStart(): void {
  const unsafe = (globalThis as { Bun?: { unsafe?: { setJITPolicy?: (scale: number) => void } } }).Bun
    ?.unsafe;
  if (typeof unsafe?.setJITPolicy !== "function") return;
  const setPolicy = unsafe.setJITPolicy.bind(unsafe);
  // unref: a short command must not wait for it.
  setTimeout(() => setPolicy(1), START_MS).unref();
}
