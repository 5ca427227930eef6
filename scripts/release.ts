/**
 * Cuts a release: one compiled binary per target, SHA256SUMS, manifest.json and an npm layout
 * (a JS wrapper package plus one package per platform holding only that platform's binary).
 * Usage: bun scripts/release.ts [--out dist/release] [--targets linux-x64,darwin-arm64]
 *        [--npm-runtime] [--runtime-cache dist/.runtime-cache]
 * --npm-runtime skips Bun's own runtime download and always uses the `npm pack @oven/...` route,
 * which is the one that keeps working behind a registry-only proxy or offline with a warm cache.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";

// npm names. `orchestrator` itself is taken on npm, and a scope (`@task-orchestrator/cli`) would
// need an npm org first; both unscoped names were unclaimed when this was written. Platform packages
// are `<WRAPPER>-<process.platform>-<process.arch>` so the shim can compute the name at run time.
const NPM_WRAPPER = "orchestrator-mcp";
const NPM_BIN = "orchestrator";
// Where users download plain binaries from: `orchestrator-<os>-<arch>[.exe]`.
const FILE_PREFIX = "orchestrator";

type Platform = {
  /** The name used with --targets and in file names. */
  key: string;
  /** `bun build --target`. */
  bunTarget: string;
  /** The npm package Bun's runtime for this target ships in (its names differ from --target). */
  runtimePackage: string;
  /** npm `os` / `cpu` values, i.e. Node's process.platform / process.arch. */
  os: string;
  cpu: string;
  exe: boolean;
};

// The x64 targets are Bun's default (AVX2) builds; CPUs older than Haswell need `-baseline`.
const PLATFORMS: readonly Platform[] = [
  {
    key: "linux-x64",
    bunTarget: "bun-linux-x64",
    runtimePackage: "@oven/bun-linux-x64",
    os: "linux",
    cpu: "x64",
    exe: false,
  },
  {
    key: "linux-arm64",
    bunTarget: "bun-linux-arm64",
    runtimePackage: "@oven/bun-linux-aarch64",
    os: "linux",
    cpu: "arm64",
    exe: false,
  },
  {
    key: "darwin-x64",
    bunTarget: "bun-darwin-x64",
    runtimePackage: "@oven/bun-darwin-x64",
    os: "darwin",
    cpu: "x64",
    exe: false,
  },
  {
    key: "darwin-arm64",
    bunTarget: "bun-darwin-arm64",
    runtimePackage: "@oven/bun-darwin-aarch64",
    os: "darwin",
    cpu: "arm64",
    exe: false,
  },
  {
    key: "windows-x64",
    bunTarget: "bun-windows-x64",
    runtimePackage: "@oven/bun-windows-x64",
    os: "win32",
    cpu: "x64",
    exe: true,
  },
];

const ROOT = resolve(import.meta.dir, "..");
const BUN_VERSION = Bun.version;

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
// Given paths are relative to where you run it; the defaults live in the repo's ignored dist/.
const outDir = resolve(flag("--out") ?? join(ROOT, "dist", "release"));
const runtimeCache = resolve(flag("--runtime-cache") ?? join(ROOT, "dist", ".runtime-cache"));
const forceNpmRuntime = args.includes("--npm-runtime");
const wanted = flag("--targets")
  ?.split(",")
  .map((s) => s.trim())
  .filter(Boolean);

const unknown = (wanted ?? []).filter((k) => !PLATFORMS.some((p) => p.key === k));
if (unknown.length > 0 || wanted?.length === 0) {
  process.stderr.write(
    `--targets: ${unknown.length > 0 ? `unknown ${unknown.join(", ")}` : "empty"}; known: ${PLATFORMS.map((p) => p.key).join(", ")}\n`,
  );
  process.exit(2);
}
const targets = wanted ? PLATFORMS.filter((p) => wanted.includes(p.key)) : PLATFORMS;

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  description?: string;
  license?: string;
};
const version = pkg.version;
const git = spawnSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: ROOT, encoding: "utf8" });
const commit = git.status === 0 ? git.stdout.trim() : "unknown";

