/**
 * Compiles the single `orchestrator` binary: `bun run build` → dist/orchestrator.
 * Version, commit and target are injected with --define; the binary never reads package.json.
 * The dashboard's front end is bundled first and embedded through a generated entry
 * (scripts/build-dashboard.ts): dist/entry.gen.ts provides the assets, then runs bin/orchestrator.ts.
 * Usage: bun scripts/build.ts [--target bun-linux-x64] [--outfile dist/orchestrator] [--version X]
 *        [--compile-executable-path <bun runtime for --target>] [--no-bytecode-order]
 * Two passes: a first build for this host is run to record which bytecode `serve` uses
 * (scripts/bytecode-order.ts), and the binary is then built with that bytecode laid out first.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDashboard } from "./build-dashboard.ts";
import { recordBytecodeOrder } from "./bytecode-order.ts";
import { embeddedToolLists } from "./tool-lists.ts";

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const target = flag("--target");
const outfile = flag("--outfile") ?? "dist/orchestrator";
const version =
  flag("--version") ??
  (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
    .version;
const git = spawnSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8" });
const commit = git.status === 0 ? git.stdout.trim() : "unknown";
const targetName = target ?? `bun-${process.platform}-${process.arch}`;
// scripts/release.ts passes a runtime it fetched itself when Bun cannot download the target's.
const runtime = flag("--compile-executable-path");

// The workers' tools/list per profile, for the supervisor to answer the first one itself. It is
// one argument: Linux caps each at 128 KiB, so a list that outgrows it fails here, not silently.
const toolLists = JSON.stringify(JSON.stringify(embeddedToolLists()));
if (toolLists.length > 100_000) {
  process.stderr.write(`build failed: the embedded tools/list is ${toolLists.length} bytes (> 100,000)\n`);
  process.exit(1);
}

// The dashboard's front end, bundled and embedded: the binary's entry is the generated wrapper
// that provides the assets before bin/orchestrator.ts runs (scripts/build-dashboard.ts).
const dashboard = await buildDashboard(join(import.meta.dir, "..", "dist"));
process.stdout.write(
  `dashboard assets: ${dashboard.assets.map((a) => `${a.name} ${a.raw} B (${a.gzip} B gzip)`).join(", ")}\n`,
);

// ESM with code splitting: each lazily imported module is its own chunk in the binary, so a
// process evaluates (and pages in) only the chunks it imports: `serve`'s supervisor never loads
// the server, the SDK or the dashboard (docs/performance.md, "Idle memory").
const JIT_POLICY_AT_START = 200;
const common = [
  "build",
  dashboard.entry,
  "--compile",
  "--minify",
  "--bytecode",
  "--format=esm",
  "--splitting",
  // Run-once start code stays in the interpreter; main() restores the normal policy after start
  // (src/platform/jit.ts).
  `--compile-jit-policy=${JIT_POLICY_AT_START}`,
  "--no-compile-autoload-dotenv",
  "--no-compile-autoload-bunfig",
  `--define=__ORCHESTRATOR_VERSION__=${JSON.stringify(version)}`,
  `--define=__ORCHESTRATOR_COMMIT__=${JSON.stringify(commit)}`,
  `--define=__ORCHESTRATOR_TARGET__=${JSON.stringify(targetName)}`,
  `--define=__ORCHESTRATOR_TOOL_LISTS__=${toolLists}`,
];
const compile = (extra: string[]): void => {
  const r = spawnSync(process.execPath, [...common, ...extra], { stdio: "inherit" });
  if (r.status !== 0) throw new Error(`bun build exited ${r.status}`);
};

// The first build and the profiles live in a folder of this build's own: a test may build while
// `bun run build` runs.
const orderDir = mkdtempSync(join(tmpdir(), "orch-build-order-"));
try {
  let order: string[] = [];
  if (!args.includes("--no-bytecode-order")) {
    const first = join(orderDir, process.platform === "win32" ? "first.exe" : "first");
    compile([`--outfile=${first}`]);
    order = await recordBytecodeOrder(first, orderDir);
  }
  compile([
    `--outfile=${outfile}`,
    ...(order.length > 0 ? [`--bytecode-order=${order.join(",")}`] : []),
    ...(target ? [`--target=${target}`] : []),
    ...(runtime ? [`--compile-executable-path=${runtime}`] : []),
  ]);
} catch (e) {
  process.stderr.write(`build failed (${e instanceof Error ? e.message : String(e)})\n`);
  process.exitCode = 1;
} finally {
  rmSync(orderDir, { recursive: true, force: true });
}
if (process.exitCode === 1) process.exit(1);
process.stdout.write(`built ${outfile} (version ${version}, commit ${commit}, target ${targetName})\n`);
