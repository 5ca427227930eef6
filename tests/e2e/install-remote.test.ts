// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the clients' own variable syntax, expected literally
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
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
import { parse as parseJsonc } from "jsonc-parser";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { DoctorReportSchema } from "../../src/doctor/report.ts";
import { CLIENT_IDS, CLIENTS, type ClientId, resolveClientPath } from "../../src/install/clients.ts";
import { BINARY } from "../helpers/client.ts";
import { type HttpServer, startHttpServer } from "../helpers/http-server.ts";
import { makeProject } from "../helpers/temp.ts";

// install --url --token-env (issue 14, item 4) through the compiled binary into temp HOMEs: each
// client's own remote entry, or the connect bridge, never the token; then validate and doctor
// against a real serve --http.

const URL_ = "https://mcp.example.com/mcp";
const VAR = "ORCH_TEAM_TOKEN";
/** Set in install's environment: were it read and written anywhere, the file would show it. */
const SECRET = "orch_thisMustNeverAppearInAnyFile0123456789abc";

/** Each client's remote entry, spelled out from its docs (independent of src/install/remote-entry.ts). */
const DIRECT: Partial<Record<ClientId, unknown>> = {
  "claude-code": { type: "http", url: URL_, headers: { Authorization: `Bearer \${${VAR}}` } },
  cursor: { url: URL_, headers: { Authorization: `Bearer \${env:${VAR}}` } },
  windsurf: { serverUrl: URL_, headers: { Authorization: `Bearer \${env:${VAR}}` } },
  vscode: { type: "http", url: URL_, headers: { Authorization: `Bearer \${env:${VAR}}` } },
  codex: { url: URL_, bearer_token_env_var: VAR },
  "gemini-cli": { httpUrl: URL_, headers: { Authorization: `Bearer \${${VAR}}` } },
  "qwen-code": { httpUrl: URL_, headers: { Authorization: `Bearer \${${VAR}}` } },
  opencode: { type: "remote", url: URL_, headers: { Authorization: `Bearer {env:${VAR}}` }, enabled: true },
};
const BRIDGE_ARGS = ["connect", URL_, "--token-env", VAR];

let home: string;
const env = () => ({
  HOME: home,
  PATH: process.env.PATH ?? "",
  ORCHESTRATOR_HOME: join(home, ".orch-data"),
  NO_COLOR: "1",
});
const run = (args: string[], extra: Record<string, string> = {}) =>
  spawnSync(BINARY, args, { cwd: home, encoding: "utf8", env: { ...env(), ...extra } });
const pathOf = (id: ClientId) =>
  resolveClientPath(id, "user", { platform: "linux", homedir: home, vars: {} });

/** A file with another server the user has, in the client's format. */
function seed(id: ClientId): string {
  const spec = CLIENTS[id];
  if (spec.format === "toml") return '# mine\n[mcp_servers.other]\ncommand = "/usr/bin/other"\n';
  if (spec.format === "yaml")
    return spec.container === "list"
      ? "# mine\nname: Mine\nversion: 1.0.0\nmcpServers:\n  - name: other\n    command: /usr/bin/other\n"
      : `# mine\n${spec.keyPath[0]}:\n  other:\n    name: other\n    type: stdio\n    cmd: /usr/bin/other\n    args: []\n`;
  const comment = spec.format === "jsonc" ? "  // mine\n" : "";
  return `{\n${comment}  "${spec.keyPath[0]}": { "other": { "command": "/usr/bin/other" } }\n}\n`;
}

/** Our entry (and the other one) as parsed from the file. */
function entries(id: ClientId): { ours: unknown; other: unknown } {
  const spec = CLIENTS[id];
  const text = readFileSync(pathOf(id), "utf8");
  const doc =
    spec.format === "toml" ? parseToml(text) : spec.format === "yaml" ? parseYaml(text) : parseJsonc(text);
  const box = (doc as Record<string, unknown>)[spec.keyPath[0] as string];
  if (spec.container === "list") {
    const list = box as { name: string }[];
    return {
      ours: list.find((e) => e.name === "task-orchestrator"),
      other: list.find((e) => e.name === "other"),
    };
  }
  const map = (box ?? {}) as Record<string, unknown>;
  return { ours: map["task-orchestrator"], other: map.other };
}

function bridgeOf(value: unknown): { command: unknown; args: unknown } {
  const v = value as { command?: unknown; cmd?: unknown; args?: unknown };
  return { command: v.cmd ?? v.command, args: v.args };
}

