import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { runProbe, startProbe } from "../../src/platform/probe.ts";

// The one helper that starts configured commands, against real processes.

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

/** SIGKILL takes effect asynchronously: polls until the pid is dead, false if not within `ms`. */
async function gone(pid: number, ms = 3_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return !alive(pid);
}

const sh = (script: string, timeoutMs = 5_000, maxOutputBytes?: number) =>
  runProbe({
    command: "/bin/sh",
    args: ["-c", script],
    timeoutMs,
    ...(maxOutputBytes ? { maxOutputBytes } : {}),
  });

describe.skipIf(process.platform === "win32")("runProbe / startProbe", () => {
  test("all the output of a command that exits at once is read", async () => {
    const r = await sh("head -c 300000 /dev/zero | tr '\\0' x; echo; echo err >&2; exit 3");
    expect(r.end).toEqual({ kind: "exit", code: 3, signal: null });
    expect(r.stdout.length).toBe(300_001);
    expect(r.stderr).toBe("err\n");
  });

  test("a command that ignores SIGTERM is killed at the deadline", async () => {
    const r = await sh("trap '' TERM; echo $$; while :; do sleep 1; done", 300);
    expect(r.end.kind).toBe("timeout");
    expect(await gone(Number(r.stdout.trim()))).toBe(true);
  });

  test("output past the cap stops the command", async () => {
    const r = await sh("yes", 5_000, 64 * 1024);
    expect(r.end).toEqual({ kind: "output_cap", stream: "stdout", bytes: 64 * 1024 });
    expect(r.stdout.length).toBeLessThanOrEqual(64 * 1024);
  });

  test("a child left running when the command exits is killed with it", async () => {
    const r = await sh("sleep 1000 > /dev/null 2>&1 & echo $!");
    expect(r.end).toEqual({ kind: "exit", code: 0, signal: null });
    expect(await gone(Number(r.stdout.trim()))).toBe(true);
  });

  test("a child holding the pipe open does not hold the probe past its exit", async () => {
    const r = await sh("sleep 1000 & echo $!");
    expect(r.end.kind).toBe("exit");
    expect(await gone(Number(r.stdout.trim()))).toBe(true);
  });

  test("stop() ends it at once, and a missing command is an error", async () => {
    const p = startProbe({ command: "/bin/sh", args: ["-c", "sleep 1000"], timeoutMs: 60_000 });
    p.stop();
    expect(await p.ended).toEqual({ kind: "stopped" });
    const missing = await runProbe({ command: "/nonexistent/cmd", args: [], timeoutMs: 5_000 });
    expect(missing.end.kind).toBe("error");
  });
});
