/**
 * The real-client suite: pinned client CLIs from npm (tests/real-clients/pinned.ts) read what
 * `orchestrator install` wrote, list it, and health-check it by starting our compiled binary.
 * Run by `bun run test:clients` (scripts/real-clients.ts installs the clients first); the default
 * `bun test` does not pick this file up (its name does not end in .test.ts).
 *
 * Each test is one scenario in a fresh HOME and `git init`'d project: no API key, no network
 * beyond what the clients try on their own (the quiet env turns that off where they allow it).
 */
import { afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { BINARY } from "../helpers/client.ts";
import { checksFor, gateCheck, lineOf, Sandbox } from "./harness.ts";
import { binPath, isInstalled, PINNED } from "./pinned.ts";

setDefaultTimeout(300_000);
const NAME = "task-orchestrator";

beforeAll(() => {
  const missing = PINNED.filter((c) => !isInstalled(c)).map((c) => `${c.pkg}@${c.version} (${binPath(c)})`);
  if (missing.length > 0) {
    throw new Error(
      `pinned clients missing: ${missing.join(", ")}. Run 'bun run test:clients', which installs them.`,
    );
  }
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run 'bun run build'.`);
});

let sb: Sandbox;
const sandbox = (label: string) => {
  sb = new Sandbox(label);
  return sb;
};
afterEach(() => sb?.done());

/** Our install/uninstall succeeded; the output is in the failure message when it did not. */
async function orchOk(args: string[]) {
  const r = await sb.orch(args);
  expect({ code: r.code, out: r.out }).toMatchObject({ code: 0 });
  return r;
}

/** Doctor has an ok entry check for this client naming `path` (the file it found our entry in). */
function expectDoctorSees(report: Awaited<ReturnType<Sandbox["doctor"]>>, client: string, path: string) {
  const checks = checksFor(report, client);
  const seen = checks.find((c) => c.status === "ok" && c.detail.includes(path));
  expect(seen ?? checks).toMatchObject({ status: "ok" });
}

const json = (text: string | undefined): Record<string, unknown> => (text ? parseJsonc(text) : {});

describe("Claude Code", () => {
  const claudeJson = () => join(sb.home, ".claude.json");

  test("user scope: claude lists our entry as Connected; doctor agrees; uninstall removes it", async () => {
    sandbox("claude-user");
    await orchOk(["install", "--client", "claude-code"]);
    const list = await sb.client("claude-code", ["mcp", "list"]);
    expect(lineOf(list.out, NAME) ?? list.out).toContain("Connected");
    const get = await sb.client("claude-code", ["mcp", "get", NAME]);
    expect(get.out).toMatch(/Scope: User/);
    expectDoctorSees(await sb.doctor("claude-code"), "claude-code", claudeJson());
    await orchOk(["uninstall", "--client", "claude-code"]);
    expect(lineOf((await sb.client("claude-code", ["mcp", "list"])).out, NAME)).toBeUndefined();
  });

  test("project scope: Pending approval until approved, Rejected when rejected; install and doctor say so", async () => {
    sandbox("claude-project");
    const inst = await orchOk(["install", "--client", "claude-code", "--scope", "project"]);
    expect(inst.out).toContain("enabledMcpjsonServers");
    const pending = await sb.client("claude-code", ["mcp", "list"]);
    expect(lineOf(pending.out, NAME) ?? pending.out).toContain("Pending approval");
    let report = await sb.doctor("claude-code");
    expect(gateCheck(report, "claude-code")).toMatchObject({ status: "warn" });
    expect(report.verdict).not.toBe("ok");

    const local = join(sb.project, ".claude", "settings.local.json");
    sb.write(local, JSON.stringify({ enabledMcpjsonServers: [NAME] }));
    const approved = await sb.client("claude-code", ["mcp", "list"]);
    expect(lineOf(approved.out, NAME) ?? approved.out).toContain("Connected");
    report = await sb.doctor("claude-code");
    expect(gateCheck(report, "claude-code")).toMatchObject({ status: "ok" });
    expectDoctorSees(report, "claude-code", join(sb.project, ".mcp.json"));

    sb.write(local, JSON.stringify({ disabledMcpjsonServers: [NAME] }));
    const rejected = await sb.client("claude-code", ["mcp", "get", NAME]);
    expect(rejected.out).toContain("Rejected");
    expect(gateCheck(await sb.doctor("claude-code"), "claude-code")).toMatchObject({ status: "warn" });

    await orchOk(["uninstall", "--client", "claude-code", "--scope", "project"]);
    expect(lineOf((await sb.client("claude-code", ["mcp", "list"])).out, NAME)).toBeUndefined();
  });

  test("local scope (claude's default): our install, claude's own add, doctor and uninstall all see it", async () => {
    sandbox("claude-local");
    const add = await sb.client("claude-code", ["mcp", "add", NAME, "--", BINARY, "serve"]);
    expect(add.out).toMatch(/local config/i);
    expectDoctorSees(await sb.doctor("claude-code"), "claude-code", claudeJson());
    const v = await sb.orch(["validate", "--client", "claude-code", "--scope", "local"]);
    expect({ code: v.code, out: v.out }).toMatchObject({ code: 0 });
    await orchOk(["uninstall", "--client", "claude-code", "--scope", "local"]);
    expect(lineOf((await sb.client("claude-code", ["mcp", "list"])).out, NAME)).toBeUndefined();

    await orchOk(["install", "--client", "claude-code", "--scope", "local"]);
    const get = await sb.client("claude-code", ["mcp", "get", NAME]);
    expect(get.out).toMatch(/Scope: Local/);
    expect(get.out).toContain("Connected");
  });

  test("--via-cli: claude's own mcp add-json writes the scope asked", async () => {
    sandbox("claude-viacli");
    await orchOk(["install", "--client", "claude-code", "--via-cli"]);
    expect((await sb.client("claude-code", ["mcp", "get", NAME])).out).toMatch(/Scope: User[\s\S]*Connected/);
    await orchOk(["install", "--client", "claude-code", "--scope", "project", "--via-cli"]);
    expect(sb.read(join(sb.project, ".mcp.json")) ?? "").toContain(NAME);
  });

  test("claude's own entries (user, local, project) are untouched by our install and uninstall", async () => {
    sandbox("claude-coexist");
    const [node, script] = sb.other;
    for (const [scope, name] of [
      ["user", "other-user"],
      ["local", "other-local"],
      ["project", "other-proj"],
    ] as const) {
      const r = await sb.client("claude-code", ["mcp", "add", "-s", scope, name, "--", node, script]);
      expect({ code: r.code, out: r.out }).toMatchObject({ code: 0 });
    }
    const mcpJson = join(sb.project, ".mcp.json");
    const projectBytes = sb.read(mcpJson);
    const entries = () => {
      const doc = json(sb.read(claudeJson())) as {
        mcpServers?: Record<string, unknown>;
        projects?: Record<string, { mcpServers?: Record<string, unknown> }>;
      };
      return {
        user: doc.mcpServers?.["other-user"],
        local: doc.projects?.[sb.project]?.mcpServers?.["other-local"],
      };
    };
    const before = entries();
    expect(before.user).toBeDefined();
    expect(before.local).toBeDefined();

    await orchOk(["install", "--client", "claude-code"]);
    await orchOk(["install", "--client", "claude-code", "--scope", "project"]);
    sb.write(
      join(sb.project, ".claude", "settings.local.json"),
      JSON.stringify({ enableAllProjectMcpServers: true }),
    );
    const list = await sb.client("claude-code", ["mcp", "list"]);
    for (const name of ["other-user", "other-local", "other-proj"]) {
      expect(lineOf(list.out, name) ?? list.out).toContain("Connected");
    }
    // Same name in two scopes with different args: Claude says so, and so must doctor.
    expect(list.out).toContain("Conflicting scopes");
    expect(
      (await sb.doctor("claude-code")).checks.find((c) => c.id === "clients.claude-code.scopes"),
    ).toMatchObject({ status: "warn" });

    await orchOk(["uninstall", "--client", "claude-code"]);
    await orchOk(["uninstall", "--client", "claude-code", "--scope", "project"]);
    expect(sb.read(mcpJson)).toBe(projectBytes);
    expect(entries()).toEqual(before);
    const get = await sb.client("claude-code", ["mcp", "get", "other-user"]);
    expect(get.out).toContain("Connected");
  });
});

describe("Gemini CLI", () => {
  const trustFile = () => join(sb.home, ".gemini", "trustedFolders.json");

  test("--via-cli: gemini's own mcp add writes the scope asked, and gemini connects to it", async () => {
    sandbox("gemini-viacli");
    sb.write(trustFile(), JSON.stringify({ [sb.project]: "TRUST_FOLDER" }));
    for (const [scope, file] of [
      ["user", join(sb.home, ".gemini", "settings.json")],
      ["project", join(sb.project, ".gemini", "settings.json")],
    ] as const) {
      await orchOk(["install", "--client", "gemini-cli", "--scope", scope, "--via-cli"]);
      expect(sb.read(file) ?? "").toContain(NAME);
      const list = await sb.client("gemini-cli", ["mcp", "list"]);
      expect(lineOf(list.out, NAME) ?? list.out).toContain("Connected");
      await orchOk(["uninstall", "--client", "gemini-cli", "--scope", scope]);
      expect(sb.read(file) ?? "").not.toContain(NAME);
    }
  });

  test("user scope: Disabled in an untrusted folder, Connected once trusted; doctor agrees each time", async () => {
    sandbox("gemini-user");
    const inst = await orchOk(["install", "--client", "gemini-cli"]);
    expect(inst.out).toContain("TRUST_FOLDER");
    const untrusted = await sb.client("gemini-cli", ["mcp", "list"]);
    expect(untrusted.out).toContain("untrusted");
    expect(lineOf(untrusted.out, NAME) ?? untrusted.out).toContain("Disabled");
    let report = await sb.doctor("gemini-cli");
    expect(gateCheck(report, "gemini-cli")).toMatchObject({ status: "warn" });
    expect(report.verdict).not.toBe("ok");

    sb.write(trustFile(), JSON.stringify({ [sb.project]: "TRUST_FOLDER" }));
    const trusted = await sb.client("gemini-cli", ["mcp", "list"]);
    expect(lineOf(trusted.out, NAME) ?? trusted.out).toContain("Connected");
    report = await sb.doctor("gemini-cli");
    expect(gateCheck(report, "gemini-cli")).toMatchObject({ status: "ok" });
    expectDoctorSees(report, "gemini-cli", join(sb.home, ".gemini", "settings.json"));

    // Trusting the parent folder counts; an explicit "don't trust" on the folder wins over it.
    sb.write(trustFile(), JSON.stringify({ [sb.project]: "TRUST_PARENT" }));
    expect(lineOf((await sb.client("gemini-cli", ["mcp", "list"])).out, NAME)).toContain("Connected");
    expect(gateCheck(await sb.doctor("gemini-cli"), "gemini-cli")).toMatchObject({ status: "ok" });
    sb.write(trustFile(), JSON.stringify({ [sb.root]: "TRUST_FOLDER", [sb.project]: "DO_NOT_TRUST" }));
    expect(lineOf((await sb.client("gemini-cli", ["mcp", "list"])).out, NAME)).toContain("Disabled");
    expect(gateCheck(await sb.doctor("gemini-cli"), "gemini-cli")).toMatchObject({ status: "warn" });

    await orchOk(["uninstall", "--client", "gemini-cli"]);
    expect(lineOf((await sb.client("gemini-cli", ["mcp", "list"])).out, NAME)).toBeUndefined();
  });

  test("project scope in a trusted folder: Connected with --workspace; doctor sees the project entry", async () => {
    sandbox("gemini-project");
    sb.write(trustFile(), JSON.stringify({ [sb.project]: "TRUST_FOLDER" }));
    await orchOk(["install", "--client", "gemini-cli", "--scope", "project"]);
    const list = await sb.client("gemini-cli", ["mcp", "list"]);
    const line = lineOf(list.out, NAME) ?? list.out;
    expect(line).toContain("Connected");
    expect(line).toContain("--workspace");
    expectDoctorSees(
      await sb.doctor("gemini-cli"),
      "gemini-cli",
      join(sb.project, ".gemini", "settings.json"),
    );
    await orchOk(["uninstall", "--client", "gemini-cli", "--scope", "project"]);
    expect(lineOf((await sb.client("gemini-cli", ["mcp", "list"])).out, NAME)).toBeUndefined();
  });

  test("gemini's own entries (user, project) are byte-identical after our install and uninstall", async () => {
    sandbox("gemini-coexist");
    sb.write(trustFile(), JSON.stringify({ [sb.project]: "TRUST_FOLDER" }));
    const [node, script] = sb.other;
    for (const [scope, name] of [
      ["user", "other-user"],
      ["project", "other-proj"],
    ] as const) {
      const r = await sb.client("gemini-cli", ["mcp", "add", "--scope", scope, name, node, script]);
      expect({ code: r.code, out: r.out }).toMatchObject({ code: 0 });
    }
    const files = [join(sb.home, ".gemini", "settings.json"), join(sb.project, ".gemini", "settings.json")];
    const before = files.map((f) => sb.read(f));
    await orchOk(["install", "--client", "gemini-cli"]);
    await orchOk(["install", "--client", "gemini-cli", "--scope", "project"]);
    const list = await sb.client("gemini-cli", ["mcp", "list"]);
    for (const name of ["other-user", "other-proj", NAME]) {
      expect(lineOf(list.out, name) ?? list.out).toContain("Connected");
    }
    await orchOk(["uninstall", "--client", "gemini-cli", "--scope", "project"]);
    await orchOk(["uninstall", "--client", "gemini-cli"]);
    expect(files.map((f) => sb.read(f))).toEqual(before);
    expect(lineOf((await sb.client("gemini-cli", ["mcp", "list"])).out, "other-user")).toContain("Connected");
  });
});

describe("OpenAI Codex", () => {
  const userToml = () => join(sb.home, ".codex", "config.toml");

  test("user scope: codex lists and gets our entry; doctor agrees; uninstall removes it", async () => {
    sandbox("codex-user");
    await orchOk(["install", "--client", "codex"]);
    const list = await sb.client("codex", ["mcp", "list"]);
    expect(lineOf(list.out, NAME) ?? list.out).toContain("enabled");
    const get = await sb.client("codex", ["mcp", "get", NAME, "--json"]);
    expect(get.out).toContain(BINARY);
    expect(await sb.codexServers()).toContainEqual({ name: NAME, server: "orchestrator", tools: 14 });
    expectDoctorSees(await sb.doctor("codex"), "codex", userToml());
    await orchOk(["uninstall", "--client", "codex"]);
    expect(lineOf((await sb.client("codex", ["mcp", "list"])).out, NAME)).toBeUndefined();
  });

  test("project scope: ignored until the project is trusted; install and doctor say so; uninstall leaves no .codex/", async () => {
    sandbox("codex-project");
    const inst = await orchOk(["install", "--client", "codex", "--scope", "project"]);
    expect(inst.out).toContain("trust_level");
    const ignored = await sb.client("codex", ["mcp", "list"]);
    expect(lineOf(ignored.out, NAME)).toBeUndefined();
    let report = await sb.doctor("codex");
    expect(gateCheck(report, "codex")).toMatchObject({ status: "warn" });
    expect(report.verdict).not.toBe("ok");

    sb.write(userToml(), `[projects.${JSON.stringify(sb.project)}]\ntrust_level = "trusted"\n`);
    const get = await sb.client("codex", ["mcp", "get", NAME, "--json"]);
    // app-server's status list (the health check above) covers user-level servers only, so the
    // project entry is proved by Codex's resolved config.
    expect(get.out).toContain("--workspace");
    report = await sb.doctor("codex");
    expect(gateCheck(report, "codex")).toMatchObject({ status: "ok" });
    expectDoctorSees(report, "codex", join(sb.project, ".codex", "config.toml"));

    await orchOk(["uninstall", "--client", "codex", "--scope", "project"]);
    expect(lineOf((await sb.client("codex", ["mcp", "list"])).out, NAME)).toBeUndefined();
    expect(existsSync(join(sb.project, ".codex"))).toBe(false);
  });

  test("--scope project --via-cli never writes a user-wide entry", async () => {
    sandbox("codex-viacli");
    await sb.orch(["install", "--client", "codex", "--scope", "project", "--via-cli"]);
    expect(sb.read(userToml()) ?? "").not.toContain(NAME);
  });

  test("codex's own entries and comments are byte-identical after our install and uninstall", async () => {
    sandbox("codex-coexist");
    const [node, script] = sb.other;
    const add = await sb.client("codex", ["mcp", "add", "other-srv", "--env", "A=1", "--", node, script]);
    expect({ code: add.code, out: add.out }).toMatchObject({ code: 0 });
    sb.write(userToml(), `# my settings\nmodel = "o3"  # inline comment\n\n${sb.read(userToml())}`);
    const before = sb.read(userToml());
    await orchOk(["install", "--client", "codex"]);
    const list = await sb.client("codex", ["mcp", "list"]);
    expect(lineOf(list.out, "other-srv") ?? list.out).toContain("enabled");
    expect(lineOf(list.out, NAME) ?? list.out).toContain("enabled");
    await orchOk(["uninstall", "--client", "codex"]);
    expect(sb.read(userToml())).toBe(before);
    const get = await sb.client("codex", ["mcp", "get", "other-srv", "--json"]);
    expect(get.out).toContain(script);
  });
});

