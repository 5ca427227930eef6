/**
 * `bun run test:clients`: the real-client suite. Builds dist/orchestrator, installs the pinned
 * client CLIs from npm into the cache (ORCHESTRATOR_CLIENTS_CACHE, default
 * ~/.cache/orchestrator-real-clients; skipped when already there), then runs
 * tests/real-clients/clients.real.ts with bun test. Prints install and suite times; exits non-zero
 * when an install or a test failed. Extra arguments go to bun test (e.g. -t "Gemini").
 */
import { spawnSync } from "node:child_process";
import { cacheRoot, ensureInstalled, PINNED } from "../tests/real-clients/pinned.ts";

const bun = process.execPath;
const secs = (t0: number) => Math.round((performance.now() - t0) / 100) / 10;

const build = spawnSync(bun, ["scripts/build.ts"], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const root = cacheRoot();
console.log(`real clients: cache ${root}`);
const t0 = performance.now();
let installFailed = false;
for (const c of PINNED) {
  const r = ensureInstalled(c, root);
  console.log(
    `  ${r.status === "failed" ? "✗" : "✓"} ${c.pkg}@${c.version}: ${r.status}${r.status === "installed" ? ` in ${r.seconds}s` : ""}`,
  );
  if (r.error) console.log(`    ${r.error.replaceAll("\n", "\n    ")}`);
  installFailed ||= r.status === "failed";
}
console.log(`real clients: install ${secs(t0)}s`);
if (installFailed) {
  // One line with counts, the shape CI's summary reads, so a failed install is counted.
  console.log(" 0 pass\n 1 fail");
  process.exit(1);
}

const t1 = performance.now();
const suite = spawnSync(
  bun,
  [
    "test",
    "./tests/real-clients/clients.real.ts",
    "./tests/real-clients/remote.real.ts",
    ...process.argv.slice(2),
  ],
  {
    stdio: "inherit",
    env: { ...process.env, ORCHESTRATOR_CLIENTS_CACHE: root },
  },
);
console.log(`real clients: suite ${secs(t1)}s`);
process.exit(suite.status ?? 1);
