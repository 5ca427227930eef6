import { expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { holderGone, thisHost } from "../../src/platform/process.ts";

test("a claim holder is gone only when it ran on this host and no such process exists", async () => {
  const child = spawn("true", [], { stdio: "ignore" });
  await once(child, "exit");
  const dead = child.pid!;
  expect(holderGone({ host: thisHost(), pid: dead })).toBe(true);
  expect(holderGone({ host: `${thisHost()}-elsewhere`, pid: dead })).toBe(false);
  expect(holderGone({ host: thisHost(), pid: process.pid })).toBe(false);
  // Another user's process (EPERM for a non-root user) is alive, not gone.
  expect(holderGone({ host: thisHost(), pid: 1 })).toBe(false);
  expect(holderGone({ host: thisHost(), pid: -1 })).toBe(false);
});
