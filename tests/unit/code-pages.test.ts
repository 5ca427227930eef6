import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { executableMappingsOf, releaseCodePages } from "../../src/platform/code-pages.ts";

const MAPS = [
  "55d0c0000000-55d0c1a40000 r--p 00000000 fd:01 1234   /opt/orchestrator bin/orchestrator",
  "55d0c1a40000-55d0c5e00000 r-xp 01a40000 fd:01 1234   /opt/orchestrator bin/orchestrator",
  "55d0c5e00000-55d0c6000000 rw-p 05e00000 fd:01 1234   /opt/orchestrator bin/orchestrator",
  "7f0000000000-7f0000100000 r-xp 00000000 fd:01 99     /usr/lib/x86_64-linux-gnu/libc.so.6",
  "7f0000200000-7f0000300000 rwxp 00000000 00:00 0 ",
  "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0      [stack]",
].join("\n");

describe("code pages", () => {
  test("only the executable mappings of the named file are released, never data or other files", () => {
    expect(executableMappingsOf(MAPS, "/opt/orchestrator bin/orchestrator")).toEqual([
      { start: 0x55d0c1a40000n, end: 0x55d0c5e00000n },
    ]);
    expect(executableMappingsOf(MAPS, "/opt/orchestrator")).toEqual([]);
    expect(executableMappingsOf("", "/opt/orchestrator bin/orchestrator")).toEqual([]);
  });

  test.if(process.platform === "linux")(
    "releasing drops this process's file-backed pages and the process runs on",
    async () => {
      const fileKb = (): number =>
        Number(/^RssFile:\s+(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? Number.NaN);
      const before = fileKb();
      const released = await releaseCodePages();
      const after = fileKb();
      expect(released).toBeGreaterThan(0);
      // The runtime's code pages this test process had touched are gone from its resident set
      // (what it runs next faults back in: some come back before the read above).
      expect(after).toBeLessThan(before - 4 * 1024);
      // Code runs on: the pages come back from the page cache as they are used.
      expect(JSON.parse(JSON.stringify({ ok: [1, 2, 3] }))).toEqual({ ok: [1, 2, 3] });
      expect(await releaseCodePages()).toBe(released);
    },
  );
});
