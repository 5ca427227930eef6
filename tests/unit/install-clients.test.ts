import { describe, expect, test } from "bun:test";
import {
  CLIENT_IDS,
  CLIENTS,
  claudeDesktopCandidates,
  clientSpec,
  configFiles,
  hasProjectScope,
  hasScope,
  parseClientId,
  resolveClientPath,
  scopePrecedence,
  scopesOf,
} from "../../src/install/clients.ts";
import { unifiedDiff } from "../../src/install/diff.ts";
import { buildServerEntry } from "../../src/install/entry.ts";
import { newFileText } from "../../src/install/locate.ts";
import type { InstallEnv } from "../../src/install/types.ts";
import { CLIENT_CLIS, cliCommandFor } from "../../src/install/via-cli.ts";

const linux: InstallEnv = { platform: "linux", homedir: "/home/ada", vars: {} };
const mac: InstallEnv = { platform: "darwin", homedir: "/Users/ada", vars: {} };
const win: InstallEnv = {
  platform: "win32",
  homedir: "C:\\Users\\ada",
  appData: "C:\\Users\\ada\\AppData\\Roaming",
  localAppData: "C:\\Users\\ada\\AppData\\Local",
  vars: {},
};

describe("client table", () => {
  test("has the 16 clients, each with a label, format, key path and shape", () => {
    expect(CLIENT_IDS).toEqual([
      "claude-desktop",
      "claude-code",
      "cursor",
      "windsurf",
      "vscode",
      "zed",
      "codex",
      "gemini-cli",
      "cline",
      "roo-code",
      "continue",
      "goose",
      "lm-studio",
      "qwen-code",
      "opencode",
      "kiro",
    ]);
    for (const id of CLIENT_IDS) {
      const s = clientSpec(id);
      expect(s.label.length).toBeGreaterThan(0);
      expect(s.keyPath.length).toBeGreaterThan(0);
      for (const env of [linux, mac, win]) {
        const p = resolveClientPath(id, "user", env);
        expect(p.startsWith(env.platform === "win32" ? "C:\\" : "/")).toBe(true);
        expect(s.detect(env).length).toBeGreaterThan(0);
      }
    }
  });

  test.each([
    ["claude-desktop", mac, "/Users/ada/Library/Application Support/Claude/claude_desktop_config.json"],
    ["claude-desktop", win, "C:\\Users\\ada\\AppData\\Roaming\\Claude\\claude_desktop_config.json"],
    ["claude-desktop", linux, "/home/ada/.config/Claude/claude_desktop_config.json"],
    ["claude-code", linux, "/home/ada/.claude.json"],
    ["cursor", win, "C:\\Users\\ada\\.cursor\\mcp.json"],
    ["windsurf", mac, "/Users/ada/.codeium/windsurf/mcp_config.json"],
    ["vscode", mac, "/Users/ada/Library/Application Support/Code/User/mcp.json"],
    ["vscode", win, "C:\\Users\\ada\\AppData\\Roaming\\Code\\User\\mcp.json"],
    ["vscode", linux, "/home/ada/.config/Code/User/mcp.json"],
    ["zed", mac, "/Users/ada/.config/zed/settings.json"],
    ["zed", win, "C:\\Users\\ada\\AppData\\Roaming\\Zed\\settings.json"],
    ["codex", linux, "/home/ada/.codex/config.toml"],
    ["gemini-cli", win, "C:\\Users\\ada\\.gemini\\settings.json"],
    [
      "cline",
      linux,
      "/home/ada/.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
    ],
    [
      "roo-code",
      mac,
      "/Users/ada/Library/Application Support/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json",
    ],
    ["continue", win, "C:\\Users\\ada\\.continue\\config.yaml"],
    ["goose", linux, "/home/ada/.config/goose/config.yaml"],
    ["goose", win, "C:\\Users\\ada\\AppData\\Roaming\\Block\\goose\\config\\config.yaml"],
    ["lm-studio", linux, "/home/ada/.lmstudio/mcp.json"],
    ["opencode", mac, "/Users/ada/.config/opencode/opencode.json"],
    ["kiro", linux, "/home/ada/.kiro/settings/mcp.json"],
    ["qwen-code", linux, "/home/ada/.qwen/settings.json"],
    ["qwen-code", win, "C:\\Users\\ada\\.qwen\\settings.json"],
  ] as const)("%s user config on %o", (id, env, expected) => {
    expect(resolveClientPath(id, "user", env)).toBe(expected);
  });

  test("XDG_CONFIG_HOME, CODEX_HOME, CLAUDE_CONFIG_DIR and GOOSE_CONFIG_DIR are honoured", () => {
    const xdg: InstallEnv = { ...linux, xdgConfigHome: "/xdg" };
    expect(resolveClientPath("zed", "user", xdg)).toBe("/xdg/zed/settings.json");
    expect(resolveClientPath("vscode", "user", xdg)).toBe("/xdg/Code/User/mcp.json");
    // macOS apps that use ~/.config do not read XDG_CONFIG_HOME
    expect(resolveClientPath("zed", "user", { ...mac, xdgConfigHome: "/xdg" })).toBe(
      "/Users/ada/.config/zed/settings.json",
    );
    const vars = {
      CODEX_HOME: "/opt/codex",
      CLAUDE_CONFIG_DIR: "/opt/claude",
      GOOSE_CONFIG_DIR: "/opt/goose",
    };
    expect(resolveClientPath("codex", "user", { ...linux, vars })).toBe("/opt/codex/config.toml");
    expect(resolveClientPath("claude-code", "user", { ...linux, vars })).toBe("/opt/claude/.claude.json");
    expect(resolveClientPath("goose", "user", { ...linux, vars })).toBe("/opt/goose/config.yaml");
  });

  test("Claude Desktop on Windows also looks at the Store (MSIX) copy", () => {
    expect(claudeDesktopCandidates(win)).toEqual([
      "C:\\Users\\ada\\AppData\\Roaming\\Claude\\claude_desktop_config.json",
      "C:\\Users\\ada\\AppData\\Local\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json",
    ]);
    expect(claudeDesktopCandidates(mac)).toHaveLength(1);
  });

  test("keys and shapes that differ between clients", () => {
    expect(CLIENTS.vscode.keyPath).toEqual(["servers"]);
    expect(CLIENTS.zed.keyPath).toEqual(["context_servers"]);
    expect(CLIENTS.goose).toMatchObject({ keyPath: ["extensions"], shape: "goose", format: "yaml" });
    expect(CLIENTS.codex).toMatchObject({ keyPath: ["mcp_servers"], format: "toml" });
    expect(CLIENTS.continue).toMatchObject({ container: "list", format: "yaml" });
    expect(CLIENTS.opencode).toMatchObject({ keyPath: ["mcp"], shape: "opencode" });
  });

  test("project scope exists only where the client reads a project file", () => {
    expect(resolveClientPath("vscode", "project", linux, "/work/app")).toBe("/work/app/.vscode/mcp.json");
    expect(resolveClientPath("claude-code", "project", linux, "/work/app")).toBe("/work/app/.mcp.json");
    expect(resolveClientPath("cursor", "project", win, "D:\\app")).toBe("D:\\app\\.cursor\\mcp.json");
    expect(hasProjectScope("claude-desktop")).toBe(false);
    expect(() => resolveClientPath("claude-desktop", "project", linux, "/work/app")).toThrow(/no project/);
  });

  test("every file a client reads per scope, highest precedence first, includes the one install creates", () => {
    for (const id of CLIENT_IDS) {
      for (const scope of scopesOf(id)) {
        const files = configFiles(id, scope, linux, "/work/app").map((l) => l.path);
        expect(files).toContain(resolveClientPath(id, scope, linux, "/work/app"));
        expect(new Set(files).size).toBe(files.length);
      }
    }
    // OpenCode merges config.json < opencode.json < opencode.jsonc globally, jsonc < json in a project.
    expect(configFiles("opencode", "user", linux).map((l) => l.path)).toEqual([
      "/home/ada/.config/opencode/opencode.jsonc",
      "/home/ada/.config/opencode/opencode.json",
      "/home/ada/.config/opencode/config.json",
    ]);
    expect(configFiles("opencode", "project", linux, "/work/app").map((l) => l.path)).toEqual([
      "/work/app/opencode.json",
      "/work/app/opencode.jsonc",
    ]);
    expect(configFiles("claude-desktop", "user", win).map((l) => l.path)).toEqual(
      claudeDesktopCandidates(win),
    );
  });

  test("Claude Code's local scope is its user file, under the project folder's key", () => {
    expect(scopesOf("claude-code")).toEqual(["user", "project", "local"]);
    expect(scopePrecedence("claude-code")).toEqual(["local", "project", "user"]);
    expect(configFiles("claude-code", "local", linux, "/work/app")).toEqual([
      {
        path: "/home/ada/.claude.json",
        format: "json",
        keyPath: ["projects", "/work/app", "mcpServers"],
        container: "map",
        shape: "typed-stdio",
      },
    ]);
    expect(CLIENT_IDS.filter((id) => hasScope(id, "local"))).toEqual(["claude-code"]);
    expect(scopesOf("continue")).toEqual(["user"]);
  });

  test("Qwen Code reads the Gemini CLI format in ~/.qwen and .qwen", () => {
    expect(CLIENTS["qwen-code"]).toMatchObject({
      format: "jsonc",
      keyPath: ["mcpServers"],
      container: "map",
      shape: "stdio",
    });
    expect(resolveClientPath("qwen-code", "project", linux, "/work/app")).toBe(
      "/work/app/.qwen/settings.json",
    );
    expect(parseClientId("qwen")).toBe("qwen-code");
  });

  test("a Continue file we create has the keys the Continue CLI requires", () => {
    expect(clientSpec("continue").requiredKeys).toEqual(["name", "version"]);
    expect(newFileText("continue")).toBe("name: Local Config\nversion: 1.0.0\nschema: v1\n");
    for (const id of CLIENT_IDS) {
      const spec = clientSpec(id);
      for (const k of spec.requiredKeys ?? []) expect(spec.newFileKeys?.[k]).toBeDefined();
      if (!spec.newFileKeys) expect(newFileText(id)).toBe("");
    }
  });

  test("--via-cli commands exist only for the scopes the client's command really writes", () => {
    const entry = buildServerEntry({ command: "/bin/orchestrator", scope: "project", projectDir: "/p" });
    expect(Object.keys(CLIENT_CLIS).sort()).toEqual(
      CLIENT_IDS.filter((id) => clientSpec(id).cli !== undefined).sort(),
    );
    // `codex mcp add` has no project scope: it would write a user-wide entry pinned to one project.
    expect(cliCommandFor("codex", entry, "project")).toBeUndefined();
    expect(cliCommandFor("vscode", entry, "project")).toBeUndefined();
    expect(cliCommandFor("claude-code", entry, "local")?.slice(0, 5)).toEqual([
      "claude",
      "mcp",
      "add-json",
      "--scope",
      "local",
    ]);
    expect(cliCommandFor("qwen-code", entry, "project")).toEqual([
      "qwen",
      "mcp",
      "add",
      "--scope",
      "project",
      "task-orchestrator",
      "/bin/orchestrator",
      "serve",
      "--workspace",
      "/p",
    ]);
    for (const [id, cli] of Object.entries(CLIENT_CLIS)) {
      for (const scope of cli?.scopes ?? []) expect(hasScope(id as never, scope)).toBe(true);
    }
  });

  test("client names people type", () => {
    expect(parseClientId("Cursor")).toBe("cursor");
    expect(parseClientId("claude")).toBe("claude-desktop");
    expect(parseClientId("code")).toBe("vscode");
    expect(parseClientId("gemini")).toBe("gemini-cli");
    expect(parseClientId("notepad")).toBeUndefined();
  });
});