describe("install --url --token-env on a temp HOME, every client", () => {
  beforeEach(() => {
    home = realpathSync(mkdtempSync(join(tmpdir(), "orch-remote-home-")));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  test.each(CLIENT_IDS.map((id) => [id]))("%s", (id) => {
    const path = pathOf(id);
    mkdirSync(dirname(path), { recursive: true });
    const original = seed(id);
    writeFileSync(path, original);
    const install = () =>
      run(["install", "--client", id, "--url", URL_, "--token-env", VAR, "--json"], { [VAR]: SECRET });

    const first = install();
    expect(first.status).toBe(0);
    const r = JSON.parse(first.stdout).results[0];
    expect(r.status).toBe("applied");
    const text = readFileSync(path, "utf8");
    expect(text).not.toContain(SECRET);
    expect(first.stdout + first.stderr).not.toContain(SECRET);
    const { ours, other } = entries(id);
    expect(other).toBeDefined();
    const direct = DIRECT[id];
    if (direct) {
      expect(r.remote).toEqual({ mode: "direct", url: URL_, tokenEnv: VAR });
      expect(ours).toEqual(direct);
    } else {
      expect(r.remote.mode).toBe("bridge");
      expect(r.notices.join(" ")).toContain("bridge");
      expect(bridgeOf(ours)).toEqual({ command: BINARY, args: BRIDGE_ARGS });
    }

    // Again: nothing to change.
    expect(JSON.parse(install().stdout).results[0].status).toBe("unchanged");
    // Rollback restores the file byte for byte.
    expect(run(["rollback", "--client", id]).status).toBe(0);
    expect(readFileSync(path, "utf8")).toBe(original);
    // Installed again, then uninstalled: our entry goes, the other stays.
    expect(install().status).toBe(0);
    expect(run(["uninstall", "--client", id]).status).toBe(0);
    expect(entries(id).ours).toBeUndefined();
    expect(entries(id).other).toBeDefined();
  });

  test("a local entry becomes the remote one; --token and a token given as the variable's name are refused", () => {
    expect(run(["install", "--client", "cursor"]).status).toBe(0);
    expect(run(["install", "--client", "cursor", "--url", URL_, "--token-env", VAR]).status).toBe(0);
    expect(entries("cursor").ours).toEqual(DIRECT.cursor);
    const before = readFileSync(pathOf("cursor"), "utf8");
    const literal = run(["install", "--client", "cursor", "--url", URL_, "--token", SECRET]);
    expect(literal.status).toBe(2);
    expect(literal.stderr).toContain("--token-env");
    expect(literal.stderr).not.toContain(SECRET);
    const asName = run(["install", "--client", "cursor", "--url", URL_, "--token-env", SECRET]);
    expect(asName.status).toBe(2);
    expect(asName.stderr).not.toContain(SECRET);
    const plain = run(["install", "--client", "cursor", "--url", "http://mcp.example.com/mcp"]);
    expect(plain.status).toBe(2);
    expect(readFileSync(pathOf("cursor"), "utf8")).toBe(before);
  });
});

describe("install --url under another path (a proxy's)", () => {
  beforeEach(() => {
    home = realpathSync(mkdtempSync(join(tmpdir(), "orch-remote-home-")));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  test("reinstalling changes nothing, another variable replaces it, uninstall removes it", () => {
    const url = "https://tools.example.com/orchestrator/team";
    const install = (name: string) =>
      JSON.parse(run(["install", "--client", "cursor", "--url", url, "--token-env", name, "--json"]).stdout)
        .results[0].status;
    expect(install(VAR)).toBe("applied");
    expect(install(VAR)).toBe("unchanged");
    expect(install("OTHER_TOKEN")).toBe("applied");
    expect(entries("cursor").ours).toEqual({ url, headers: { Authorization: "Bearer ${env:OTHER_TOKEN}" } });
    expect(run(["uninstall", "--client", "cursor"]).status).toBe(0);
    // The file was ours alone: uninstall leaves it without our entry (or removes it).
    expect(existsSync(pathOf("cursor")) ? entries("cursor").ours : undefined).toBeUndefined();
  });
});

describe("validate and doctor on remote entries, against a real serve --http", () => {
  let project: { dir: string; cleanup: () => void };
  let server: HttpServer;
  let token: string;
  beforeAll(async () => {
    project = makeProject("orch-remote-srv-");
    const db = join(project.dir, "team.db");
    const created = spawnSync(BINARY, ["token", "create", "--name", "alice", "--db", db], {
      cwd: project.dir,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: project.dir },
    });
    token = created.stdout.trim();
    server = await startHttpServer({ cwd: project.dir, args: ["--db", db] });
  });
  afterAll(async () => {
    await server?.stop();
    project.cleanup();
  });
  beforeEach(() => {
    home = realpathSync(mkdtempSync(join(tmpdir(), "orch-remote-home-")));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const validate = (extra: Record<string, string>) => {
    const r = run(["validate", "--client", "cursor,zed", "--json"], extra);
    return { status: r.status, out: r.stdout, v: JSON.parse(r.stdout) as { clients: any[] } };
  };

  test("good token, wrong token, unset variable, server down: each said with its fix, the token never", async () => {
    for (const id of ["cursor", "zed"] as const)
      expect(run(["install", "--client", id, "--url", server.url, "--token-env", VAR]).status).toBe(0);

    const good = validate({ [VAR]: token });
    expect(good.status).toBe(0);
    for (const c of good.v.clients) {
      expect(c.problems).toEqual([]);
      expect(c.remote.probe.ok).toBe(true);
      expect(c.remote.probe.tools).toBeGreaterThan(5);
      expect(c.remote.probe.server).toStartWith("orchestrator");
    }
    expect(good.v.clients.map((c: { remote: { via: string } }) => c.remote.via).sort()).toEqual([
      "bridge",
      "direct",
    ]);
    expect(good.out).not.toContain(token);

    const wrong = validate({ [VAR]: "orch_wrongwrongwrongwrongwrongwrongwrongwro" });
    expect(wrong.status).toBe(1);
    for (const c of wrong.v.clients) {
      expect(c.problems.join(" ")).toContain("REMOTE_AUTH_FAILED");
      expect(c.remote.fix).toContain("token create");
    }

    const unset = validate({});
    expect(unset.status).toBe(1);
    expect(unset.v.clients[0].problems.join(" ")).toContain(VAR);

    const doctor = (extra: Record<string, string>) => {
      const r = run(["doctor", "--json", "--client", "cursor,zed"], extra);
      expect(r.stdout).not.toContain(token);
      return DoctorReportSchema.parse(JSON.parse(r.stdout));
    };
    const ok = doctor({ [VAR]: token });
    for (const id of ["clients.cursor", "clients.zed"]) {
      const c = ok.checks.find((k) => k.id === id);
      expect(c?.status).toBe("ok");
      expect(c?.detail).toContain("tools");
    }

    // A project's file (it comes with the repository) is not sent a token until the user has
    // registered the same URL and variable in their own scope.
    const proj = join(home, "proj");
    mkdirSync(join(proj, ".git"), { recursive: true });
    const projectCheck = (tokenEnv: string) => {
      expect(
        run([
          "install",
          "--client",
          "cursor",
          "--scope",
          "project",
          "--project",
          proj,
          "--url",
          server.url,
          "--token-env",
          tokenEnv,
        ]).status,
      ).toBe(0);
      const r = run(["validate", "--client", "cursor", "--scope", "project", "--project", proj, "--json"], {
        [VAR]: token,
        OTHER_SECRET: token,
      });
      return JSON.parse(r.stdout).clients[0].remote;
    };
    expect(projectCheck("OTHER_SECRET")).toMatchObject({ probe: null });
    expect(projectCheck("OTHER_SECRET").skipped).toContain("not sent your token");
    expect(projectCheck(VAR).probe.ok).toBe(true);
    rmSync(join(home, ".cursor", "mcp.json"));
    expect(projectCheck(VAR)).toMatchObject({ probe: null });

    // The server gone: unreachable, with the fix; doctor --fix must not turn it into a local entry.
    const stopped = await startHttpServer({ cwd: project.dir, args: ["--db", join(project.dir, "team.db")] });
    await stopped.stop();
    expect(run(["install", "--client", "cursor", "--url", stopped.url, "--token-env", VAR]).status).toBe(0);
    const down = doctor({ [VAR]: token });
    const c = down.checks.find((k) => k.id === "clients.cursor");
    expect(c?.status).toBe("fail");
    expect(c?.detail).toContain("REMOTE_UNREACHABLE");
    expect(c?.fix).toContain("serve --http");
    expect(c?.fixable).toBe(false);
  });
});