describe("OpenCode", () => {
  const dir = () => join(sb.home, ".config", "opencode");

  test("user and project scope: opencode connects to each; doctor sees each; uninstall removes each", async () => {
    sandbox("opencode-scopes");
    for (const [scope, file] of [
      ["user", join(dir(), "opencode.json")],
      ["project", join(sb.project, "opencode.json")],
    ] as const) {
      await orchOk(["install", "--client", "opencode", "--scope", scope]);
      const list = await sb.client("opencode", ["mcp", "list"]);
      expect(lineOf(list.out, NAME) ?? list.out).toContain("connected");
      expectDoctorSees(await sb.doctor("opencode"), "opencode", file);
      await orchOk(["uninstall", "--client", "opencode", "--scope", scope]);
      expect(lineOf((await sb.client("opencode", ["mcp", "list"])).out, NAME)).toBeUndefined();
    }
  });

  test("opencode's own opencode.jsonc: we edit it in place (no second file) and leave its entries as they were", async () => {
    sandbox("opencode-jsonc");
    const [node, script] = sb.other;
    const add = await sb.client("opencode", ["mcp", "add", "other-srv", "--", node, script]);
    expect(add.out).toContain("opencode.jsonc");
    const jsonc = join(dir(), "opencode.jsonc");
    const before = sb.read(jsonc);
    await orchOk(["install", "--client", "opencode"]);
    expect(existsSync(join(dir(), "opencode.json"))).toBe(false);
    const list = await sb.client("opencode", ["mcp", "list"]);
    expect(lineOf(list.out, "other-srv") ?? list.out).toContain("connected");
    expect(lineOf(list.out, NAME) ?? list.out).toContain("connected");
    await orchOk(["uninstall", "--client", "opencode"]);
    expect(sb.read(jsonc)).toBe(before);
  });

  test("an entry opencode itself wrote under our name is what validate and uninstall act on", async () => {
    sandbox("opencode-ours");
    await sb.client("opencode", ["mcp", "add", NAME, "--", BINARY, "serve"]);
    expect(lineOf((await sb.client("opencode", ["mcp", "list"])).out, NAME)).toContain("connected");
    const v = await sb.orch(["validate", "--client", "opencode", "--json"]);
    expect(v.out).toContain('"installed": true');
    await orchOk(["uninstall", "--client", "opencode"]);
    expect(lineOf((await sb.client("opencode", ["mcp", "list"])).out, NAME)).toBeUndefined();
  });
});

