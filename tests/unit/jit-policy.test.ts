import { expect, test } from "bun:test";
import { normalJitAfterStart } from "../../src/platform/jit.ts";
import { WORKER_JIT_VAR, WORKER_PURGE_VAR, workerEnv } from "../../src/protocol/worker-env.ts";

// The binary starts with the JIT's tier-up thresholds scaled ×200 (scripts/build.ts) and relies on
// this call to come back to normal: were it gone from Bun, normalJitAfterStart would silently do
// nothing and a long-running server would stay mostly interpreted.
test("Bun still offers the call that restores the normal JIT policy after start", () => {
  expect(typeof (Bun as unknown as { unsafe: { setJITPolicy?: unknown } }).unsafe.setJITPolicy).toBe(
    "function",
  );
  expect(() => normalJitAfterStart()).not.toThrow();
});

const note = {
  connectionId: "c1",
  info: { supervisor_pid: 1, worker_generation: 1, restarts: 0, crash_restarts: 0, last_restart: null },
};

// Workers start with FTL off (protocol/worker-env.ts); a value the user set is theirs to keep.
test("a worker starts with JavaScriptCore's FTL tier off, unless the environment already chose", () => {
  expect(workerEnv({ PATH: "/bin" }, note)).toMatchObject({ PATH: "/bin", [WORKER_JIT_VAR]: "0" });
  expect(workerEnv({ [WORKER_JIT_VAR]: "1" }, note)[WORKER_JIT_VAR]).toBe("1");
  expect(WORKER_JIT_VAR).toBe("BUN_JSC_useFTLJIT");
});

// Workers keep freed memory 1 s before giving it back (protocol/worker-env.ts); the user's value wins.
test("a worker starts with the allocator's purge delay at 1 s, unless the environment already chose", () => {
  expect(workerEnv({ PATH: "/bin" }, note)).toMatchObject({ PATH: "/bin", [WORKER_PURGE_VAR]: "1000" });
  expect(workerEnv({ [WORKER_PURGE_VAR]: "10" }, note)[WORKER_PURGE_VAR]).toBe("10");
  expect(WORKER_PURGE_VAR).toBe("MIMALLOC_PURGE_DELAY");
});
