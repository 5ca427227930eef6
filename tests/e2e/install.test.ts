import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CLIENT_IDS, CLIENTS, type ClientId, resolveClientPath } from "../../src/install/clients.ts";
import type { InstallEnv } from "../../src/install/types.ts";
import { BINARY } from "../helpers/client.ts";

// The compiled binary against a temporary HOME, for every client in the table.
let home: string;
let env: Record<string, string>;
beforeEach(() => {
  home = realpathSync(mkdtempSync(join(tmpdir(), "orch-home-")));
  env = { HOME: home, PATH: process.env.PATH ?? "", ORCHESTRATOR_HOME: join(home, ".orchestrator-data") };
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const run = (args: string[], extra: Record<string, string> = {}) =>
  spawnSync(BINARY, args, { cwd: home, encoding: "utf8", env: { ...env, ...extra } });
const ienv = (): InstallEnv => ({ platform: "linux", homedir: home, vars: {} });
const pathOf = (id: ClientId) => resolveClientPath(id, "user", ienv());

/** A realistic existing config for a client: other servers, unrelated settings, comments where allowed. */
function seed(id: ClientId): string {
  const spec = CLIENTS[id];
  const keys = spec.keyPath;
  if (spec.format === "toml") {
    return '# my codex settings\nmodel = "o3"\n\n[mcp_servers.other]\ncommand = "/usr/bin/other"\nargs = ["--flag"]\n\n[profiles.fast]\nmodel = "o4-mini"\n';
  }
  if (spec.format === "yaml") {
    if (spec.container === "list")
      return "# Continue config\nname: My Config\nversion: 1.0.0\nmcpServers:\n  - name: other\n    command: /usr/bin/other\n";
    return `# goose settings\nGOOSE_MODEL: gpt-4o\n${keys[0]}:\n  other:\n    name: other\n    type: stdio\n    cmd: /usr/bin/other\n    args: []\n    enabled: true\n`;
  }
  let inner = '{\n      "other-server": { "command": "/usr/bin/other", "args": ["x"] }\n    }';
  for (let i = keys.length - 1; i >= 1; i--) inner = `{ "${keys[i]}": ${inner} }`;
  const comment = spec.format === "jsonc" ? "  // user settings, keep me\n" : "";
  return `{\n${comment}  "theme": "dark",\n  "${keys[0]}": ${inner},\n  "numbers": [1, 2, 3]\n}\n`;
}

describe("install / validate / uninstall / rollback on a temp HOME", () => {
  test.each(CLIENT_IDS.map((id) => [id]))("%s", (id) => {
    const path = pathOf(id);
    mkdirSync(dirname(path), { recursive: true });
    const original = seed(id);
    writeFileSync(path, original);

    const dry = run(["install", "--client", id, "--dry-run"]);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain("+++");
    expect(readFileSync(path, "utf8")).toBe(original);

    const first = run(["install", "--client", id, "--json"]);
    expect(first.status).toBe(0);
    const r1 = JSON.parse(first.stdout).results[0];
    expect(r1.status).toBe("applied");
    const installed = readFileSync(path, "utf8");
    expect(installed).toContain(BINARY);
    expect(installed).toContain("task-orchestrator");

    const check = run(["validate", "--client", id, "--json"]);
    const v = JSON.parse(check.stdout);
    expect(v.clients[0]).toMatchObject({ found: true, parses: true, installed: true, problems: [] });
    expect(v.clients[0].version).toMatch(/^\d+\.\d+\.\d+/);
    expect(check.status).toBe(0);

    const again = run(["install", "--client", id, "--json"]);
    expect(JSON.parse(again.stdout).results[0].status).toBe("unchanged");
    expect(readFileSync(path, "utf8")).toBe(installed);

    const un = run(["uninstall", "--client", id, "--json"]);
    expect(un.status).toBe(0);
    expect(readFileSync(path, "utf8")).toBe(original);

    const back = run(["rollback", "--client", id]);
    expect(back.status).toBe(0);
    expect(readFileSync(path, "utf8")).toBe(installed);
    const list = JSON.parse(run(["backups", "--client", id, "--json"]).stdout);
    expect(list.backups.length).toBe(3);
  });
});

describe("never damaging a config", () => {
  test.each([
    ["cursor", '{\n  "mcpServers": {\n    "a": { "command": "x" }\n    "b": 1\n  }\n}\n', 4],
    ["goose", "extensions:\n  a:\n   cmd: x\n  b: [\n", 5],
    ["codex", '[mcp_servers.a]\ncommand = "x"\nargs = [\n', 4],
    ["vscode", '{\n  "servers": {\n    "a": { "command": "x", }\n  }\n  "oops": 1\n}\n', 5],
  ])("a broken %s file is refused with its line and left byte-identical", (id, text, line) => {
    const path = pathOf(id as ClientId);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text as string);
    const r = run(["install", "--client", id as string]);
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain(`line ${line}`);
    expect(readFileSync(path, "utf8")).toBe(text as string);
    expect(existsSync(join(home, ".orchestrator-data", "backups", "manifest.json"))).toBe(false);
  });

  test.each([["after-backup"], ["after-write"]])("a failure %s restores the original bytes", (fault) => {
    const path = pathOf("cursor");
    mkdirSync(dirname(path), { recursive: true });
    const original = seed("cursor");
    writeFileSync(path, original);
    chmodSync(path, 0o640);
    const r = run(["install", "--client", "cursor", "--json"], {
      ORCHESTRATOR_INSTALL_FAULT: fault as string,
    });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).results[0].status).toBe("rolled_back");
    expect(readFileSync(path, "utf8")).toBe(original);
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  test("a symlinked config is edited at its target and stays a symlink", () => {
    const path = pathOf("cursor");
    mkdirSync(dirname(path), { recursive: true });
    const target = join(home, "dotfiles", "cursor-mcp.json");
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, seed("cursor"));
    symlinkSync(target, path);
    expect(run(["install", "--client", "cursor"]).status).toBe(0);
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toContain("task-orchestrator");
    expect(run(["uninstall", "--client", "cursor"]).status).toBe(0);
    expect(readFileSync(target, "utf8")).toBe(seed("cursor"));
  });

  test("a symlink leading out of the home folder is refused and nothing is written", () => {
    const path = pathOf("cursor");
    mkdirSync(dirname(path), { recursive: true });
    const outside = realpathSync(mkdtempSync(join(tmpdir(), "orch-outside-")));
    try {
      const target = join(outside, "mcp.json");
      writeFileSync(target, seed("cursor"));
      symlinkSync(target, path);
      const r = run(["install", "--client", "cursor"]);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain("outside");
      expect(readFileSync(target, "utf8")).toBe(seed("cursor"));
      expect(lstatSync(path).isSymbolicLink()).toBe(true);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test("a foreign server under our name is kept unless --force", () => {
    const path = pathOf("cursor");
    mkdirSync(dirname(path), { recursive: true });
    const text =
      '{\n  "mcpServers": {\n    "task-orchestrator": { "command": "python", "args": ["-m", "mcp_task_orchestrator"] }\n  }\n}\n';
    writeFileSync(path, text);
    const r = run(["install", "--client", "cursor"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("--force");
    expect(readFileSync(path, "utf8")).toBe(text);
    expect(run(["install", "--client", "cursor", "--force"]).status).toBe(0);
    expect(readFileSync(path, "utf8")).toContain(BINARY);
  });

  test("a missing file is created and uninstall removes it again; usage errors exit 2", () => {
    const path = pathOf("windsurf");
    expect(run(["install", "--client", "windsurf"]).status).toBe(0);
    expect(JSON.parse(readFileSync(path, "utf8")).mcpServers["task-orchestrator"].args).toEqual(["serve"]);
    expect(run(["uninstall", "--client", "windsurf"]).status).toBe(0);
    expect(existsSync(path)).toBe(false);
    expect(run(["install", "--client", "notepad"]).status).toBe(2);
    expect(run(["install"]).status).toBe(2);
    expect(run(["install", "--client", "cursor", "--scope", "galaxy"]).status).toBe(2);
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code's own variable, written literally
  test("project scope writes the project's file, with ${workspaceFolder} for VS Code", () => {
    const proj = join(home, "proj");
    mkdirSync(proj);
    expect(run(["install", "--client", "vscode", "--scope", "project", "--project", proj]).status).toBe(0);
    const cfg = JSON.parse(readFileSync(join(proj, ".vscode", "mcp.json"), "utf8"));
    expect(cfg.servers["task-orchestrator"]).toEqual({
      type: "stdio",
      command: BINARY,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code's own variable, written literally
      args: ["serve", "--workspace", "${workspaceFolder}"],
    });
    expect(run(["install", "--client", "cursor", "--scope", "project", "--project", proj]).status).toBe(0);
    const cur = JSON.parse(readFileSync(join(proj, ".cursor", "mcp.json"), "utf8"));
    expect(cur.mcpServers["task-orchestrator"].args).toEqual(["serve", "--workspace", proj]);
  });
});