describe("Continue", () => {
  const config = () => join(sb.home, ".continue", "config.yaml");
  const cnLog = () => sb.read(join(sb.home, ".continue", "logs", "cn.log")) ?? "";
  /** The tool names of cn's last "Tools prepared" log line. */
  const preparedTools = (): string[] => {
    const line = cnLog()
      .split("\n")
      .findLast((l) => l.includes("Tools prepared"));
    const m = line ? /"toolNames":(\[[^\]]*\])/.exec(line) : null;
    return m?.[1] ? (JSON.parse(m[1]) as string[]) : [];
  };

  test("fresh HOME: the config install creates is one cn accepts", async () => {
    sandbox("continue-fresh");
    await orchOk(["install", "--client", "continue"]);
    const cn = await sb.client("continue", ["-p", "--verbose", "say hi"]);
    expect(cn.out).not.toContain("Failed to parse config");
    const report = await sb.doctor("continue");
    expect(checksFor(report, "continue").every((c) => c.status !== "fail")).toBe(true);
  });

  test("an existing config: cn loads all our tools; uninstall restores the file byte for byte", async () => {
    sandbox("continue-config");
    // A user's own config with a local model (nothing listens on port 9: the chat fails, MCP loads first).
    const original = [
      "# my Continue config",
      "name: Local",
      "version: 1.0.0",
      "schema: v1",
      "models:",
      "  - name: local",
      "    provider: openai",
      "    model: gpt-4o",
      "    apiKey: none",
      "    apiBase: http://127.0.0.1:9/v1",
      "",
    ].join("\n");
    sb.write(config(), original);
    await orchOk(["install", "--client", "continue"]);
    await sb.client("continue", ["-p", "--verbose", "say hi"]);
    expect(cnLog()).toContain("MCPService initialized successfully");
    expect(preparedTools().filter((t) => t.startsWith("orchestrator_")).length).toBe(14);
    expectDoctorSees(await sb.doctor("continue"), "continue", config());
    await orchOk(["uninstall", "--client", "continue"]);
    expect(sb.read(config())).toBe(original);
  });
});

