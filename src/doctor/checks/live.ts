import { describeEnd, type ProbeEnd, startProbe } from "../../platform/probe.ts";
import { initializeRequest } from "../../protocol/handshake.ts";
import type { DoctorContext } from "../context.ts";
import { type Finding, fail, ok, skip } from "../report.ts";
import { findingId, type InstalledEntry, scopedLabel } from "./clients.ts";

/** What a handshake with one configured server gave. */
export interface Handshake {
  readonly ok: boolean;
  readonly ms: number;
  readonly tools: number;
  readonly serverVersion: string | null;
  /** Why it failed, in words. */
  readonly problem: string | null;
  readonly stderrTail: string;
}

/** The variables a GUI client passes down: little more than these, plus the entry's own env. */
const CLIENT_VARS = [
  "HOME",
  "USER",
  "LOGNAME",
  "PATH",
  "SHELL",
  "TMPDIR",
  "LANG",
  "USERPROFILE",
  "APPDATA",
  "LOCALAPPDATA",
  "SystemRoot",
  "TEMP",
  "TMP",
];

/**
 * Launches each installed entry as its client would (command, args, env), completes MCP
 * `initialize` and `tools/list` within the timeout, and reports the time and tool count, or
 * the failure with the server's stderr tail. Entries run in parallel.
 */
export async function checkLive(ctx: DoctorContext, entries: readonly InstalledEntry[]): Promise<Finding[]> {
  if (entries.length === 0) {
    return [
      skip(
        "live",
        "live",
        "Live handshake",
        "no client has a local server entry to start (remote entries are checked under Clients)",
      ),
    ];
  }
  const results = await Promise.all(entries.map((e) => handshake(ctx, e)));
  const seen = new Map<string, number>();
  const key = (e: InstalledEntry) => `${e.client}/${e.scope}`;
  const several = (e: InstalledEntry) => entries.filter((x) => key(x) === key(e)).length > 1;
  return results.map((h, i) => {
    const e = entries[i] as InstalledEntry;
    // Copies in several files of one scope are told apart by their file.
    const label = `${scopedLabel(e.client, e.scope)}${several(e) ? ` (${e.path})` : ""}`;
    // A second copy in the same scope (OpenCode's two files) gets its own id.
    const nth = seen.get(key(e)) ?? 0;
    seen.set(key(e), nth + 1);
    const id = findingId("live", e.client, e.scope, nth);
    if (h.ok) {
      return ok(
        "live",
        id,
        label,
        `started and answered in ${h.ms} ms: ${h.tools} tools (server ${h.serverVersion ?? "?"})`,
      );
    }
    const tail = h.stderrTail.trim()
      ? `; its stderr ends with: ${h.stderrTail.trim().split("\n").slice(-5).join(" | ")}`
      : "";
    return fail("live", id, label, `${h.problem}${tail}`, fixFor(h, e));
  });
}

function fixFor(h: Handshake, e: InstalledEntry): string {
  const reinstall = `orchestrator install --client ${e.client}${e.scope === "user" ? "" : ` --scope ${e.scope}`} --force`;
  if (h.problem?.includes("stdout")) {
    return `The command prints to stdout before speaking MCP; clients read stdout as protocol. Register the orchestrator binary itself: '${reinstall}'.`;
  }
  if (h.problem?.includes("no answer")) {
    return `Run '${[e.command, ...e.args].join(" ")}' in a terminal and type nothing: it should wait silently. If it is not the orchestrator, run '${reinstall}'.`;
  }
  return `Run '${[e.command, ...e.args].join(" ")}' in a terminal to see the error; then '${reinstall}' to register this binary.`;
}

export async function handshake(ctx: DoctorContext, e: InstalledEntry): Promise<Handshake> {
  const env: Record<string, string> = {};
  for (const k of CLIENT_VARS) {
    const v = ctx.env.vars[k];
    if (v !== undefined) env[k] = v;
  }
  Object.assign(env, e.env);
  const t0 = performance.now();
  let stderr = "";
  let buf = "";
  let phase: "initialize" | "tools" = "initialize";
  let serverVersion: string | null = null;
  // Set by the protocol reader when it has its answer; the probe is then stopped.
  let verdict: Omit<Handshake, "ms" | "stderrTail" | "serverVersion"> | null = null;
  const probe = startProbe({
    command: e.command,
    args: e.args,
    env,
    cwd: ctx.env.homedir,
    timeoutMs: ctx.timeoutMs,
    stdin: true,
    onStderr: (d) => {
      stderr = (stderr + d.toString()).slice(-4000);
    },
    onStdout: (d) => {
      if (verdict) return;
      buf += d.toString();
      verdict = readLines();
      if (verdict) probe.stop();
    },
  });
  const send = (m: Record<string, unknown>): void => {
    probe.child.stdin?.write(`${JSON.stringify(m)}\n`);
  };
  const readLines = (): typeof verdict => {
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      nl = buf.indexOf("\n");
      if (!line) continue;
      let msg: { id?: unknown; result?: Record<string, unknown>; error?: { message?: string } };
      try {
        msg = JSON.parse(line);
      } catch {
        return {
          ok: false,
          tools: 0,
          problem: `wrote non-protocol output to stdout: "${line.slice(0, 120)}"`,
        };
      }
      if (msg.error) {
        return {
          ok: false,
          tools: 0,
          problem: `answered ${phase} with an error: ${msg.error.message ?? JSON.stringify(msg.error)}`,
        };
      }
      if (msg.id === 1 && phase === "initialize") {
        serverVersion =
          String((msg.result?.serverInfo as { version?: unknown } | undefined)?.version ?? "") || null;
        phase = "tools";
        send({ jsonrpc: "2.0", method: "notifications/initialized" });
        send({ jsonrpc: "2.0", id: 2, method: "tools/list", params: {} });
      } else if (msg.id === 2) {
        const tools = Array.isArray(msg.result?.tools) ? (msg.result.tools as unknown[]).length : 0;
        return { ok: tools > 0, tools, problem: tools > 0 ? null : "tools/list returned no tools" };
      }
    }
    return null;
  };
  send(initializeRequest(1, "orchestrator-doctor", ctx.version));
  const end = await probe.ended;
  const result = verdict ?? { ok: false, tools: 0, problem: problemOf(end, phase, ctx.timeoutMs, e.command) };
  return {
    ...result,
    ms: Math.round(performance.now() - t0),
    serverVersion,
    stderrTail: stderr.slice(-2000),
  };
}

/** Why a probe that ended without an answer failed, in the words the fixes look for. */
function problemOf(end: ProbeEnd, phase: "initialize" | "tools", timeoutMs: number, command: string): string {
  const step = phase === "initialize" ? "initialize" : "tools/list";
  switch (end.kind) {
    case "timeout":
      return `no answer to ${step} within ${timeoutMs} ms`;
    case "error":
      return `could not start ${command}: ${end.message}`;
    case "exit":
      return `exited (${end.signal ?? `code ${end.code}`}) before completing the handshake`;
    default:
      return `${describeEnd(end, timeoutMs)} before answering ${step}`;
  }
}
