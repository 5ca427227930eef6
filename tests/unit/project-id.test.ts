import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseGitRemotes } from "../../src/core/git-config.ts";
import { folderProjectId, normaliseRemoteUrl, parseProjectSetting } from "../../src/core/project-id.ts";
import { createProjectResolver, readProjectIdentity } from "../../src/workspace/project.ts";
import { createSettingsLoader } from "../../src/workspace/settings.ts";
import { makeProject } from "../helpers/temp.ts";

describe("normaliseRemoteUrl", () => {
  test.each([
    ["git@github.com:Owner/Repo.git", "github.com/owner/repo"],
    ["ssh://git@github.com:22/Owner/Repo", "github.com/owner/repo"],
    ["https://user:token@github.com/Owner/Repo.git/", "github.com/owner/repo"],
    ["https://github.com/owner/repo", "github.com/owner/repo"],
    ["http://GitHub.com:80/Owner/Repo.git", "github.com/owner/repo"],
    ["git://github.com/owner/repo.git", "github.com/owner/repo"],
    ["ssh://git@gitlab.example.com:2222/Group/Sub/Repo.git", "gitlab.example.com/group/sub/repo"],
    ["https://gitlab.example.com/group/sub/repo.git", "gitlab.example.com/group/sub/repo"],
    ["git+ssh://git@github.com/owner/repo.git", "github.com/owner/repo"],
    ["  git@github.com:owner/repo.git  ", "github.com/owner/repo"],
    ["https://x-access-token:ghp_secret@github.com/o/r", "github.com/o/r"],
    ["org-42@github.com:Owner/Repo.git", "github.com/owner/repo"],
    ["https://github.com//owner//repo.git//", "github.com/owner/repo"],
  ])("%s → %s", (url, id) => {
    expect(normaliseRemoteUrl(url)).toBe(id);
  });

  test.each([
    "/srv/git/repo.git",
    "../repo",
    "file:///srv/git/repo.git",
    "C:\\repos\\thing.git",
    "",
    "https://github.com/",
    "ftp://example.com/a/b",
    "https://github.com/owner/repo\u0000evil",
    "https://github.com/owner/repo with space",
    "https://github.com/../../etc",
    "https://[::1]/owner/repo",
  ])("not an identity: %j", (url) => {
    expect(normaliseRemoteUrl(url)).toBeUndefined();
  });

  test("an overlong url is not an identity", () => {
    expect(normaliseRemoteUrl(`https://github.com/${"a".repeat(3000)}`)).toBeUndefined();
  });

  test("credentials never reach the id", () => {
    for (const url of ["https://alice:hunter2@github.com/o/r.git", "ssh://alice:hunter2@github.com/o/r"]) {
      const id = normaliseRemoteUrl(url) ?? "";
      expect(id).not.toContain("hunter2");
      expect(id).not.toContain("alice");
    }
  });
});

describe("project: setting and the folder fallback", () => {
  test("valid ids are trimmed and lowercased; bad ones say why", () => {
    expect(parseProjectSetting("  Acme-Shop ")).toEqual({ id: "acme-shop" });
    expect(parseProjectSetting("github.com/Acme/Shop")).toEqual({ id: "github.com/acme/shop" });
    for (const bad of ["", "/abs/path", "has space", "a/../b", "x".repeat(201), 42, "ü"]) {
      expect("error" in parseProjectSetting(bad)).toBe(true);
    }
  });

  test("folder ids are prefixed local: and sanitised", () => {
    expect(folderProjectId("My App")).toBe("local:my-app");
    expect(folderProjectId("...")).toBe("local:workspace");
    expect(folderProjectId("x".repeat(500)).length).toBeLessThanOrEqual(200);
  });
});

describe("parseGitRemotes", () => {
  test("reads each remote's first url; skips garbage, comments and includes", () => {
    const text = [
      "[core]",
      "\tbare = false",
      "[include]\n\tpath = /etc/passwd",
      '[remote "upstream"]',
      "\turl = git@github.com:Up/Repo.git ; a comment",
      '[remote "origin"]',
      '\turl = "https://github.com/me/repo.git" # mine',
      "\turl = https://second.example/ignored",
      "garbage ][ line",
      `[remote "long"]\n\turl = ${"x".repeat(5000)}`,
    ].join("\n");
    expect(parseGitRemotes(text)).toEqual([
      { name: "upstream", url: "git@github.com:Up/Repo.git" },
      { name: "origin", url: "https://github.com/me/repo.git" },
    ]);
  });
});

