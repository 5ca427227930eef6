import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CLIENTS, type ClientId, resolveClientPath } from "../../src/install/clients.ts";
import type { InstallEnv } from "../../src/install/types.ts";
import { BINARY } from "../helpers/client.ts";

// `install --db` (issue 13): the entry's server uses that store (a URL as ORCHESTRATOR_DB in the
// entry's env, a file as --db), a re-install keeps what the entry had, a password is refused
// unless asked for, and uninstall/rollback stay byte-exact, in JSON, TOML and YAML files.
let home: string;
let env: Record<string, string>;
beforeEach(() => {
  home = realpathSync(mkdtempSync(join(tmpdir(), "orch-home-db-")));
  env = { HOME: home, PATH: process.env.PATH ?? "", ORCHESTRATOR_HOME: join(home, ".orchestrator-data") };
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const run = (args: string[]) => spawnSync(BINARY, args, { cwd: home, encoding: "utf8", env });
const ienv = (): InstallEnv => ({ platform: "linux", homedir: home, vars: {} });
const URL_ = "postgres://orch@db.example:5432/team?sslmode=verify-full";

/** An existing config with another server, in the client's own format. */
function seed(id: ClientId): string {
  const spec = CLIENTS[id];
  const keys = spec.keyPath;
  if (spec.format === "toml")
    return '# mine\nmodel = "o3"\n\n[mcp_servers.other]\ncommand = "/usr/bin/other"\nargs = ["--flag"]\n';
  if (spec.format === "yaml") {
    if (spec.container === "list")
      return "# Continue config\nname: My Config\nversion: 1.0.0\nmcpServers:\n  - name: other\n    command: /usr/bin/other\n";
    return `# goose\n${keys[0]}:\n  other:\n    name: other\n    type: stdio\n    cmd: /usr/bin/other\n    args: []\n    enabled: true\n`;
  }
  let inner = '{\n      "other-server": { "command": "/usr/bin/other", "args": ["x"] }\n    }';
  for (let i = keys.length - 1; i >= 1; i--) inner = `{ "${keys[i]}": ${inner} }`;
  return `{\n  "theme": "dark",\n  "${keys[0]}": ${inner}\n}\n`;
}

function validate(id: ClientId) {
  const r = run(["validate", "--client", id, "--json"]);
  return JSON.parse(r.stdout).clients[0] as {
    installed: boolean;
    args: string[];
    env: Record<string, string>;
    store: string | null;
    problems: string[];
  };
}

describe("install --db", () => {
  // JSON (stdio, typed-stdio, opencode's environment), TOML (codex), YAML (goose's envs, continue's list).
  test.each([["cursor"], ["vscode"], ["opencode"], ["codex"], ["goose"], ["continue"]] as [ClientId][])(
    "%s: URL in env, kept on re-install, replaced by a file, byte-exact uninstall and rollback",
    (id) => {
      const path = resolveClientPath(id, "user", ienv());
      mkdirSync(dirname(path), { recursive: true });
      const original = seed(id);
      writeFileSync(path, original);

      const first = run(["install", "--client", id, "--db", URL_, "--json"]);
      expect(first.status).toBe(0);
      expect(JSON.parse(first.stdout).results[0].status).toBe("applied");
      const withUrl = readFileSync(path, "utf8");
      expect(withUrl).toContain(URL_);
      expect(withUrl).toContain("ORCHESTRATOR_DB");
      let v = validate(id);
      expect(v).toMatchObject({ installed: true, store: URL_, problems: [] });
      expect(v.env.ORCHESTRATOR_DB).toBe(URL_);
      expect(v.args.join(" ")).not.toContain("postgres://");

      // Without --db the entry keeps its store: nothing to change, even when something else changes.
      const again = run(["install", "--client", id, "--json"]);
      expect(JSON.parse(again.stdout).results[0].status).toBe("unchanged");
      expect(readFileSync(path, "utf8")).toBe(withUrl);
      const other = join(home, "bin", "orchestrator");
      mkdirSync(dirname(other), { recursive: true });
      writeFileSync(other, readFileSync(BINARY));
      expect(run(["install", "--client", id, "--binary", other]).status).toBe(0);
      v = validate(id);
      expect(v.store).toBe(URL_);
      expect(readFileSync(path, "utf8")).toContain(other);

      // A new --db replaces the store: a file goes in the arguments, the URL leaves the env.
      const file = join(home, "team.db");
      expect(run(["install", "--client", id, "--db", "team.db"]).status).toBe(0);
      v = validate(id);
      expect(v.store).toBe(file);
      expect(v.env.ORCHESTRATOR_DB).toBeUndefined();
      expect(v.args.slice(-2)).toEqual(["--db", file]);
      const installed = readFileSync(path, "utf8");
      expect(installed).not.toContain("postgres://");

      expect(run(["uninstall", "--client", id]).status).toBe(0);
      expect(readFileSync(path, "utf8")).toBe(original);
      expect(run(["rollback", "--client", id]).status).toBe(0);
      expect(readFileSync(path, "utf8")).toBe(installed);
    },
    // Nine runs of the binary (each one a validate or an install with its backups): seconds on a loaded 2-core machine.
    30_000,
  );

  test("a password in the URL is refused unless --allow-password-in-config, and never printed", () => {
    const path = resolveClientPath("cursor", "user", ienv());
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, seed("cursor"));
    const before = readFileSync(path, "utf8");
    const secret = "pw-Xq81";
    const withPw = `postgres://orch:${secret}@db.example/team`;
    const refused = run(["install", "--client", "cursor", "--db", withPw]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("PGPASSWORD");
    expect(refused.stderr).toContain("--allow-password-in-config");
    expect(refused.stderr + refused.stdout).not.toContain(secret);
    expect(readFileSync(path, "utf8")).toBe(before);

    const allowed = run(["install", "--client", "cursor", "--db", withPw, "--allow-password-in-config"]);
    expect(allowed.status).toBe(0);
    expect(allowed.stdout + allowed.stderr).not.toContain(secret);
    expect(readFileSync(path, "utf8")).toContain(secret);
    const check = run(["validate", "--client", "cursor", "--json"]);
    expect(check.stdout).not.toContain(secret);
    expect(JSON.parse(check.stdout).clients[0].store).toBe("postgres://orch:***@db.example/team");
    expect(run(["validate", "--client", "cursor"]).stdout).toContain(
      "store: postgres://orch:***@db.example/team",
    );
  });

  test("a hand-added env (PGPASSWORD beside ORCHESTRATOR_DB) survives a re-install", () => {
    const path = resolveClientPath("cursor", "user", ienv());
    mkdirSync(dirname(path), { recursive: true });
    const entry = {
      command: BINARY,
      args: ["serve"],
      env: { ORCHESTRATOR_DB: URL_, PGPASSWORD: "hunter2", NODE_EXTRA_CA_CERTS: "/etc/ca.pem" },
    };
    writeFileSync(path, `${JSON.stringify({ mcpServers: { "task-orchestrator": entry } }, null, 2)}\n`);
    const r = run(["install", "--client", "cursor", "--json"]);
    expect(JSON.parse(r.stdout).results[0].status).toBe("unchanged");
    const replaced = run(["install", "--client", "cursor", "--db", "postgres://orch@other.example/team2"]);
    expect(replaced.status).toBe(0);
    // The diff on screen masks the secret the file keeps.
    expect(replaced.stdout).toContain("PGPASSWORD");
    expect(replaced.stdout).not.toContain("hunter2");
    const after = JSON.parse(readFileSync(path, "utf8")).mcpServers["task-orchestrator"];
    expect(after.env).toEqual({
      PGPASSWORD: "hunter2",
      NODE_EXTRA_CA_CERTS: "/etc/ca.pem",
      ORCHESTRATOR_DB: "postgres://orch@other.example/team2",
    });
    const shown = run(["validate", "--client", "cursor", "--json"]).stdout;
    expect(shown).not.toContain("hunter2");
  });

  test("doctor names the store a client's entry points at", () => {
    const file = join(home, "shared.db");
    expect(run(["install", "--client", "cursor", "--db", file]).status).toBe(0);
    const r = run(["doctor", "--client", "cursor", "--json"]);
    const checks = JSON.parse(r.stdout).checks as { id: string; detail: string }[];
    const entry = checks.find((c) => c.id.startsWith("clients.cursor") && c.detail.includes("registered"));
    expect(entry?.detail).toContain(`store: ${file}`);
  });

  test("--db with --via-cli is a usage error: the client's own command cannot write env", () => {
    const r = run(["install", "--client", "claude-code", "--via-cli", "--db", URL_]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--via-cli");
  });
});
