import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { callOk, connectBinary, ROOT } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";

// The npm route end to end: scripts/release.ts for the host target only, `npm pack`, a global
// install into a temp prefix, then the installed `orchestrator` command (the JS shim) in use.
const HOST = `${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

type Manifest = {
  name: string;
  version: string;
  commit: string;
  targets: { target: string; file: string; size: number; sha256: string; npm_package: string }[];
};
type Packed = { filename: string; files: { path: string; mode: number }[] };

let work: string;
let release: string;
let manifest: Manifest;
let platformPackage: string;
let packed: Packed[];
let prefix: string;

function ok(r: SpawnSyncReturns<string>, what: string): SpawnSyncReturns<string> {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r;
}

// A private cache keeps the user's ~/.npm free of 100 MB tarballs and proves nothing is fetched.
const npm = (args: string[], cwd: string) =>
  spawnSync(
    "npm",
    [...args, "--cache", join(work, "npm-cache"), "--no-update-notifier", "--loglevel=error"],
    {
      cwd,
      encoding: "utf8",
      timeout: 40_000,
    },
  );

/** Installs tarballs globally into a fresh prefix; offline, so the wrapper's other optional deps must be skippable. */
function installGlobal(tarballs: string[], name: string): string {
  const dir = join(work, name);
  ok(
    npm(["install", "-g", "--prefix", dir, ...tarballs, "--offline", "--no-audit", "--no-fund"], work),
    `npm install -g ${name}`,
  );
  return dir;
}

beforeAll(() => {
  work = realpathSync(mkdtempSync(join(tmpdir(), "orch-npm-")));
  release = join(work, "release");
  ok(
    spawnSync(process.execPath, [join(ROOT, "scripts", "release.ts"), "--out", release, "--targets", HOST], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 40_000,
    }),
    "release.ts",
  );
  manifest = JSON.parse(readFileSync(join(release, "manifest.json"), "utf8"));
  platformPackage = manifest.targets[0]!.npm_package;

  const packs = join(work, "packs");
  mkdirSync(packs);
  const npmDir = join(release, "npm");
  const r = ok(
    npm(
      ["pack", `./${manifest.name}`, `./${platformPackage}`, "--json", "--pack-destination", packs],
      npmDir,
    ),
    "npm pack",
  );
  packed = JSON.parse(r.stdout);
  prefix = installGlobal(
    packed.map((p) => join(packs, p.filename)),
    "prefix",
  );
}, 60_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("release artifacts", () => {
  test("manifest and SHA256SUMS describe the one host binary", () => {
    expect(manifest).toMatchObject({ name: "orchestrator-mcp", version: VERSION });
    expect(manifest.targets).toHaveLength(1);
    const t = manifest.targets[0]!;
    expect(t.target).toBe(HOST);
    const data = readFileSync(join(release, t.file));
    expect(t.size).toBe(data.length);
    expect(t.sha256).toBe(createHash("sha256").update(data).digest("hex"));
    expect(readFileSync(join(release, "SHA256SUMS"), "utf8")).toBe(`${t.sha256}  ${t.file}\n`);
  });

  test("the platform tarball holds only its executable binary", () => {
    const platform = packed.find((p) => p.filename.startsWith(platformPackage))!;
    const files = platform.files.map((f) => f.path).sort();
    expect(files).toEqual(["bin/orchestrator", "package.json"]);
    expect(platform.files.find((f) => f.path === "bin/orchestrator")!.mode & 0o777).toBe(0o755);
  });
});

describe("installed through npm", () => {
  const command = () => join(prefix, "bin", "orchestrator");

  test("`orchestrator version --json` runs the platform binary", () => {
    const r = ok(spawnSync(command(), ["version", "--json"], { encoding: "utf8" }), "orchestrator version");
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({
      version: VERSION,
      commit: manifest.commit,
      target: `bun-${process.platform}-${process.arch}`,
      runtime: "bun",
      compiled: true,
    });
    expect(typeof v.runtime_version).toBe("string");
    expect(v.path).toContain(join("node_modules", platformPackage, "bin"));
  });

  test("an MCP client gets a whole plan → execute → complete → synthesize flow", async () => {
    const project = makeProject("orch-npm-flow-");
    const { client, close } = await connectBinary({ command: command(), cwd: project.dir });
    try {
      const plan = await callOk(client, "orchestrator_plan_task", {
        description: "Ship the npm package",
        subtasks: [{ title: "Pack it", description: "npm pack", specialist_type: "implementer" }],
      });
      const id: string = plan.subtasks[0].task_id;
      const exec = await callOk(client, "orchestrator_execute_subtask", { task_id: id });
      expect(exec.prompt).toContain("orchestrator_complete_subtask");
      await callOk(client, "orchestrator_complete_subtask", {
        task_id: id,
        summary: "packed",
        detailed_work: "ran npm pack",
      });
      const synth = await callOk(client, "orchestrator_synthesize_results", {
        parent_task_id: plan.parent_task_id,
      });
      expect(synth.all_completed).toBe(true);
      expect(synth.progress).toEqual({ completed: 1, total: 1, percentage: 100 });
    } finally {
      await close();
      project.cleanup();
    }
  });

  test("without the platform package the shim says which package is missing and how to fix it", () => {
    const wrapper = packed.find((p) => p.filename.startsWith(`${manifest.name}-${VERSION}`))!;
    const alone = installGlobal([join(work, "packs", wrapper.filename)], "wrapper-only");
    const r = spawnSync("node", [join(alone, "bin", "orchestrator"), "version"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "" },
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`the platform package ${platformPackage} is not installed`);
    expect(r.stderr).toContain(`npm install -g ${manifest.name}@${VERSION} ${platformPackage}@${VERSION}`);
    expect(r.stderr).not.toContain("    at ");
  });
});
