import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gateInputFor } from "../../src/install/gate-files.ts";
import { gateFor, gateNotice } from "../../src/install/gates.ts";
import type { InstallEnv, Scope } from "../../src/install/types.ts";

// The gate rules against real files in a temp HOME and project, read the way doctor reads them.
// tests/real-clients holds the same rules against the real client CLIs.
let root: string;
let home: string;
let project: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "orch-gates-")));
  home = join(root, "home");
  project = join(root, "work", "proj");
  mkdirSync(home, { recursive: true });
  mkdirSync(join(project, ".git"), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const env = (vars: Record<string, string> = {}): InstallEnv => ({ platform: "linux", homedir: home, vars });
const put = (path: string, text: string) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};
const state = (
  id: "gemini-cli" | "codex" | "claude-code" | "qwen-code",
  scope: Scope = "project",
  vars = {},
  folder = project,
) => gateFor(id, scope, gateInputFor(env(vars), folder));

describe("Gemini CLI folder trust", () => {
  const trust = (rules: Record<string, string>) =>
    put(join(home, ".gemini", "trustedFolders.json"), JSON.stringify(rules));

  test("closed with no trust file, for user-level entries too; the fix's rule opens it", () => {
    const closed = state("gemini-cli", "user");
    expect(closed).toMatchObject({ status: "closed" });
    if (closed?.status !== "closed") throw new Error("unreachable");
    expect(closed.fix).toContain(`"${project}": "TRUST_FOLDER"`);
    trust({ [project]: "TRUST_FOLDER" });
    expect(state("gemini-cli", "user")).toMatchObject({ status: "open" });
  });

  test("TRUST_PARENT trusts the folder above its key; a trusted parent covers subfolders", () => {
    trust({ [join(root, "work", "sibling")]: "TRUST_PARENT" });
    expect(state("gemini-cli")).toMatchObject({ status: "open" });
    trust({ [root]: "TRUST_FOLDER" });
    expect(state("gemini-cli")).toMatchObject({ status: "open" });
    trust({ [join(root, "wor")]: "TRUST_FOLDER" });
    expect(state("gemini-cli")).toMatchObject({ status: "closed" });
  });

  test("the longest matching rule wins: DO_NOT_TRUST on the folder beats a trusted parent", () => {
    trust({ [root]: "TRUST_FOLDER", [project]: "DO_NOT_TRUST" });
    const s = state("gemini-cli");
    expect(s).toMatchObject({ status: "closed" });
    expect(s?.detail).toContain("DO_NOT_TRUST");
  });

  test("a symlinked folder is matched by its real path", () => {
    const link = join(root, "link");
    symlinkSync(project, link);
    trust({ [project]: "TRUST_FOLDER" });
    expect(state("gemini-cli", "project", {}, link)).toMatchObject({ status: "open" });
  });

  test("folder trust off in settings, or trusted by the environment: open", () => {
    put(
      join(home, ".gemini", "settings.json"),
      '{\n  // mine\n  "security": { "folderTrust": { "enabled": false } }\n}',
    );
    expect(state("gemini-cli")).toMatchObject({ status: "open" });
    rmSync(join(home, ".gemini", "settings.json"));
    expect(state("gemini-cli", "project", { GEMINI_CLI_TRUST_WORKSPACE: "true" })).toMatchObject({
      status: "open",
    });
    trust({ [project]: "TRUST_FOLDER" });
    expect(state("gemini-cli", "project", { GEMINI_CLI_TRUST_WORKSPACE: "false" })).toMatchObject({
      status: "closed",
    });
  });

  test("a trust file Gemini would refuse to start with is reported as such", () => {
    trust({ [project]: "TRUSTED" });
    expect(state("gemini-cli")?.detail).toContain("refuses to start");
  });

  test("GEMINI_CLI_TRUSTED_FOLDERS_PATH moves the trust file", () => {
    const moved = join(root, "trust.json");
    put(moved, JSON.stringify({ [project]: "TRUST_FOLDER" }));
    expect(state("gemini-cli")).toMatchObject({ status: "closed" });
    expect(state("gemini-cli", "project", { GEMINI_CLI_TRUSTED_FOLDERS_PATH: moved })).toMatchObject({
      status: "open",
    });
  });
});

describe("Codex project trust", () => {
  const config = (text: string, dir = join(home, ".codex")) => put(join(dir, "config.toml"), text);

  test("user scope has no gate", () => {
    expect(state("codex", "user")).toBeUndefined();
  });

  test("closed until the git root is trusted; the fix's table opens it", () => {
    const closed = state("codex");
    if (closed?.status !== "closed") throw new Error(`expected closed, got ${JSON.stringify(closed)}`);
    expect(closed.fix).toContain(`[projects.${JSON.stringify(project)}]`);
    config(`model = "o3"\n\n[projects.${JSON.stringify(project)}]\ntrust_level = "trusted"\n`);
    expect(state("codex")).toMatchObject({ status: "open" });
  });

  test("keyed by the git root: a trusted subfolder or parent does not count", () => {
    const sub = join(project, "packages", "a");
    mkdirSync(sub, { recursive: true });
    config(`[projects.${JSON.stringify(sub)}]\ntrust_level = "trusted"\n`);
    expect(state("codex", "project", {}, sub)).toMatchObject({ status: "closed" });
    config(`[projects.${JSON.stringify(root)}]\ntrust_level = "trusted"\n`);
    expect(state("codex")).toMatchObject({ status: "closed" });
    config(`projects = { ${JSON.stringify(project)} = { trust_level = "trusted" } }\n`);
    expect(state("codex", "project", {}, sub)).toMatchObject({ status: "open" });
  });

  test("untrusted is closed and says so; a broken config.toml is named; CODEX_HOME moves the file", () => {
    config(`[projects.${JSON.stringify(project)}]\ntrust_level = "untrusted"\n`);
    expect(state("codex")?.detail).toContain("untrusted");
    config("[projects\n");
    expect(state("codex")?.detail).toContain("does not parse");
    const codexHome = join(root, "codex-home");
    config(`[projects.${JSON.stringify(project)}]\ntrust_level = "trusted"\n`, codexHome);
    expect(state("codex", "project", { CODEX_HOME: codexHome })).toMatchObject({ status: "open" });
  });
});

