import { expect, test } from "bun:test";
import { normalJitAfterStart } from "../../src/platform/jit.ts";

// The binary starts with the JIT's tier-up thresholds scaled ×200 (scripts/build.ts) and relies on
// this call to come back to normal: were it gone from Bun, normalJitAfterStart would silently do
// nothing and a long-running server would stay mostly interpreted.
test("Bun still offers the call that restores the normal JIT policy after start", () => {
  expect(typeof (Bun as unknown as { unsafe: { setJITPolicy?: unknown } }).unsafe.setJITPolicy).toBe(
    "function",
  );
  expect(() => normalJitAfterStart()).not.toThrow();
});
