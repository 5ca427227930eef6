import { afterAll, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { makeProject } from "../helpers/temp.ts";

const FIXTURE = join(import.meta.dir, "..", "fixtures", "open-store.ts");
const tmp = makeProject("orch-open-race-");
afterAll(() => tmp.cleanup());

function openIn(path: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [FIXTURE, path], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

// Several servers started at once on a fresh workspace all create and migrate the same file; the
// switch to WAL used to fail with "database is locked" for the losers (CI, 2026-11-24).
test("ten processes opening one new database at once all succeed", async () => {
  for (let round = 0; round < 6; round++) {
    const path = join(tmp.dir, `race-${round}.db`);
    const results = await Promise.all(Array.from({ length: 10 }, () => openIn(path)));
    expect(results.map((r) => r.stderr.trim())).toEqual(Array(10).fill(""));
    expect(results.map((r) => r.code)).toEqual(Array(10).fill(0));
  }
}, 30_000);
