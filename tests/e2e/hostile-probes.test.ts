import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY } from "../helpers/client.ts";

// doctor and validate start the command a config names: a hostile one (ignores SIGTERM, leaves a
// child running, prints without end) must not stall them, outlive them or fill memory or disk.
let home: string;
let tmp: string;
beforeEach(() => {
  home = realpathSync(mkdtempSync(join(tmpdir(), "orch-hostile-")));
  tmp = join(home, "tmp");
  mkdirSync(tmp);
});
afterEach(() => {
  // Whatever a failed run left behind must not outlive the test either.
  for (const pid of [...pidsFrom("leader.pid"), ...pidsFrom("grandchild.pid")]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
  rmSync(home, { recursive: true, force: true });
});

/** Runs the binary and resolves on its exit event (no timing assertions: the test timeout bounds it). */
function runAsync(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(BINARY, args, {
      cwd: home,
      env: { HOME: home, PATH: process.env.PATH ?? "", TMPDIR: tmp, ORCHESTRATOR_HOME: join(home, ".d") },
      stdio: ["ignore", "pipe", "ignore"],
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.on("exit", (code) => resolve({ code, stdout }));
  });
}

/** A hostile script registered as our entry: named like the binary, so validate probes it too. */
function entry(body: string): void {
  mkdirSync(join(home, "evil"), { recursive: true });
  const p = join(home, "evil", "orchestrator");
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  mkdirSync(join(home, ".cursor"), { recursive: true });
  writeFileSync(
    join(home, ".cursor", "mcp.json"),
    JSON.stringify({ mcpServers: { "task-orchestrator": { command: p, args: ["serve"] } } }),
  );
}

/** Alive and not a zombie (a killed child of an init that does not reap stays `Z`). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (!existsSync(`/proc/${pid}/stat`)) return true;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
}

/** Every pid a script appended to `name` (one per probe that ran it). */
function pidsFrom(name: string): number[] {
  const file = join(home, name);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter(Boolean).map(Number);
}

/** SIGKILL takes effect asynchronously: polls until every pid named is dead (3 s at most). */
async function expectAllGone(name: string): Promise<void> {
  const pids = pidsFrom(name);
  expect(pids.length).toBeGreaterThan(0);
  const deadline = Date.now() + 3_000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(pids.filter(alive)).toEqual([]);
}

function bytesUnder(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
  }
  return total;
}

const STUBBORN = `echo $$ >> "$HOME/leader.pid"\ntrap '' TERM\nwhile :; do sleep 1; done`;
const SPEWING = `sleep 1000 &\necho $! >> "$HOME/grandchild.pid"\nexec yes`;

describe.skipIf(process.platform === "win32")("probes of a hostile configured command", () => {
  test("doctor returns although the command ignores SIGTERM, and kills it", async () => {
    entry(STUBBORN);
    const r = await runAsync(["doctor", "--json", "--client", "cursor", "--timeout", "1s"]);
    expect(r.code).toBe(1);
    const live = JSON.parse(r.stdout).checks.find((c: { id: string }) => c.id === "live.cursor");
    expect(live.detail).toContain("no answer to initialize within 1000 ms");
    await expectAllGone("leader.pid");
  }, 30_000);

  test("validate returns although the command ignores SIGTERM, and kills it", async () => {
    entry(STUBBORN);
    const r = await runAsync(["validate", "--client", "cursor", "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).clients[0].problems[0]).toContain("no answer within");
    await expectAllGone("leader.pid");
  }, 30_000);

  test("validate stops a command that prints without end, and the child it left behind", async () => {
    entry(SPEWING);
    const r = await runAsync(["validate", "--client", "cursor", "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).clients[0].problems[0]).toContain("wrote more than 1048576 bytes to stdout");
    await expectAllGone("grandchild.pid");
    // Output went through a capped pipe, not into a temp file.
    expect(bytesUnder(tmp)).toBeLessThan(1024 * 1024);
  }, 30_000);

  test("validate does not run an entry that is not an orchestrator (a repository's config could say anything)", async () => {
    mkdirSync(join(home, ".cursor"), { recursive: true });
    const marker = join(home, "ran");
    writeFileSync(
      join(home, ".cursor", "mcp.json"),
      JSON.stringify({
        mcpServers: {
          "task-orchestrator": { command: "/bin/sh", args: ["-c", `touch '${marker}'`, "serve"] },
        },
      }),
    );
    const r = await runAsync(["validate", "--client", "cursor", "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).clients[0].problems.join(" ")).toContain("does not run 'orchestrator serve'");
    expect(existsSync(marker)).toBe(false);
  }, 30_000);

  test("doctor stops both probes of such a command and the child it left behind", async () => {
    entry(SPEWING);
    const r = await runAsync(["doctor", "--json", "--client", "cursor", "--timeout", "2s"]);
    expect(r.code).toBe(1);
    const checks = JSON.parse(r.stdout).checks as { id: string; detail: string }[];
    expect(checks.find((c) => c.id === "live.cursor")?.detail).toContain("non-protocol output");
    await expectAllGone("grandchild.pid");
    expect(bytesUnder(tmp)).toBeLessThan(1024 * 1024);
  }, 30_000);
});