describe("readProjectIdentity on real folders", () => {
  let p: { dir: string; cleanup: () => void };
  beforeEach(() => {
    p = makeProject("orch-pid-");
  });
  afterEach(() => p.cleanup());
  const config = (text: string | Buffer) => writeFileSync(join(p.dir, ".git", "config"), text);
  const id = () => readProjectIdentity(p.dir, createSettingsLoader());

  test("origin first, else the first usable remote, else the folder", () => {
    config(
      '[remote "a"]\n\turl = git@github.com:A/One.git\n[remote "origin"]\n\turl = https://github.com/B/Two\n',
    );
    expect(id()).toEqual({ id: "github.com/b/two", source: "git-remote" });
    config('[remote "a"]\n\turl = /local/only\n[remote "b"]\n\turl = git@github.com:C/Three.git\n');
    expect(id()).toEqual({ id: "github.com/c/three", source: "git-remote" });
    config("[core]\n\tbare = false\n");
    expect(id().source).toBe("folder");
    expect(id().id).toStartWith("local:orch-pid-");
  });

  test("project: in settings.yaml wins and follows edits; a bad value is SETTINGS_INVALID with the fix", () => {
    config('[remote "origin"]\n\turl = https://github.com/b/two\n');
    mkdirSync(join(p.dir, ".task_orchestrator"));
    const file = join(p.dir, ".task_orchestrator", "settings.yaml");
    const loader = createSettingsLoader();
    const resolver = createProjectResolver(loader);
    writeFileSync(file, "project: Team/Shop\n");
    expect(resolver.resolve(p.dir)).toEqual({ id: "team/shop", source: "settings" });
    writeFileSync(file, "project: other-shop   # renamed\nlease: 5m\n");
    expect(resolver.resolve(p.dir)).toEqual({ id: "other-shop", source: "settings" });
    writeFileSync(file, "project: /home/me/shop\n");
    expect(() => resolver.resolve(p.dir)).toThrow(/SETTINGS_INVALID|project must|may hold only/);
    // A broken tunable elsewhere does not cost the id.
    writeFileSync(file, "project: kept\nlease: [2m\n");
    expect(resolver.resolve(p.dir)).toEqual({ id: "kept", source: "settings" });
    writeFileSync(file, "lease: [2m\n");
    expect(resolver.resolve(p.dir)).toEqual({ id: "github.com/b/two", source: "git-remote" });
  });

  test("a settings snapshot (one call's look at the file) keeps its answers; the next snapshot sees an edit", () => {
    mkdirSync(join(p.dir, ".task_orchestrator"));
    const file = join(p.dir, ".task_orchestrator", "settings.yaml");
    const loader = createSettingsLoader();
    const resolver = createProjectResolver(loader);
    writeFileSync(file, "project: first\nlease: 5m\n");
    const call = loader.snapshot(p.dir);
    writeFileSync(file, "project: second-name\nlease: 10m\n");
    expect(resolver.resolve(p.dir, call)).toEqual({ id: "first", source: "settings" });
    expect(call.load(p.dir)).toEqual({ leaseMs: 5 * 60_000 });
    const next = loader.snapshot(p.dir);
    expect(resolver.resolve(p.dir, next)).toEqual({ id: "second-name", source: "settings" });
    expect(next.load(p.dir)).toEqual({ leaseMs: 10 * 60_000 });
    // A broken file fails the snapshot's readers as it fails the loader's.
    writeFileSync(file, "lease: [2m\n");
    expect(() => loader.snapshot(p.dir).load(p.dir)).toThrow(/SETTINGS_INVALID|settings.yaml/);
  });

  test("hostile configs: huge, binary, a FIFO, credentials in the url", () => {
    config(`[remote "origin"]\n\turl = https://github.com/o/r\n${"#".repeat(300 * 1024)}\n`);
    expect(id().source).toBe("folder");
    config(Buffer.from([0x5b, 0x72, 0x00, 0xff, 0xfe, 0x0a]));
    expect(id().source).toBe("folder");
    // A FIFO named config would block a plain read forever: it is not a regular file, so skipped.
    rmSync(join(p.dir, ".git", "config"));
    expect(spawnSync("mkfifo", [join(p.dir, ".git", "config")]).status).toBe(0);
    expect(id().source).toBe("folder");
    rmSync(join(p.dir, ".git", "config"));
    config('[remote "origin"]\n\turl = https://deploy:s3cret@git.example.com/Team/App.git\n');
    expect(id()).toEqual({ id: "git.example.com/team/app", source: "git-remote" });
  });

  test(".git as a file: worktree (commondir) and submodule; pointers outside a git folder are ignored", () => {
    const main = makeProject("orch-pid-main-");
    try {
      writeFileSync(
        join(main.dir, ".git", "config"),
        '[remote "origin"]\n\turl = git@github.com:Main/Repo.git\n',
      );
      const wt = join(main.dir, ".git", "worktrees", "w1");
      mkdirSync(wt, { recursive: true });
      writeFileSync(join(wt, "commondir"), "../..\n");
      const ws = join(p.dir, "checkout");
      mkdirSync(ws);
      writeFileSync(join(ws, ".git"), `gitdir: ${wt}\n`);
      expect(readProjectIdentity(ws, undefined)).toEqual({
        id: "github.com/main/repo",
        source: "git-remote",
      });

      const sub = join(main.dir, ".git", "modules", "lib");
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, "config"), '[remote "origin"]\n\turl = https://github.com/Lib/Lib.git\n');
      writeFileSync(join(ws, ".git"), `gitdir: ${sub}`);
      expect(readProjectIdentity(ws, undefined)).toEqual({ id: "github.com/lib/lib", source: "git-remote" });

      // A pointer at a folder that is no git folder (e.g. someone's ~/.ssh) is not followed.
      const elsewhere = join(p.dir, "not-git");
      mkdirSync(elsewhere);
      writeFileSync(join(elsewhere, "config"), '[remote "origin"]\n\turl = https://github.com/evil/evil\n');
      writeFileSync(join(ws, ".git"), `gitdir: ${elsewhere}\n`);
      expect(readProjectIdentity(ws, undefined).source).toBe("folder");
      writeFileSync(join(ws, ".git"), `gitdir: ${"x".repeat(10_000)}\n`);
      expect(readProjectIdentity(ws, undefined).source).toBe("folder");
      // A config that is a symlink is not read.
      writeFileSync(join(ws, ".git"), `gitdir: ${sub}`);
      const linked = join(main.dir, ".git", "modules", "lib", "config");
      writeFileSync(join(elsewhere, "real"), '[remote "origin"]\n\turl = https://github.com/evil/evil\n');
      rmSync(linked);
      symlinkSync(join(elsewhere, "real"), linked);
      expect(readProjectIdentity(ws, undefined).source).toBe("folder");
    } finally {
      main.cleanup();
    }
  });
});
