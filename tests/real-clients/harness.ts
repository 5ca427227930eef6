/**
 * A sandbox per scenario for the real-client suite: a fresh HOME, a `git init`'d project as the
 * working folder, and an environment with nothing from the caller's but PATH, so no client sees
 * the machine's real settings, trust files or credentials. Every command runs in its own process
 * group under a deadline; on timeout the whole group (the client and any server it started) is
 * killed, so a hung client cannot leave our server running.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type DoctorReport, DoctorReportSchema } from "../../src/doctor/report.ts";
import { BINARY } from "../helpers/client.ts";
import { binPath, PINNED, type PinnedClient } from "./pinned.ts";

/** Each client's documented switches for telemetry, update checks and other background traffic. */
const QUIET_ENV: Record<string, string> = {
  DISABLE_AUTOUPDATER: "1",
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  DISABLE_TELEMETRY: "1",
  DISABLE_ERROR_REPORTING: "1",
  GEMINI_TELEMETRY_ENABLED: "false",
  OPENCODE_DISABLE_AUTOUPDATE: "1",
  CONTINUE_TELEMETRY_ENABLED: "0",
  NO_COLOR: "1",
  TERM: "dumb",
  CI: "1",
};

export const CLIENT_TIMEOUT_MS = 90_000;

export interface RunResult {
  readonly code: number | null;
  /** stdout and stderr together, ANSI colour codes removed. */
  readonly out: string;
  readonly timedOut: boolean;
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g");

/** A tiny MCP server (newline-delimited JSON-RPC) that stands for "some other server the user has". */
const OTHER_SERVER = `import { createInterface } from "node:readline";
const send = (m) => process.stdout.write(JSON.stringify(m) + "\\n");
createInterface({ input: process.stdin }).on("line", (line) => {
  let m;
  try { m = JSON.parse(line); } catch { return; }
  if (m.id === undefined) return;
  if (m.method === "initialize")
    send({ jsonrpc: "2.0", id: m.id, result: { protocolVersion: m.params?.protocolVersion ?? "2025-06-18",
      capabilities: { tools: {} }, serverInfo: { name: "other", version: "1.0.0" } } });
  else if (m.method === "tools/list") send({ jsonrpc: "2.0", id: m.id, result: { tools: [] } });
  else send({ jsonrpc: "2.0", id: m.id, result: {} });
});
`;

export class Sandbox {
  readonly root: string;
  readonly home: string;
  readonly project: string;
  readonly env: Record<string, string>;
  /** The command line of the other server, for a client's own `mcp add`. */
  readonly other: readonly [string, string];

  constructor(label: string) {
    this.root = realpathSync(mkdtempSync(join(tmpdir(), `orch-real-${label}-`)));
    this.home = join(this.root, "home");
    this.project = join(this.root, "proj");
    mkdirSync(this.home);
    mkdirSync(this.project);
    spawnSync("git", ["init", "-q"], { cwd: this.project });
    const script = join(this.home, "other-server.mjs");
    writeFileSync(script, OTHER_SERVER);
    this.other = ["node", script];
    // The pinned clients first on PATH, so `install --via-cli` finds the same versions.
    const bins = PINNED.map((c) => dirname(binPath(c)));
    this.env = {
      HOME: this.home,
      PATH: [...bins, process.env.PATH ?? "/usr/bin:/bin"].join(":"),
      LANG: "C.UTF-8",
      ORCHESTRATOR_HOME: join(this.home, ".orchestrator-data"),
      ...QUIET_ENV,
    };
  }

  /** Runs a command in the project folder (or `cwd`), killing its process group at the deadline. */
  run(
    cmd: string,
    args: readonly string[],
    opts: { cwd?: string; timeoutMs?: number } = {},
  ): Promise<RunResult> {
    return new Promise((resolve) => {
      const child = spawn(cmd, args, {
        cwd: opts.cwd ?? this.project,
        env: this.env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      let out = "";
      let timedOut = false;
      child.stdout.on("data", (d) => {
        out += d;
      });
      child.stderr.on("data", (d) => {
        out += d;
      });
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child.pid);
      }, opts.timeoutMs ?? CLIENT_TIMEOUT_MS);
      child.on("error", (e) => {
        out += `\n[spawn error] ${e.message}`;
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        // A client that exits may leave the servers it started behind; they are ours to end.
        killGroup(child.pid);
        resolve({ code, out: out.replace(ANSI, ""), timedOut });
      });
    });
  }

