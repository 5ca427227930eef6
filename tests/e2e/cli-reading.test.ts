import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, openSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, callOk, connectBinary } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";
import { storeEnv } from "../helpers/test-store.ts";

// The reading CLI commands (export, status, doctor) against the compiled binary, with a workspace
// that holds one plan, made by the server.
let project: { dir: string; cleanup: () => void };
beforeAll(async () => {
  project = makeProject("orch-cli-read-");
  const c = await connectBinary({ cwd: project.dir });
  try {
    await callOk(c.client, "orchestrator_plan_task", {
      description: "Readable plan",
      subtasks: Array.from({ length: 40 }, (_, i) => ({ title: `step ${i}`, specialist_type: "tester" })),
    });
  } finally {
    await c.close();
  }
});
afterAll(() => project.cleanup());

function run(args: string[]) {
  return spawnSync(BINARY, args, {
    cwd: project.dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...storeEnv() },
  });
}

describe("export --out", () => {
  test("a new file is owner-only (0600), like the rest of the data", () => {
    const out = join(project.dir, "report.md");
    const r = run(["export", "--out", out]);
    expect(r.status).toBe(0);
    expect(readFileSync(out, "utf8")).toContain("Readable plan");
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  test("an existing file keeps its mode", () => {
    const out = join(project.dir, "shared.json");
    writeFileSync(out, "{}");
    chmodSync(out, 0o644);
    const r = run(["export", "--format", "json", "--out", out]);
    expect(r.status).toBe(0);
    expect(readFileSync(out, "utf8")).toContain("Readable plan");
    expect(statSync(out).mode & 0o777).toBe(0o644);
  });
});

/** Runs the binary with its stdout's reader closed before anything is written, as `| head -1` ends up. */
async function runToClosedReader(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(BINARY, args, {
    cwd: project.dir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...storeEnv() },
  });
  child.stdout.destroy();
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
  return { code, stderr };
}

describe("a closed stdout", () => {
  for (const args of [["status", "--all"], ["doctor"], ["export"]]) {
    test(`'${args.join(" ")}' ends quietly with its usual code, no EPIPE stack`, async () => {
      const r = await runToClosedReader(args);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(args[0] === "doctor" ? run(args).status : 0);
    });
  }

  // /dev/full: a device whose every write fails ENOSPC (Linux).
  test.skipIf(process.platform !== "linux")(
    "a stdout that cannot be written for another reason (a full disk) is one line and exit 1",
    () => {
      const r = spawnSync(BINARY, ["status", "--all"], {
        cwd: project.dir,
        encoding: "utf8",
        stdio: ["ignore", openSync("/dev/full", "w"), "pipe"],
        env: { ...process.env, ...storeEnv() },
      });
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split("\n")).toEqual([
        "orchestrator: cannot write the output: ENOSPC: no space left on device, write",
      ]);
    },
  );
});