describe("Claude Code project approval", () => {
  test("pending until approved; the fix's file opens it", () => {
    const closed = state("claude-code");
    if (closed?.status !== "closed") throw new Error(`expected closed, got ${JSON.stringify(closed)}`);
    expect(closed.detail).toContain("Pending approval");
    expect(closed.fix).toContain(join(project, ".claude", "settings.local.json"));
    put(
      join(project, ".claude", "settings.local.json"),
      JSON.stringify({ enabledMcpjsonServers: ["task-orchestrator"] }),
    );
    expect(state("claude-code")).toMatchObject({ status: "open" });
  });

  test("every place Claude reads an approval from counts", () => {
    put(join(home, ".claude", "settings.json"), JSON.stringify({ enableAllProjectMcpServers: true }));
    expect(state("claude-code")).toMatchObject({ status: "open" });
    rmSync(join(home, ".claude"), { recursive: true });
    put(
      join(project, ".claude", "settings.json"),
      JSON.stringify({ enabledMcpjsonServers: ["task-orchestrator"] }),
    );
    expect(state("claude-code")).toMatchObject({ status: "open" });
    rmSync(join(project, ".claude"), { recursive: true });
    put(
      join(home, ".claude.json"),
      JSON.stringify({ projects: { [project]: { enabledMcpjsonServers: ["task-orchestrator"] } } }),
    );
    expect(state("claude-code")).toMatchObject({ status: "open" });
    const configDir = join(root, "claude-config");
    expect(state("claude-code", "project", { CLAUDE_CONFIG_DIR: configDir })).toMatchObject({
      status: "closed",
    });
  });

  test("a rejection anywhere wins over an approval, and the fix names the file", () => {
    put(join(home, ".claude", "settings.json"), JSON.stringify({ enableAllProjectMcpServers: true }));
    put(
      join(project, ".claude", "settings.local.json"),
      JSON.stringify({ disabledMcpjsonServers: ["task-orchestrator"] }),
    );
    const s = state("claude-code");
    if (s?.status !== "closed") throw new Error(`expected closed, got ${JSON.stringify(s)}`);
    expect(s.detail).toContain("rejected");
    expect(s.fix).toContain("disabledMcpjsonServers");
  });
});

describe("Qwen Code folder trust", () => {
  const rules = (r: Record<string, string>) =>
    put(join(home, ".qwen", "trustedFolders.json"), JSON.stringify(r));

  test("open unless folder trust is on and the folder itself is marked DO_NOT_TRUST", () => {
    expect(state("qwen-code")).toMatchObject({ status: "open" });
    expect(state("qwen-code", "user")).toBeUndefined();
    rules({ [project]: "DO_NOT_TRUST" });
    expect(state("qwen-code")).toMatchObject({ status: "open" }); // folder trust is off by default
    put(
      join(home, ".qwen", "settings.json"),
      JSON.stringify({ security: { folderTrust: { enabled: true } } }),
    );
    const closed = state("qwen-code");
    if (closed?.status !== "closed") throw new Error(`expected closed, got ${JSON.stringify(closed)}`);
    expect(closed.fix).toContain("TRUST_FOLDER");
    // A trusting rule that covers the folder wins over DO_NOT_TRUST; no rule at all counts as trusted.
    rules({ [root]: "TRUST_FOLDER", [project]: "DO_NOT_TRUST" });
    expect(state("qwen-code")).toMatchObject({ status: "open" });
    rules({ [join(project, "sub")]: "DO_NOT_TRUST" });
    expect(state("qwen-code")).toMatchObject({ status: "open" });
  });
});

describe("install's notice", () => {
  test("a line for a closed gate, nothing for an open gate or an ungated scope", () => {
    const input = gateInputFor(env(), project);
    expect(gateNotice("claude-code", "Claude Code", "project", input)).toContain(
      "will not load this entry yet",
    );
    expect(gateNotice("claude-code", "Claude Code", "user", input)).toBeUndefined();
    expect(gateNotice("cursor", "Cursor", "project", input)).toBeUndefined();
    expect(gateNotice("gemini-cli", "Gemini CLI", "user", input)).toContain(
      "in a folder you have not trusted",
    );
    put(join(home, ".gemini", "trustedFolders.json"), JSON.stringify({ [project]: "TRUST_FOLDER" }));
    expect(gateNotice("gemini-cli", "Gemini CLI", "user", input)).toBeUndefined();
  });
});