  /** Runs the pinned client's own command. */
  client(id: PinnedClient["id"], args: readonly string[], opts: { cwd?: string } = {}): Promise<RunResult> {
    const c = PINNED.find((p) => p.id === id);
    if (!c) throw new Error(`no pinned client ${id}`);
    return this.run(binPath(c), args, opts);
  }

  /** Runs our compiled binary. */
  orch(args: readonly string[], opts: { cwd?: string } = {}): Promise<RunResult> {
    return this.run(BINARY, args, { ...opts, timeoutMs: 60_000 });
  }

  /** `orchestrator doctor --json --client <id>` in the project, parsed against the report schema. */
  async doctor(client: string): Promise<DoctorReport> {
    const r = await this.orch(["doctor", "--json", "--client", client, "--timeout", "20s"]);
    try {
      return DoctorReportSchema.parse(JSON.parse(r.out));
    } catch (e) {
      throw new Error(`doctor --json did not print a report (${(e as Error).message}):\n${r.out}`);
    }
  }

  /**
   * Codex's own health check: `codex mcp list` only reads the config, but `codex app-server`
   * starts every server it would use and reports each one's tools (JSON-RPC over stdio).
   */
  codexServers(): Promise<{ name: string; server?: string; tools: number }[]> {
    const c = PINNED.find((p) => p.id === "codex");
    if (!c) throw new Error("codex is not pinned");
    return new Promise((resolve, reject) => {
      const child = spawn(binPath(c), ["app-server"], {
        cwd: this.project,
        env: this.env,
        stdio: ["pipe", "pipe", "ignore"],
        detached: true,
      });
      const send = (m: object) => child.stdin.write(`${JSON.stringify(m)}\n`);
      const finish = (err: Error | null, value?: { name: string; server?: string; tools: number }[]) => {
        clearTimeout(timer);
        killGroup(child.pid);
        if (err) reject(err);
        else resolve(value ?? []);
      };
      const timer = setTimeout(
        () => finish(new Error("codex app-server did not answer in time")),
        CLIENT_TIMEOUT_MS,
      );
      let buf = "";
      child.stdout.on("data", (d) => {
        buf += d;
        for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          let m: {
            id?: number;
            result?: { data?: { name: string; serverInfo?: { name?: string }; tools?: object }[] };
          };
          try {
            m = JSON.parse(line);
          } catch {
            continue;
          }
          if (m.id === 1) {
            send({ method: "initialized" });
            send({ id: 2, method: "mcpServerStatus/list", params: {} });
          } else if (m.id === 2) {
            const data = m.result?.data ?? [];
            finish(
              null,
              data.map((s) => ({
                name: s.name,
                server: s.serverInfo?.name,
                tools: Object.keys(s.tools ?? {}).length,
              })),
            );
          }
        }
      });
      child.on("error", (e) => finish(e));
      send({
        id: 1,
        method: "initialize",
        params: { clientInfo: { name: "orchestrator-tests", version: "1" } },
      });
    });
  }

  read(path: string): string | undefined {
    return existsSync(path) ? readFileSync(path, "utf8") : undefined;
  }

  write(path: string, text: string): void {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }

  done(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** The one line of a client's listing that names `name`, or undefined. */
export function lineOf(out: string, name: string): string | undefined {
  return out.split("\n").find((l) => l.includes(name));
}

/** Doctor's checks for one client (its entry checks and its gate check), for assertions. */
export function checksFor(report: DoctorReport, client: string) {
  return report.checks.filter((c) => c.id === `clients.${client}` || c.id.startsWith(`clients.${client}.`));
}

export function gateCheck(report: DoctorReport, client: string) {
  return report.checks.find((c) => c.id === `clients.${client}.gate`);
}
