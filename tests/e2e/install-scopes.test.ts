import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { DoctorReportSchema } from "../../src/doctor/report.ts";
import { BINARY } from "../helpers/client.ts";

// The compiled binary against a temp HOME and a git project: every file and scope a client
// reads (issue 17: what the real Claude Code, Codex, OpenCode, Continue and Qwen CLIs showed).
let home: string;
let project: string;
let bin: string;
beforeEach(() => {
  home = realpathSync(mkdtempSync(join(tmpdir(), "orch-scopes-")));
  project = join(home, "proj");
  mkdirSync(join(project, ".git"), { recursive: true });
  bin = join(home, "fake-bin");
  mkdirSync(bin);
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const run = (args: string[], cwd = project) =>
  spawnSync(BINARY, args, {
    cwd,
    encoding: "utf8",
    env: {
      HOME: home,
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      ORCHESTRATOR_HOME: join(home, ".orch-data"),
      NO_COLOR: "1",
    },
  });
const json = (args: string[]) => {
  const r = run([...args, "--json"]);
  return { status: r.status, body: JSON.parse(r.stdout), stderr: r.stderr };
};
function doctor(...args: string[]) {
  const r = run(["doctor", "--json", ...args]);
  const report = DoctorReportSchema.parse(JSON.parse(r.stdout));
  const check = (id: string) => report.checks.find((k) => k.id === id);
  return { status: r.status, report, check };
}
function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
/** A stand-in for a client's CLI: records its argv, one JSON line per call. */
function fakeCli(name: string): string {
  const log = join(home, `${name}.argv`);
  write(
    join(bin, name),
    `#!/bin/sh\nprintf '%s\\n' "$(printf '%s\\036' "$@")" >> '${log}'\necho "fake ${name} ok"\n`,
  );
  chmodSync(join(bin, name), 0o755);
  return log;
}
const calls = (log: string): string[][] =>
  existsSync(log)
    ? readFileSync(log, "utf8")
        .trimEnd()
        .split("\n")
        .map((l) => l.split("\u001e").slice(0, -1))
    : [];

describe("Continue: a file we create is one the Continue CLI accepts", () => {
  const cfg = () => join(home, ".continue", "config.yaml");

  test("a fresh install writes name, version and schema; uninstall removes the file and its folder", () => {
    expect(run(["install", "--client", "continue"]).status).toBe(0);
    const doc = parseYaml(readFileSync(cfg(), "utf8"));
    expect(doc).toMatchObject({ name: "Local Config", version: "1.0.0", schema: "v1" });
    expect(doc.mcpServers).toEqual([{ name: "task-orchestrator", command: BINARY, args: ["serve"] }]);
    const v = json(["validate", "--client", "continue"]);
    expect(v.status).toBe(0);
    expect(v.body.clients[0]).toMatchObject({ installed: true, problems: [] });

    expect(run(["uninstall", "--client", "continue"]).status).toBe(0);
    expect(existsSync(cfg())).toBe(false);
    expect(existsSync(join(home, ".continue"))).toBe(false);
  });

  test("a config holding only comments (or nothing) starts like a new file: the comments kept, name, version and schema added", () => {
    for (const before of ["# my Continue notes\n", "\n\n", "# no newline at the end"]) {
      write(cfg(), before);
      expect(run(["install", "--client", "continue"]).status).toBe(0);
      const text = readFileSync(cfg(), "utf8");
      expect(text.startsWith(before.trim() === "" ? "name:" : before.trimEnd())).toBe(true);
      expect(parseYaml(text)).toMatchObject({ name: "Local Config", version: "1.0.0", schema: "v1" });
      const v = json(["validate", "--client", "continue"]);
      expect(v.status).toBe(0);
      expect(v.body.clients[0]).toMatchObject({ installed: true, problems: [] });
    }
  });

  test("a config with data but without name and version: install says at once that Continue will not start, with the lines to add", () => {
    write(cfg(), "models: []\n");
    const r = run(["install", "--client", "continue"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("lacks the top-level name, version");
    expect(r.stdout).toContain("name: Local Config, version: 1.0.0");
    // Keys are the user's to choose: nothing is invented in a file that holds their data.
    expect(parseYaml(readFileSync(cfg(), "utf8")).name).toBeUndefined();
  });

  test("a config without name and version (what 0.1.0 wrote) fails validate and doctor, with the fix", () => {
    write(
      cfg(),
      `mcpServers:\n  - name: task-orchestrator\n    command: ${BINARY}\n    args:\n      - serve\n`,
    );
    const v = json(["validate", "--client", "continue"]);
    expect(v.status).toBe(1);
    expect(v.body.clients[0].problems.join(" ")).toContain("lacks the top-level name, version");
    const d = doctor("--client", "continue");
    expect(d.status).toBe(1);
    const c = d.check("clients.continue");
    expect(c?.status).toBe("fail");
    expect(c?.detail).toContain("name: Local Config, version: 1.0.0");
    expect(c?.fix).toContain(cfg());
  });
});

describe("--via-cli never writes a scope other than the one asked", () => {
  test("codex has no project scope: the project file is edited instead, and codex is not run", () => {
    const log = fakeCli("codex");
    const r = run(["install", "--client", "codex", "--scope", "project", "--via-cli"]);
    expect(r.status).toBe(0);
    expect(calls(log)).toEqual([]);
    expect(r.stdout).toContain("cannot write the project scope");
    expect(r.stdout).toContain("file was edited instead");
    const doc = parseToml(readFileSync(join(project, ".codex", "config.toml"), "utf8")) as {
      mcp_servers: Record<string, { args: string[] }>;
    };
    expect(doc.mcp_servers["task-orchestrator"]?.args).toEqual(["serve", "--workspace", project]);
    expect(existsSync(join(home, ".codex"))).toBe(false);
    expect(json(["validate", "--client", "codex", "--scope", "project"]).body.clients[0].installed).toBe(
      true,
    );
  });

  test("user scope runs the client's own command with exactly our entry", () => {
    const log = fakeCli("codex");
    const r = run(["install", "--client", "codex", "--via-cli"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("fake codex ok");
    expect(calls(log)).toEqual([["mcp", "add", "task-orchestrator", "--", BINARY, "serve"]]);
  });

  test.each([
    ["gemini-cli", "gemini"],
    ["qwen-code", "qwen"],
  ])("%s project scope goes to its command with --scope project", (id, cmd) => {
    const log = fakeCli(cmd);
    expect(run(["install", "--client", id, "--scope", "project", "--via-cli"]).status).toBe(0);
    expect(calls(log)).toEqual([
      ["mcp", "add", "--scope", "project", "task-orchestrator", BINARY, "serve", "--workspace", project],
    ]);
  });

  test("claude-code local scope goes to claude with --scope local", () => {
    const log = fakeCli("claude");
    expect(run(["install", "--client", "claude-code", "--scope", "local", "--via-cli"]).status).toBe(0);
    const [argv] = calls(log);
    expect(argv?.slice(0, 5)).toEqual(["mcp", "add-json", "--scope", "local", "task-orchestrator"]);
    expect(JSON.parse(argv?.[5] ?? "{}").args).toEqual(["serve", "--workspace", project]);
  });
});

describe("OpenCode: opencode.json and opencode.jsonc", () => {
  const dir = () => join(home, ".config", "opencode");
  const entry = (args: string[]) => ({ type: "local", command: [BINARY, ...args], enabled: true });
  const clientWritten = () =>
    `{\n  "$schema": "https://opencode.ai/config.json",\n  "mcp": {\n    "task-orchestrator": ${JSON.stringify(entry(["serve"]))}\n  }\n}\n`;

  test("an entry OpenCode wrote to opencode.jsonc is seen, not duplicated, and removed", () => {
    write(join(dir(), "opencode.jsonc"), clientWritten());
    const v = json(["validate", "--client", "opencode"]);
    expect(v.body.clients).toHaveLength(1);
    expect(v.body.clients[0]).toMatchObject({ path: join(dir(), "opencode.jsonc"), installed: true });
    const i = json(["install", "--client", "opencode"]);
    expect(i.body.results[0]).toMatchObject({ status: "unchanged", path: join(dir(), "opencode.jsonc") });
    expect(existsSync(join(dir(), "opencode.json"))).toBe(false);
    const u = json(["uninstall", "--client", "opencode"]);
    expect(u.body.results[0]).toMatchObject({ status: "applied", path: join(dir(), "opencode.jsonc") });
    const after = parseJsonc(readFileSync(join(dir(), "opencode.jsonc"), "utf8"));
    expect(after.$schema).toBe("https://opencode.ai/config.json");
    expect(after.mcp?.["task-orchestrator"]).toBeUndefined();
  });

  test("install writes into the opencode.jsonc that exists rather than creating opencode.json", () => {
    const text = '{\n  // mine\n  "theme": "dark"\n}\n';
    write(join(dir(), "opencode.jsonc"), text);
    expect(run(["install", "--client", "opencode"]).status).toBe(0);
    expect(existsSync(join(dir(), "opencode.json"))).toBe(false);
    expect(parseJsonc(readFileSync(join(dir(), "opencode.jsonc"), "utf8")).mcp["task-orchestrator"]).toEqual(
      entry(["serve"]),
    );
    expect(run(["uninstall", "--client", "opencode"]).status).toBe(0);
    expect(readFileSync(join(dir(), "opencode.jsonc"), "utf8")).toBe(text);
  });

  test("our entry in both files: validate and doctor say so; uninstall removes both copies", () => {
    write(join(dir(), "opencode.jsonc"), clientWritten());
    write(join(dir(), "opencode.json"), clientWritten());
    const v = json(["validate", "--client", "opencode"]);
    expect(v.status).toBe(1);
    expect(v.body.clients).toHaveLength(2);
    for (const c of v.body.clients) expect(c.problems.join(" ")).toContain("our entry is in 2 files");
    const d = doctor("--client", "opencode");
    expect(d.check("clients.opencode")?.status).toBe("fail");
    expect(d.check("clients.opencode")?.fix).toContain("uninstall --client opencode");
    expect(d.check("clients.opencode.2")).toBeUndefined(); // one finding for both copies
    expect(d.check("live.opencode.2")?.title).toBe(`OpenCode (${join(dir(), "opencode.json")})`);
    const u = json(["uninstall", "--client", "opencode"]);
    expect(u.body.results.map((r: { path: string }) => r.path).sort()).toEqual([
      join(dir(), "opencode.json"),
      join(dir(), "opencode.jsonc"),
    ]);
    for (const f of ["opencode.json", "opencode.jsonc"])
      expect(parseJsonc(readFileSync(join(dir(), f), "utf8")).mcp?.["task-orchestrator"]).toBeUndefined();
  });
});

describe("Claude Code's local scope", () => {
  const claudeJson = () => join(home, ".claude.json");

  test("install, validate, doctor and uninstall at --scope local, leaving Claude's own keys byte-identical", () => {
    const original = `{\n  "numStartups": 4,\n  "projects": {\n    ${JSON.stringify(project)}: {\n      "allowedTools": [],\n      "mcpServers": {\n        "other-local": { "type": "stdio", "command": "/bin/true", "args": [] }\n      }\n    }\n  },\n  "userID": "abc"\n}\n`;
    write(claudeJson(), original);
    expect(run(["install", "--client", "claude-code", "--scope", "local"]).status).toBe(0);
    const doc = JSON.parse(readFileSync(claudeJson(), "utf8"));
    expect(doc.projects[project].mcpServers["task-orchestrator"]).toEqual({
      type: "stdio",
      command: BINARY,
      args: ["serve", "--workspace", project],
    });
    expect(doc.mcpServers).toBeUndefined();
    const v = json(["validate", "--client", "claude-code", "--scope", "local"]);
    expect(v.status).toBe(0);
    expect(v.body.clients[0]).toMatchObject({ scope: "local", installed: true, problems: [] });
    // The user scope of the same file does not hold it.
    expect(json(["validate", "--client", "claude-code"]).body.clients[0].installed).toBe(false);

    const d = doctor("--client", "claude-code");
    expect(d.check("clients.claude-code.local")?.status).toBe("ok");
    expect(d.check("clients.claude-code.local")?.title).toBe("Claude Code (local)");
    expect(d.check("live.claude-code.local")?.detail).toMatch(/answered in \d+ ms: 14 tools/);

    expect(run(["uninstall", "--client", "claude-code", "--scope", "local"]).status).toBe(0);
    expect(readFileSync(claudeJson(), "utf8")).toBe(original);
  });

  test("uninstalling the user entry says the local one is still there, and how to remove it", () => {
    expect(run(["install", "--client", "claude-code", "--scope", "local"]).status).toBe(0);
    const u = json(["uninstall", "--client", "claude-code"]);
    expect(u.status).toBe(0);
    expect(u.body.results[0].message).toBe("our entry is not there");
    expect(u.body.results[0].warnings.join(" ")).toContain(
      `still registered at local scope in ${claudeJson()} (for ${project})`,
    );
    expect(u.body.results[0].warnings.join(" ")).toContain(
      "'orchestrator uninstall --client claude-code --scope local'",
    );
  });

  test("a project named through a symlink is keyed by its real path, as Claude Code keys it", () => {
    const link = join(home, "link-to-proj");
    symlinkSync(project, link);
    expect(
      run(["install", "--client", "claude-code", "--scope", "local", "--project", link], home).status,
    ).toBe(0);
    const doc = JSON.parse(readFileSync(claudeJson(), "utf8"));
    expect(Object.keys(doc.projects)).toEqual([project]);
  });

  test("a broken ~/.claude.json is reported once, not again for the local scope", () => {
    write(claudeJson(), '{\n  "projects": {\n    "x": 1\n  \n');
    const d = doctor("--client", "claude-code");
    expect(d.check("clients.claude-code")?.status).toBe("fail");
    expect(d.check("clients.claude-code")?.detail).toContain("does not parse");
    expect(d.check("clients.claude-code.local")).toBeUndefined();
  });

  test("--all --scope local installs every detected client that has the scope, and only those", () => {
    mkdirSync(join(home, ".cursor"));
    mkdirSync(join(home, ".claude"));
    const r = json(["install", "--all", "--scope", "local"]);
    expect(r.status).toBe(0);
    expect(r.body.results.map((x: { client: string }) => x.client)).toEqual(["claude-code"]);
  });

  test("--scope local is refused for a client without it", () => {
    const r = run(["install", "--client", "cursor", "--scope", "local"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("no local-scoped config");
  });
});

describe("doctor sees every scope", () => {
  test.each([
    ["claude-code", () => join(project, ".mcp.json")],
    ["codex", () => join(project, ".codex", "config.toml")],
    ["opencode", () => join(project, "opencode.json")],
  ])("a %s project entry is reported with its scope and live-checked", (id, file) => {
    expect(run(["install", "--client", id, "--scope", "project"]).status).toBe(0);
    const d = doctor("--client", id);
    expect(d.check(`clients.${id}`)?.status).toBe("skip"); // nothing at user scope
    const c = d.check(`clients.${id}.project`);
    expect(c?.status).toBe("ok");
    expect(c?.detail).toContain(`registered (project scope) in ${file()}`);
    expect(d.check(`live.${id}.project`)?.status).toBe("ok");
    // Claude Code holds a .mcp.json entry until approved and Codex ignores an untrusted project:
    // in this fresh HOME that gate is the one thing doctor warns about (tests/e2e/trust-gates.test.ts).
    const notOk = d.report.checks.filter((k) => k.status === "warn" || k.status === "fail").map((k) => k.id);
    expect(notOk).toEqual(id === "opencode" ? [] : [`clients.${id}.gate`]);
  });

  test("the same name in two scopes with different arguments: doctor says which wins and how to keep one", () => {
    expect(run(["install", "--client", "claude-code"]).status).toBe(0);
    expect(run(["install", "--client", "claude-code", "--scope", "project"]).status).toBe(0);
    const d = doctor("--client", "claude-code");
    const c = d.check("clients.claude-code.scopes");
    expect(c?.status).toBe("warn");
    expect(c?.detail).toContain("runs the project one");
    expect(c?.detail).toContain("[Conflicting scopes]");
    expect(c?.fix).toContain("orchestrator uninstall --client claude-code --scope user");
    expect(d.check("live.claude-code")?.status).toBe("ok");
    expect(d.check("live.claude-code.project")?.status).toBe("ok");
  });

  test("doctor --scope looks at that scope only; a bad scope is a usage error", () => {
    expect(run(["install", "--client", "claude-code"]).status).toBe(0);
    expect(run(["install", "--client", "claude-code", "--scope", "project"]).status).toBe(0);
    const d = doctor("--client", "claude-code", "--scope", "project");
    expect(d.check("clients.claude-code.project")?.status).toBe("ok");
    expect(d.check("clients.claude-code")).toBeUndefined();
    expect(d.check("clients.claude-code.scopes")).toBeUndefined();
    expect(d.check("live.claude-code.project")?.status).toBe("ok");
    const bad = run(["doctor", "--scope", "galaxy"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--scope must be user, project, local");
  });

  test("a user install says when a project entry wins in this project", () => {
    expect(run(["install", "--client", "gemini-cli", "--scope", "project"]).status).toBe(0);
    const r = json(["install", "--client", "gemini-cli"]);
    expect(r.body.results[0].status).toBe("applied");
    expect(r.body.results[0].warnings.join(" ")).toContain(
      `also has "task-orchestrator" at project scope in ${join(project, ".gemini", "settings.json")}, and runs that one in ${project}`,
    );
  });

  test("doctor --fix repairs a stale project entry in the project file", () => {
    write(
      join(project, ".mcp.json"),
      `${JSON.stringify({ mcpServers: { "task-orchestrator": { type: "stdio", command: join(home, "gone", "orchestrator"), args: ["serve"] } } }, null, 2)}\n`,
    );
    const before = doctor("--client", "claude-code");
    expect(before.check("clients.claude-code.project")?.status).toBe("fail");
    const fixed = run(["doctor", "--client", "claude-code", "--fix", "--json"]);
    const report = DoctorReportSchema.parse(JSON.parse(fixed.stdout));
    expect(report.fixes[0]?.ok).toBe(true);
    const doc = JSON.parse(readFileSync(join(project, ".mcp.json"), "utf8"));
    expect(doc.mcpServers["task-orchestrator"].command).toBe(BINARY);
    expect(existsSync(join(home, ".claude.json"))).toBe(false);
  });
});

describe("folders we created", () => {
  test("project uninstall removes the .codex/ folder install created, and keeps one that existed", () => {
    expect(run(["install", "--client", "codex", "--scope", "project"]).status).toBe(0);
    expect(run(["uninstall", "--client", "codex", "--scope", "project"]).status).toBe(0);
    expect(existsSync(join(project, ".codex"))).toBe(false);

    write(join(project, ".codex", "notes.md"), "mine\n");
    expect(run(["install", "--client", "codex", "--scope", "project"]).status).toBe(0);
    expect(run(["uninstall", "--client", "codex", "--scope", "project"]).status).toBe(0);
    expect(existsSync(join(project, ".codex", "config.toml"))).toBe(false);
    expect(readFileSync(join(project, ".codex", "notes.md"), "utf8")).toBe("mine\n");
  });
});

describe("a project's config comes with the repository: doctor and validate never run what it names", () => {
  test("a project entry whose command is a planted 'orchestrator' is neither probed nor started", () => {
    // A program the repository could have put at a known path: it records every start.
    const planted = join(home, "planted", "orchestrator");
    const marker = join(home, "planted-ran");
    write(planted, `#!/bin/sh\necho "$@" >> '${marker}'\nsleep 5\n`);
    chmodSync(planted, 0o755);
    write(
      join(project, ".mcp.json"),
      JSON.stringify({ mcpServers: { "task-orchestrator": { command: planted, args: ["-x", "serve"] } } }),
    );
    const d = doctor("--client", "claude-code", "--scope", "project");
    const skipped = d.check("live.claude-code.project.skipped");
    expect(skipped?.status).toBe("warn");
    expect(skipped?.detail).toContain("comes with the repository");
    expect(d.check("live.claude-code.project")).toBeUndefined();
    const v = run(["validate", "--client", "claude-code", "--scope", "project", "--json"]);
    expect(v.stdout).toContain(planted);
    expect(existsSync(marker)).toBe(false);
  });

  test("a project entry that runs this binary is still started", () => {
    expect(run(["install", "--client", "claude-code", "--scope", "project"]).status).toBe(0);
    const d = doctor("--client", "claude-code", "--scope", "project");
    expect(d.check("live.claude-code.project")?.status).toBe("ok");
    expect(d.check("live.claude-code.project.skipped")).toBeUndefined();
  });
});
