import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DoctorReportSchema } from "../../src/doctor/report.ts";
import { BINARY } from "../helpers/client.ts";

// The compiled binary's doctor against a temp HOME and a temp project.
let home: string;
let project: string;
beforeEach(() => {
  home = realpathSync(mkdtempSync(join(tmpdir(), "orch-doctor-")));
  project = join(home, "project");
  mkdirSync(join(project, ".git"), { recursive: true });
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const env = () => ({
  HOME: home,
  PATH: process.env.PATH ?? "",
  ORCHESTRATOR_HOME: join(home, ".orch-data"),
  NO_COLOR: "1",
});
const run = (args: string[]) => spawnSync(BINARY, args, { cwd: project, encoding: "utf8", env: env() });

function doctor(...args: string[]) {
  const r = run(["doctor", "--json", ...args]);
  const report = DoctorReportSchema.parse(JSON.parse(r.stdout));
  const check = (id: string) => {
    const c = report.checks.find((k) => k.id === id);
    if (!c) throw new Error(`no check ${id} in ${report.checks.map((k) => k.id).join(", ")}`);
    return c;
  };
  return { status: r.status, report, check };
}

const cursorConfig = () => join(home, ".cursor", "mcp.json");
function writeCursorEntry(command: string, args: string[] = ["serve"]): void {
  mkdirSync(dirname(cursorConfig()), { recursive: true });
  writeFileSync(
    cursorConfig(),
    `${JSON.stringify({ mcpServers: { "task-orchestrator": { command, args } } }, null, 2)}\n`,
  );
}
function script(name: string, body: string): string {
  const p = join(home, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

describe("orchestrator doctor", () => {
  test("a healthy install: exit 0, and the live check completes a handshake", () => {
    expect(run(["install", "--client", "cursor"]).status).toBe(0);
    const { status, report, check } = doctor();
    expect(status).toBe(0);
    expect(report.verdict).toBe("ok");
    expect(check("clients.cursor").status).toBe("ok");
    const live = check("live.cursor");
    expect(live.status).toBe("ok");
    expect(live.detail).toMatch(/answered in \d+ ms: 14 tools/);
    expect(check("data.workspace").detail).toContain(project);

    const text = run(["doctor"]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain("✓ Cursor: started and answered");
    expect(text.stdout).toContain("All good");
  });

  test("an entry pointing at a missing binary: named with a fix; --fix repairs it and validate passes", () => {
    writeCursorEntry(join(home, "old", "orchestrator"));
    const before = doctor();
    expect(before.status).toBe(1);
    const c = before.check("clients.cursor");
    expect(c).toMatchObject({ status: "fail", fixable: true });
    expect(c.detail).toContain("does not exist");
    expect(c.fix).toContain("doctor --fix");

    const fixed = doctor("--fix");
    expect(fixed.report.fixes).toHaveLength(1);
    expect(fixed.report.fixes[0]?.ok).toBe(true);
    expect(fixed.check("clients.cursor").status).toBe("ok");
    expect(fixed.check("live.cursor").status).toBe("ok");
    expect(fixed.status).toBe(0);
    expect(JSON.parse(readFileSync(cursorConfig(), "utf8")).mcpServers["task-orchestrator"].command).toBe(
      BINARY,
    );
    expect(run(["validate", "--client", "cursor"]).status).toBe(0);
    expect(run(["rollback", "--client", "cursor"]).status).toBe(0);
    expect(JSON.parse(readFileSync(cursorConfig(), "utf8")).mcpServers["task-orchestrator"].command).toBe(
      join(home, "old", "orchestrator"),
    );
  });

  test("a server that prints to stdout before speaking MCP", () => {
    writeCursorEntry(script("chatty", `echo "Starting server..."\nexec '${BINARY}' "$@"`));
    const { status, check } = doctor();
    expect(status).toBe(1);
    const live = check("live.cursor");
    expect(live.status).toBe("fail");
    expect(live.detail).toContain('non-protocol output to stdout: "Starting server..."');
    expect(live.fix).toContain("stdout");
  });

  test("a server that hangs: the live check times out and says so", () => {
    writeCursorEntry(script("hangs", "sleep 30"));
    const t0 = Date.now();
    const { status, check } = doctor("--timeout", "1s");
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(status).toBe(1);
    const live = check("live.cursor");
    expect(live.status).toBe("fail");
    expect(live.detail).toContain("no answer to initialize within 1000 ms");
  });

  test("a server that crashes at start: its stderr is shown", () => {
    writeCursorEntry(script("crashes", 'echo "fatal: cannot load config" >&2\nexit 3'));
    const live = doctor().check("live.cursor");
    expect(live.status).toBe("fail");
    expect(live.detail).toContain("exited (code 3)");
    expect(live.detail).toContain("fatal: cannot load config");
  });

  test("a broken config file is reported with its line and column and left alone", () => {
    mkdirSync(dirname(cursorConfig()), { recursive: true });
    const broken = '{\n  "mcpServers": {\n    "a": { "command": "x" }\n    "b": 1\n  }\n}\n';
    writeFileSync(cursorConfig(), broken);
    const { status, check } = doctor();
    expect(status).toBe(1);
    const c = check("clients.cursor");
    expect(c.status).toBe("fail");
    expect(c.detail).toMatch(/line 4, column \d+/);
    expect(c.fix).toContain("no backup of it exists yet");
    expect(readFileSync(cursorConfig(), "utf8")).toBe(broken);
  });

  test("the wrong key for VS Code (mcpServers instead of servers)", () => {
    const path = join(home, ".config", "Code", "User", "mcp.json");
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(
      path,
      JSON.stringify({ mcpServers: { "task-orchestrator": { command: BINARY, args: ["serve"] } } }),
    );
    const { status, check } = doctor("--client", "vscode");
    expect(status).toBe(1);
    const c = check("clients.vscode");
    expect(c.status).toBe("fail");
    expect(c.detail).toContain('under "mcpServers"');
    expect(c.detail).toContain('reads "servers"');
    expect(c.fix).toContain("orchestrator install --client vscode");
  });

  test("a corrupted database file", () => {
    mkdirSync(join(project, ".task_orchestrator"));
    writeFileSync(
      join(project, ".task_orchestrator", "orchestrator.db"),
      "this is not a database, it is a text file ".repeat(200),
    );
    const { status, check } = doctor();
    expect(status).toBe(1);
    const c = check("data.integrity");
    expect(c.status).toBe("fail");
    expect(c.detail).toContain("cannot be read as a database");
    // only a file that really is no database may be moved aside, and never thrown away
    expect(c.fix).toContain("aside (keep it: it holds your plans");
  });

  test("an unwritable workspace (its data folder is a file)", () => {
    writeFileSync(join(project, ".task_orchestrator"), "oops");
    const { status, check } = doctor();
    expect(status).toBe(1);
    const c = check("data.writable");
    expect(c.status).toBe("fail");
    expect(c.detail).toContain("is a file");
  });

  test("a broken role file is named with file and line", () => {
    mkdirSync(join(project, ".task_orchestrator", "roles"), { recursive: true });
    writeFileSync(
      join(project, ".task_orchestrator", "roles", "team.yaml"),
      "auditor:\n  summary: [unclosed\n",
    );
    const { status, report } = doctor();
    expect(status).toBe(1);
    const c = report.checks.find((k) => k.area === "roles" && k.status === "fail");
    expect(c?.detail).toMatch(/team\.yaml line \d+/);
    expect(c?.detail.split("team.yaml").length).toBe(2); // named once
  });

  test("an entry that runs a command by name (found only through PATH) is named, and --fix replaces it", () => {
    writeCursorEntry("python3", ["-m", "mcp_task_orchestrator"]);
    const before = doctor();
    const c = before.check("clients.cursor");
    expect(c).toMatchObject({ status: "fail", fixable: true });
    expect(c.detail).toContain("by name");
    const fixed = doctor("--fix");
    expect(fixed.check("clients.cursor").status).toBe("ok");
    expect(fixed.check("live.cursor").status).toBe("ok");
  });

  test("a bad flag is a usage error", () => {
    expect(run(["doctor", "--timeout", "soon"]).status).toBe(2);
    expect(run(["doctor", "--client", "notepad"]).status).toBe(2);
  });
});
