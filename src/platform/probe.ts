import { type ChildProcess, spawn } from "node:child_process";

/**
 * Starting a command a config file names (doctor's live handshake, validate's version probe):
 * the command is untrusted, so it must not be able to outlive us, stall us or fill memory or disk.
 * Each probe runs in its own process group (POSIX) so the command and everything it started die
 * together with one SIGKILL: at the deadline, after its output cap, and after it exits (a
 * background child it left must not keep running). Output goes through pipes that we read and
 * cap, never to a file a leftover child could keep filling.
 */

/** Output kept per stream; past it the probe is stopped (a real answer is a few kB). */
export const PROBE_OUTPUT_CAP = 1024 * 1024;

export interface ProbeOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly cwd?: string | undefined;
  readonly timeoutMs: number;
  /** Bytes per stream before the probe is stopped; PROBE_OUTPUT_CAP by default. */
  readonly maxOutputBytes?: number;
  /** Called with each chunk of stdout (within the cap). */
  readonly onStdout?: (chunk: Buffer) => void;
  /** Called with each chunk of stderr (within the cap). */
  readonly onStderr?: (chunk: Buffer) => void;
  /** Keep stdin open for writing (the handshake); otherwise it is closed at once. */
  readonly stdin?: boolean;
}

/** How a probe ended. `exit` is the command's own exit; the others are ours. */
export type ProbeEnd =
  | { readonly kind: "exit"; readonly code: number | null; readonly signal: string | null }
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "timeout" }
  | { readonly kind: "output_cap"; readonly stream: "stdout" | "stderr"; readonly bytes: number }
  | { readonly kind: "stopped" };

export interface Probe {
  readonly child: ChildProcess;
  /** Ends the probe now (kills its whole group); `ended` resolves with `stopped`. */
  stop(): void;
  /** Resolves once, when the probe ended; never later than the timeout. */
  readonly ended: Promise<ProbeEnd>;
}

const POSIX = process.platform !== "win32";

/** Starts a probe; see the module comment for what it guarantees. */
export function startProbe(opts: ProbeOptions): Probe {
  const cap = opts.maxOutputBytes ?? PROBE_OUTPUT_CAP;
  const child = spawn(opts.command, [...opts.args], {
    env: opts.env ? { ...opts.env } : undefined,
    cwd: opts.cwd,
    stdio: [opts.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    detached: POSIX,
    windowsHide: true,
  });
  let settle: (end: ProbeEnd) => void = () => {};
  const ended = new Promise<ProbeEnd>((resolve) => {
    let done = false;
    settle = (end) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      killGroup(child);
      resolve(end);
    };
  });
  let exited: ProbeEnd | null = null;
  const timer = setTimeout(() => settle(exited ?? { kind: "timeout" }), opts.timeoutMs);
  child.on("error", (err) => settle({ kind: "error", message: err.message }));
  // 'exit' can come before the last output is read: the group is killed at once (whatever the
  // leader left running goes with it, closing the pipes), and the probe ends when both pipes are
  // drained, or at the deadline should something outside the group still hold one.
  const drained = Promise.all(
    [child.stdout, child.stderr].map((s) => (s ? new Promise((r) => s.once("close", r)) : undefined)),
  );
  child.on("exit", (code, signal) => {
    exited = { kind: "exit", code, signal };
    signalGroup(child);
    void drained.then(() => settle(exited as ProbeEnd));
  });
  const read = (stream: "stdout" | "stderr", onChunk?: (chunk: Buffer) => void) => {
    let seen = 0;
    child[stream]?.on("data", (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > cap) {
        settle({ kind: "output_cap", stream, bytes: cap });
        return;
      }
      onChunk?.(chunk);
    });
    child[stream]?.on("error", () => {});
  };
  read("stdout", opts.onStdout);
  read("stderr", opts.onStderr);
  child.stdin?.on("error", () => {});
  return { child, stop: () => settle({ kind: "stopped" }), ended };
}

/** What a run-to-completion probe printed and how it ended. */
export interface ProbeResult {
  readonly end: ProbeEnd;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (or the deadline) and collects its capped output. */
export async function runProbe(
  opts: Omit<ProbeOptions, "onStdout" | "onStderr" | "stdin">,
): Promise<ProbeResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const probe = startProbe({ ...opts, onStdout: (c) => out.push(c), onStderr: (c) => err.push(c) });
  const end = await probe.ended;
  return { end, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

/** Describes an end in words, for messages. */
export function describeEnd(end: ProbeEnd, timeoutMs: number): string {
  switch (end.kind) {
    case "exit":
      return end.signal ? `killed by ${end.signal}` : `exit ${end.code}`;
    case "error":
      return `could not start: ${end.message}`;
    case "timeout":
      return `no answer within ${timeoutMs} ms; stopped`;
    case "output_cap":
      return `wrote more than ${end.bytes} bytes to ${end.stream}; stopped`;
    case "stopped":
      return "stopped";
  }
}

/**
 * SIGKILL to the whole group: no grace period, since a probe holds no state worth saving and a
 * command that traps SIGTERM is exactly what must not stall us.
 */
function signalGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    if (POSIX) process.kill(-child.pid, "SIGKILL");
    else child.kill("SIGKILL");
  } catch {
    // The group is already gone.
  }
}

/** Kills the group and drops the streams, so a leftover writer cannot keep our event loop busy. */
function killGroup(child: ChildProcess): void {
  signalGroup(child);
  child.stdout?.destroy();
  child.stderr?.destroy();
  child.stdin?.destroy();
}
