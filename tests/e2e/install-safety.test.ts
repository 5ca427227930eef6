import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { BINARY } from "../helpers/client.ts";

// The installer against hostile and damaged config files, through the compiled binary. Cases that
// need another user run the binary as `nobody` (setpriv), since the tests run as root.
const NOBODY = 65534;
const isRoot = process.geteuid?.() === 0;
const hasSetpriv = spawnSync("setpriv", ["--version"]).status === 0;

let home: string;
let data: string;
beforeEach(() => {
  home = realpathSync(mkdtempSync(join(tmpdir(), "orch-instsafe-")));
  data = join(home, ".orchestrator-data");
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function run(args: string[], opts: { asNobody?: boolean } = {}) {
  const env = { HOME: home, PATH: process.env.PATH ?? "", ORCHESTRATOR_HOME: data, NO_COLOR: "1" };
  const [cmd, argv] = opts.asNobody
    ? ["setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", BINARY, ...args]]
    : [BINARY, args];
  return spawnSync(cmd as string, argv as string[], { cwd: home, encoding: "utf8", env });
}
const json = (r: ReturnType<typeof run>) => JSON.parse(r.stdout).results[0];

/** The whole temp HOME handed to `nobody`, as a real user's home would be theirs. */
function giveHomeToNobody(): void {
  const walk = (p: string) => {
    chownSync(p, NOBODY, NOBODY);
    if (statSync(p).isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
  };
  walk(home);
}

const cursor = () => join(home, ".cursor", "mcp.json");
const ENTRY = (command: string) => ({ command, args: ["serve"] });
function writeCursor(servers: Record<string, unknown>, mode = 0o644): string {
  mkdirSync(dirname(cursor()), { recursive: true });
  const text = `${JSON.stringify({ mcpServers: servers }, null, 2)}\n`;
  writeFileSync(cursor(), text);
  chmodSync(cursor(), mode);
  return text;
}

describe("uninstall leaves what is not ours, and never an unreadable file", () => {
  const FOREIGN = [
    {
      id: "cursor",
      path: () => join(home, ".cursor", "mcp.json"),
      text: '{\n  "mcpServers": {\n    "task-orchestrator": {\n      "command": "python",\n      "args": ["-m", "mcp_task_orchestrator"]\n    }\n  }\n}\n',
      parse: (t: string) => JSON.parse(t),
      after: "{}\n",
    },
    {
      id: "codex",
      path: () => join(home, ".codex", "config.toml"),
      text: '[mcp_servers.task-orchestrator]\ncommand = "python"\nargs = ["-m", "mcp_task_orchestrator"]\n',
      parse: (t: string) => parseToml(t),
      after: "",
    },
    {
      id: "goose",
      path: () => join(home, ".config", "goose", "config.yaml"),
      text: "# goose\nextensions:\n  task-orchestrator:\n    cmd: python\n    args: [-m, mcp_task_orchestrator]\n",
      parse: (t: string) => parseYaml(t),
      after: "# goose\n{}\n",
    },
  ];
  test.each(FOREIGN.map((c) => [c.id, c]))(
    "%s: refused without --force, a parseable file with it",
    (_, c) => {
      mkdirSync(dirname(c.path()), { recursive: true });
      writeFileSync(c.path(), c.text);
      const r = run(["uninstall", "--client", c.id, "--json"]);
      expect(r.status).toBe(1);
      expect(json(r).status).toBe("refused");
      expect(json(r).message).toContain("--force");
      expect(readFileSync(c.path(), "utf8")).toBe(c.text);

      const forced = run(["uninstall", "--client", c.id, "--force", "--json"]);
      expect(json(forced).status).toBe("applied");
      const left = readFileSync(c.path(), "utf8");
      expect(left).toBe(c.after);
      expect(c.parse(left) ?? {}).toEqual({});
      expect(run(["rollback", "--client", c.id]).status).toBe(0);
      expect(readFileSync(c.path(), "utf8")).toBe(c.text);
    },
  );

  test("our own entry, the only one in a file we did not create, leaves {} in JSON", () => {
    writeCursor({ "task-orchestrator": ENTRY(BINARY) });
    expect(json(run(["uninstall", "--client", "cursor", "--json"])).status).toBe("applied");
    expect(readFileSync(cursor(), "utf8")).toBe("{}\n");
  });
});

describe("rollback gives back the mode and owner", () => {
  test("a deleted 0600 config holding a secret comes back 0600", () => {
    writeCursor({ other: { command: "/usr/bin/other", env: { API_KEY: "secret" } } }, 0o600);
    const original = readFileSync(cursor(), "utf8");
    expect(run(["install", "--client", "cursor"]).status).toBe(0);
    expect(statSync(cursor()).mode & 0o777).toBe(0o600);
    unlinkSync(cursor());
    expect(run(["rollback", "--client", "cursor"]).status).toBe(0);
    expect(readFileSync(cursor(), "utf8")).toBe(original);
    expect(statSync(cursor()).mode & 0o777).toBe(0o600);
  });

  test.skipIf(!isRoot)("as root, a user's config keeps its owner through install and rollback", () => {
    writeCursor({ other: { command: "/usr/bin/other" } }, 0o600);
    chownSync(cursor(), NOBODY, NOBODY);
    expect(run(["install", "--client", "cursor"]).status).toBe(0);
    expect(statSync(cursor())).toMatchObject({ uid: NOBODY, gid: NOBODY });
    unlinkSync(cursor());
    expect(run(["rollback", "--client", "cursor"]).status).toBe(0);
    expect(statSync(cursor())).toMatchObject({ uid: NOBODY, gid: NOBODY });
    expect(statSync(cursor()).mode & 0o777).toBe(0o600);
  });
});

describe("the installer refuses what it must not write", () => {
  test("a symlinked config folder leading out of home is refused", () => {
    const outside = realpathSync(mkdtempSync(join(tmpdir(), "orch-outside-")));
    try {
      symlinkSync(outside, join(home, ".cursor"));
      const r = run(["install", "--client", "cursor", "--json"]);
      expect(r.status).toBe(1);
      expect(json(r).message).toContain("outside");
      expect(readdirSync(outside)).toEqual([]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test("a symlinked config folder inside home is followed", () => {
    mkdirSync(join(home, "dotfiles", "cursor"), { recursive: true });
    symlinkSync(join(home, "dotfiles", "cursor"), join(home, ".cursor"));
    expect(run(["install", "--client", "cursor"]).status).toBe(0);
    expect(lstatSync(join(home, ".cursor")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(home, "dotfiles", "cursor", "mcp.json"), "utf8")).toContain(BINARY);
  });

  test("rollback finds a deleted config behind a symlinked folder or file link, and restores its bytes and 0600 mode", () => {
    // Backups record where the write landed (the link's target); once that file is deleted its
    // real path cannot be resolved, and rollback answered "no backup yet".
    const secret = `${JSON.stringify({ mcpServers: { mine: { command: "x", env: { TOKEN: "s3cret" } } } })}\n`;
    for (const layout of ["folder", "file"] as const) {
      rmSync(join(home, ".cursor"), { recursive: true, force: true });
      rmSync(join(home, "dotfiles"), { recursive: true, force: true });
      const target =
        layout === "folder"
          ? join(home, "dotfiles", "cursor", "mcp.json")
          : join(home, "dotfiles", "mcp.json");
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, secret, { mode: 0o600 });
      if (layout === "folder") symlinkSync(dirname(target), join(home, ".cursor"));
      else {
        mkdirSync(join(home, ".cursor"));
        symlinkSync(target, cursor());
      }
      expect(run(["install", "--client", "cursor"]).status).toBe(0);
      rmSync(target);
      const r = run(["rollback", "--client", "cursor"]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(readFileSync(target, "utf8")).toBe(secret);
      expect(statSync(target).mode & 0o777).toBe(0o600);
    }
  });

  test("a dangling config symlink stays a link: its target is created", () => {
    mkdirSync(join(home, ".cursor"));
    const target = join(home, "dotfiles", "mcp.json");
    symlinkSync(target, cursor());
    expect(run(["install", "--client", "cursor"]).status).toBe(0);
    expect(lstatSync(cursor()).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(target, "utf8")).mcpServers["task-orchestrator"].command).toBe(BINARY);
  });

  test("a dangling config symlink leading out of home is refused", () => {
    const outside = realpathSync(mkdtempSync(join(tmpdir(), "orch-outside-")));
    try {
      mkdirSync(join(home, ".cursor"));
      symlinkSync(join(outside, "mcp.json"), cursor());
      const r = run(["install", "--client", "cursor", "--json"]);
      expect(r.status).toBe(1);
      expect(json(r).message).toContain("outside");
      expect(readdirSync(outside)).toEqual([]);
      expect(lstatSync(cursor()).isSymbolicLink()).toBe(true);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test("a read-only (0444) config is refused unless --force, and stays read-only", () => {
    const text = writeCursor({ other: { command: "/usr/bin/other" } }, 0o444);
    const r = run(["install", "--client", "cursor", "--json"]);
    expect(r.status).toBe(1);
    expect(json(r).message).toContain("read-only");
    expect(readFileSync(cursor(), "utf8")).toBe(text);
    expect(json(run(["install", "--client", "cursor", "--force", "--json"])).status).toBe("applied");
    expect(readFileSync(cursor(), "utf8")).toContain(BINARY);
    expect(statSync(cursor()).mode & 0o777).toBe(0o444);
  });

  test("a failure before the write says the file was not changed, not that it was restored", () => {
    const text = writeCursor({ other: { command: "/usr/bin/other" } });
    const r = spawnSync(BINARY, ["install", "--client", "cursor", "--json"], {
      cwd: home,
      encoding: "utf8",
      env: {
        HOME: home,
        PATH: process.env.PATH ?? "",
        ORCHESTRATOR_HOME: data,
        ORCHESTRATOR_INSTALL_FAULT: "after-backup",
      },
    });
    expect(json(r).status).toBe("rolled_back");
    expect(json(r).message).toContain("the file was not changed");
    expect(json(r).message).not.toContain("restor");
    expect(readFileSync(cursor(), "utf8")).toBe(text);
  });

  test("doctor --fix does not write through a read-only config either", () => {
    const text = writeCursor({ "task-orchestrator": ENTRY(join(home, "gone", "orchestrator")) }, 0o444);
    const r = run(["doctor", "--json", "--fix", "--client", "cursor", "--timeout", "2s"]);
    const fix = JSON.parse(r.stdout).fixes[0];
    expect(fix.ok).toBe(false);
    expect(fix.result).toContain("read-only");
    expect(readFileSync(cursor(), "utf8")).toBe(text);
  });

  test("a damaged backup manifest is named, then moved aside by the next install", () => {
    mkdirSync(join(data, "backups"), { recursive: true });
    const manifest = join(data, "backups", "manifest.json");
    writeFileSync(manifest, "{ not json");
    const list = run(["backups"]);
    expect(list.status).toBe(1);
    expect(list.stderr).toContain(manifest);
    expect(list.stderr).toContain("Move it aside");

    writeCursor({ other: { command: "/usr/bin/other" } });
    const r = run(["install", "--client", "cursor", "--json"]);
    expect(r.status).toBe(0);
    const res = json(r);
    expect(res.status).toBe("applied");
    expect(res.warnings.join(" ")).toContain("was damaged");
    const aside = readdirSync(join(data, "backups")).filter((f) => f.startsWith("manifest.json.damaged-"));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(data, "backups", aside[0] as string), "utf8")).toBe("{ not json");
    expect(JSON.parse(run(["backups", "--json"]).stdout).backups).toHaveLength(1);
  });
});

describe.skipIf(!isRoot || !hasSetpriv)("as an unprivileged user (setpriv to nobody)", () => {
  test("a folder it cannot write is reported as such, not as a failed restore", () => {
    const text = writeCursor({ other: { command: "/usr/bin/other" } });
    giveHomeToNobody();
    chmodSync(dirname(cursor()), 0o555);
    const r = run(["install", "--client", "cursor", "--json"], { asNobody: true });
    expect(r.status).toBe(1);
    const res = json(r);
    expect(res.status).toBe("refused");
    expect(res.message).toContain(`permission denied on the folder ${dirname(cursor())}`);
    expect(res.message).not.toContain("restoring failed");
    expect(readFileSync(cursor(), "utf8")).toBe(text);
  });

  test("a backups folder it cannot write stops the change before it starts, naming the folder", () => {
    const text = writeCursor({ other: { command: "/usr/bin/other" } });
    mkdirSync(data);
    giveHomeToNobody();
    chownSync(data, 0, 0);
    const r = run(["install", "--client", "cursor", "--json"], { asNobody: true });
    expect(r.status).toBe(1);
    expect(json(r).status).toBe("refused");
    expect(json(r).message).toContain(`cannot save a backup in ${join(data, "backups")}`);
    expect(readFileSync(cursor(), "utf8")).toBe(text);
  });

  test("a root-owned config in the user's folder is refused, keeping its owner", () => {
    writeCursor({ other: { command: "/usr/bin/other" } });
    giveHomeToNobody();
    chownSync(cursor(), 0, 0);
    const before = readFileSync(cursor(), "utf8");
    const r = run(["install", "--client", "cursor", "--json"], { asNobody: true });
    expect(r.status).toBe(1);
    expect(json(r).message).toContain("belongs to another user (uid 0)");
    expect(readFileSync(cursor(), "utf8")).toBe(before);
    expect(statSync(cursor()).uid).toBe(0);
  });

  test("its own config is installed and uninstalled as usual", () => {
    writeCursor({ other: { command: "/usr/bin/other" } });
    giveHomeToNobody();
    expect(run(["install", "--client", "cursor"], { asNobody: true }).status).toBe(0);
    expect(statSync(cursor()).uid).toBe(NOBODY);
    expect(run(["uninstall", "--client", "cursor"], { asNobody: true }).status).toBe(0);
    expect(existsSync(cursor())).toBe(true);
  });
});