describe("unifiedDiff", () => {
  test("equal texts give no diff", () => {
    expect(unifiedDiff("a\n", "a\n", "f")).toBe("");
  });

  test("a change in the middle shows 3 lines of context and correct ranges", () => {
    const before = `${Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n")}\n`;
    const after = before.replace("line 10\n", "line 10\ninserted\n");
    expect(unifiedDiff(before, after, "cfg.json")).toBe(
      [
        "--- cfg.json",
        "+++ cfg.json",
        "@@ -8,6 +8,7 @@",
        " line 8",
        " line 9",
        " line 10",
        "+inserted",
        " line 11",
        " line 12",
        " line 13",
        "",
      ].join("\n"),
    );
  });

  test("a new file, and a file without a final newline", () => {
    expect(unifiedDiff("", "{}\n", "new.json")).toBe("--- new.json\n+++ new.json\n@@ -0,0 +1,1 @@\n+{}\n");
    expect(unifiedDiff("a", "b", "x")).toContain("\\ No newline at end of file");
  });

  test("a large file with one changed line stays fast and exact", () => {
    const big = `${Array.from({ length: 200_000 }, (_, i) => `"k${i}": ${i},`).join("\n")}\n`;
    const changed = big.replace('"k100000": 100000,', '"k100000": 1,');
    const d = unifiedDiff(big, changed, "big.json");
    expect(d.split("\n").filter((l) => l.startsWith("-") && !l.startsWith("---"))).toEqual([
      '-"k100000": 100000,',
    ]);
    expect(d).toContain("@@ -99998,7 +99998,7 @@");
  });
});