const fileName = (p: Platform) => `${FILE_PREFIX}-${p.key}${p.exe ? ".exe" : ""}`;
const npmName = (p: Platform) => `${NPM_WRAPPER}-${p.os}-${p.cpu}`;

// Only our own artifacts are removed, so `--out` pointing at a shared folder loses nothing else,
// while a smaller --targets run cannot leave stale binaries listed in SHA256SUMS.
function cleanOut(): void {
  mkdirSync(outDir, { recursive: true });
  for (const name of readdirSync(outDir)) {
    if (
      name === "npm" ||
      name === "SHA256SUMS" ||
      name === "manifest.json" ||
      name.startsWith(`${FILE_PREFIX}-`)
    )
      rmSync(join(outDir, name), { recursive: true, force: true });
  }
}

function runBuild(p: Platform, outfile: string, runtime?: string): { ok: boolean; log: string } {
  const cmd = [
    join(ROOT, "scripts", "build.ts"),
    "--target",
    p.bunTarget,
    "--outfile",
    outfile,
    "--version",
    version,
    ...(runtime ? ["--compile-executable-path", runtime] : []),
  ];
  const r = spawnSync(process.execPath, cmd, { cwd: ROOT, encoding: "utf8" });
  return { ok: r.status === 0, log: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** Fetches Bun's runtime for `p` with npm (which honours the user's registry config) and returns its path. */
function npmRuntime(p: Platform): string {
  const dir = join(runtimeCache, `${p.runtimePackage.replace("/", "+")}-${BUN_VERSION}`);
  const bin = join(dir, "package", "bin", p.exe ? "bun.exe" : "bun");
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const spec = `${p.runtimePackage}@${BUN_VERSION}`;
  // A pinned version never changes, so npm's cache is as good as the registry, and offline it
  // saves minutes of retries.
  const packed = spawnSync("npm", ["pack", spec, "--json", "--prefer-offline", "--pack-destination", dir], {
    encoding: "utf8",
    shell: process.platform === "win32",
  });
  if (packed.status !== 0) throw new Error(`npm pack ${spec} failed:\n${packed.stderr}`);
  const info = JSON.parse(packed.stdout) as { filename: string }[];
  const tgz = info[0]?.filename;
  if (!tgz) throw new Error(`npm pack ${spec} printed no file name`);
  const untar = spawnSync("tar", ["-xzf", join(dir, tgz), "-C", dir], { encoding: "utf8" });
  if (untar.status !== 0 || !existsSync(bin)) throw new Error(`could not unpack ${tgz}:\n${untar.stderr}`);
  rmSync(join(dir, tgz), { force: true });
  return bin;
}

// Bun 1.4 prints `Failed to download 'bun-<target>-v<version>': <reason>` whatever the cause (DNS,
// HTTP status, TLS); anything else is a real build error that a second runtime would not fix.
const DOWNLOAD_FAILURE = /Failed to download/i;

type Built = Platform & { file: string; size: number; sha256: string; seconds: number; runtime: string };

function buildTarget(p: Platform): Built {
  const outfile = join(outDir, fileName(p));
  const started = performance.now();
  let route = "bun (own cache)";
  let r = forceNpmRuntime ? { ok: false, log: "" } : runBuild(p, outfile);
  if (!r.ok && (forceNpmRuntime || DOWNLOAD_FAILURE.test(r.log))) {
    if (!forceNpmRuntime)
      process.stderr.write(`${p.key}: Bun could not download its runtime; using npm pack\n`);
    route = "npm pack";
    r = runBuild(p, outfile, npmRuntime(p));
  }
  if (!r.ok) throw new Error(`${p.key}: build failed\n${r.log}`);
  const seconds = (performance.now() - started) / 1000;
  const data = readFileSync(outfile);
  return {
    ...p,
    file: fileName(p),
    size: data.length,
    sha256: createHash("sha256").update(data).digest("hex"),
    seconds,
    runtime: route,
  };
}

// Plain CommonJS with no dependencies: it has to run on whatever Node the user has, before any
// platform check. It derives everything from its own package.json, so nothing is templated in.
const SHIM = String.raw`#!/usr/bin/env node
"use strict";
// Generated by scripts/release.ts: starts the native orchestrator binary from the platform package.
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const wrapper = require("../package.json");
const platformPackage = wrapper.name + "-" + process.platform + "-" + process.arch;
const exe = process.platform === "win32" ? "orchestrator.exe" : "orchestrator";

function fail(lines) {
  process.stderr.write(lines.join("\n") + "\n");
  process.exit(1);
}

function locate() {
  // Lets people run a binary they downloaded themselves (e.g. a musl or baseline build).
  if (process.env.ORCHESTRATOR_BINARY) return process.env.ORCHESTRATOR_BINARY;
  const supported = Object.keys(wrapper.optionalDependencies || {});
  if (!supported.includes(platformPackage)) {
    fail([
      "orchestrator: no prebuilt binary for " + process.platform + "-" + process.arch + ".",
      "Supported: " + supported.map((n) => n.slice(wrapper.name.length + 1)).join(", ") + ".",
      "Set ORCHESTRATOR_BINARY to the path of a binary you built yourself to use it anyway.",
    ]);
  }
  let manifest;
  try {
    manifest = require.resolve(platformPackage + "/package.json");
  } catch {
    fail([
      "orchestrator: the platform package " + platformPackage + " is not installed.",
      wrapper.name + " ships its binary in that optional dependency; npm leaves it out when optional",
      "dependencies are omitted (--omit=optional, --no-optional) or node_modules came from another OS/CPU.",
      "Fix: npm install -g " + wrapper.name + "@" + wrapper.version + " " + platformPackage + "@" + wrapper.version,
      "  (in a project: npm install " + platformPackage + "@" + wrapper.version + ")",
    ]);
  }
  const dir = path.dirname(manifest);
  const installed = require(manifest).version;
  if (installed !== wrapper.version) {
    process.stderr.write(
      "orchestrator: warning: " + platformPackage + "@" + installed + " does not match " +
        wrapper.name + "@" + wrapper.version + "; reinstall both at the same version.\n",
    );
  }
  const bin = path.join(dir, "bin", exe);
  if (!fs.existsSync(bin)) {
    fail(["orchestrator: " + bin + " is missing; reinstall " + platformPackage + "@" + wrapper.version + "."]);
  }
  if (process.platform !== "win32") {
    // Some package managers and copy tools drop the executable bit.
    try {
      fs.accessSync(bin, fs.constants.X_OK);
    } catch {
      try {
        fs.chmodSync(bin, 0o755);
      } catch {}
    }
  }
  return bin;
}

const bin = locate();
const child = spawn(bin, process.argv.slice(2), { stdio: "inherit" });
const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
const forward = (signal) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const signal of signals) process.on(signal, forward);
child.on("error", (err) => fail(["orchestrator: could not start " + bin + ": " + err.message]));
child.on("exit", (code, signal) => {
  if (signal) {
    for (const s of signals) process.removeListener(s, forward);
    // Dying of the same signal lets the caller see what happened to the real process.
    process.exitCode = 128 + (os.constants.signals[signal] || 0);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code === null ? 1 : code);
});
`;

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

function writeNpm(built: Built[]): { wrapperDir: string; platformDirs: string[] } {
  const npmDir = join(outDir, "npm");
  const platformDirs: string[] = [];
  for (const b of built) {
    const dir = join(npmDir, npmName(b));
    mkdirSync(join(dir, "bin"), { recursive: true });
    const bin = join(dir, "bin", b.exe ? `${NPM_BIN}.exe` : NPM_BIN);
    copyFileSync(join(outDir, b.file), bin);
    chmodSync(bin, 0o755);
    // No `bin` field: only the wrapper may own the `orchestrator` command, or global installs clash.
    writeJson(join(dir, "package.json"), {
      name: npmName(b),
      version,
      description: `The ${b.os}-${b.cpu} binary for ${NPM_WRAPPER}. Install ${NPM_WRAPPER} instead.`,
      license: pkg.license ?? "MIT",
      os: [b.os],
      cpu: [b.cpu],
      // Bun's Linux builds link against glibc; on musl npm then skips the package and the shim explains.
      ...(b.os === "linux" ? { libc: ["glibc"] } : {}),
      files: ["bin/"],
      preferUnplugged: true,
    });
    platformDirs.push(dir);
  }

  const wrapperDir = join(npmDir, NPM_WRAPPER);
  mkdirSync(join(wrapperDir, "bin"), { recursive: true });
  writeFileSync(join(wrapperDir, "bin", `${NPM_BIN}.js`), SHIM);
  chmodSync(join(wrapperDir, "bin", `${NPM_BIN}.js`), 0o755);
  // Every platform is listed even on a partial run: the wrapper that gets published must offer them all.
  writeJson(join(wrapperDir, "package.json"), {
    name: NPM_WRAPPER,
    version,
    description: pkg.description ?? "MCP task orchestrator",
    license: pkg.license ?? "MIT",
    bin: { [NPM_BIN]: `bin/${NPM_BIN}.js` },
    files: ["bin/"],
    engines: { node: ">=18" },
    optionalDependencies: Object.fromEntries(PLATFORMS.map((p) => [npmName(p), version])),
  });
  writeFileSync(
    join(wrapperDir, "README.md"),
    `# ${NPM_WRAPPER}\n\n${pkg.description ?? ""}\n\n` +
      `\`npm install -g ${NPM_WRAPPER}\` installs the \`${NPM_BIN}\` command; npm picks the matching ` +
      `\`${NPM_WRAPPER}-<os>-<cpu>\` package, which holds the native binary.\n\n` +
      `Run \`${NPM_BIN} serve\` as an MCP stdio server, or \`${NPM_BIN} --help\`.\n`,
  );
  return { wrapperDir, platformDirs };
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

function main(): void {
  cleanOut();
  const started = performance.now();
  const built: Built[] = [];
  const failed: string[] = [];
  for (const p of targets) {
    try {
      built.push(buildTarget(p));
    } catch (e) {
      failed.push(p.key);
      process.stderr.write(`${(e as Error).message}\n`);
    }
  }

  writeFileSync(join(outDir, "SHA256SUMS"), built.map((b) => `${b.sha256}  ${b.file}\n`).join(""));
  writeJson(join(outDir, "manifest.json"), {
    name: NPM_WRAPPER,
    version,
    commit,
    built_at: new Date().toISOString(),
    bun_version: BUN_VERSION,
    targets: built.map((b) => ({
      target: b.key,
      bun_target: b.bunTarget,
      file: b.file,
      size: b.size,
      sha256: b.sha256,
      os: b.os,
      cpu: b.cpu,
      npm_package: npmName(b),
    })),
  });
  const { wrapperDir } = writeNpm(built);

  const rows = built.map((b) => [b.key, b.file, mb(b.size), `${b.seconds.toFixed(1)} s`, b.runtime]);
  const header = ["target", "file", "size", "time", "runtime"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  process.stdout.write(`${line(header)}\n${line(widths.map((w) => "-".repeat(w)))}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
  process.stdout.write(
    `\n${NPM_WRAPPER} ${version} (${commit}) → ${outDir} in ${((performance.now() - started) / 1000).toFixed(1)} s` +
      `\nnpm packages: ${join(outDir, "npm")} (wrapper ${wrapperDir.slice(outDir.length + 1)})\n`,
  );
  if (targets.length < PLATFORMS.length) {
    process.stdout.write(
      `partial run: the wrapper still lists all ${PLATFORMS.length} platform packages; publish only a full run\n`,
    );
  }
  if (failed.length > 0) {
    process.stderr.write(`failed: ${failed.join(", ")}\n`);
    process.exit(1);
  }
}

main();