describe("Qwen Code", () => {
  const settings = () => join(sb.home, ".qwen", "settings.json");

  test("user and project scope: qwen lists each as Connected; doctor sees each", async () => {
    sandbox("qwen-scopes");
    for (const [scope, file] of [
      ["user", settings()],
      ["project", join(sb.project, ".qwen", "settings.json")],
    ] as const) {
      await orchOk(["install", "--client", "qwen-code", "--scope", scope]);
      const list = await sb.client("qwen-code", ["mcp", "list"]);
      expect(lineOf(list.out, NAME) ?? list.out).toContain("Connected");
      expectDoctorSees(await sb.doctor("qwen-code"), "qwen-code", file);
      await orchOk(["uninstall", "--client", "qwen-code", "--scope", scope]);
      expect(lineOf((await sb.client("qwen-code", ["mcp", "list"])).out, NAME)).toBeUndefined();
    }
  });

  test("folder trust turned on and the folder distrusted: qwen ignores the project entry, and doctor says so", async () => {
    sandbox("qwen-trust");
    await orchOk(["install", "--client", "qwen-code", "--scope", "project"]);
    sb.write(settings(), JSON.stringify({ security: { folderTrust: { enabled: true } } }));
    const rules = join(sb.home, ".qwen", "trustedFolders.json");
    sb.write(rules, JSON.stringify({ [sb.project]: "DO_NOT_TRUST" }));
    expect(lineOf((await sb.client("qwen-code", ["mcp", "list"])).out, NAME)).toBeUndefined();
    const report = await sb.doctor("qwen-code");
    expect(gateCheck(report, "qwen-code")).toMatchObject({ status: "warn" });
    expect(report.verdict).not.toBe("ok");
    sb.write(rules, JSON.stringify({ [sb.project]: "TRUST_FOLDER" }));
    const list = await sb.client("qwen-code", ["mcp", "list"]);
    expect(lineOf(list.out, NAME) ?? list.out).toContain("Connected");
    expect(gateCheck(await sb.doctor("qwen-code"), "qwen-code")).toMatchObject({ status: "ok" });
  });

  test("qwen's own entries are byte-identical after our install and uninstall", async () => {
    sandbox("qwen-coexist");
    const [node, script] = sb.other;
    const add = await sb.client("qwen-code", ["mcp", "add", "-s", "user", "other-srv", node, script]);
    expect({ code: add.code, out: add.out }).toMatchObject({ code: 0 });
    // Qwen's first run stamps "$version" into the file it wrote; the snapshot is taken after that.
    await sb.client("qwen-code", ["mcp", "list"]);
    const before = sb.read(settings());
    await orchOk(["install", "--client", "qwen-code"]);
    const list = await sb.client("qwen-code", ["mcp", "list"]);
    expect(lineOf(list.out, "other-srv") ?? list.out).toContain("Connected");
    expect(lineOf(list.out, NAME) ?? list.out).toContain("Connected");
    await orchOk(["uninstall", "--client", "qwen-code"]);
    expect(sb.read(settings())).toBe(before);
  });
});

// A guard against a suite that passes because it ran nothing: every pinned client has a describe.
test("every pinned client is exercised", () => {
  const here = readFileSync(import.meta.path, "utf8");
  for (const c of PINNED) expect(here).toContain(`sb.client("${c.id}"`);
});
