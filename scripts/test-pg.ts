/**
 * `bun run test:pg` (and the last step of `bun run check`): the integration and e2e files that do
 * not depend on the store's dialect, run again on PostgreSQL (issue 13). Each file runs in its own
 * `bun test` process with ORCHESTRATOR_TEST_STORE=postgres, so it gets a fresh database
 * (tests/helpers/test-store.ts), is failed when nothing reached it, and the database is dropped.
 *
 * Every file under tests/integration and tests/e2e is listed below exactly once, with the reason
 * when it does not run here; a new file fails this script until it is placed.
 * `bun scripts/test-pg.ts <file>...` runs only those; TEST_PG_JOBS files at once (default 3).
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { stopEmbeddedServers } from "../tests/helpers/_embedded-postgres.ts";
import { postgresServer } from "../tests/helpers/postgres.ts";

const ROOT = join(import.meta.dir, "..");

/** Run on PostgreSQL; the slowest first, so the others fill in beside them. */
const ON_POSTGRES = [
  "tests/e2e/reboot.test.ts",
  "tests/e2e/dashboard-browser.test.ts",
  "tests/e2e/dashboard-serve-http.test.ts",
  "tests/e2e/dashboard-http.test.ts",
  "tests/e2e/multi-agent.test.ts",
  "tests/e2e/status-kept.test.ts",
  "tests/e2e/protocol-fuzz.test.ts",
  "tests/integration/claims.test.ts",
  "tests/integration/next-ready.test.ts",
  "tests/integration/dashboard-actions.test.ts",
  "tests/integration/dashboard-source.test.ts",
  "tests/integration/maintenance.test.ts",
  "tests/integration/request-id.test.ts",
  "tests/integration/resources-prompts.test.ts",
  "tests/integration/server-flow.test.ts",
  "tests/integration/answer-size.test.ts",
  "tests/integration/artifact-ids.test.ts",
  "tests/integration/status-kept.test.ts",
  "tests/integration/tool-list-budget.test.ts",
  "tests/e2e/artifact-store.test.ts",
  "tests/e2e/binary-flow.test.ts",
  "tests/e2e/claims.test.ts",
  "tests/e2e/cli-reading.test.ts",
  "tests/e2e/deno-smoke.test.ts",
  "tests/e2e/duplicate-ids.test.ts",
  "tests/e2e/hostile-repository.test.ts",
  "tests/e2e/http-jwt.test.ts",
  "tests/e2e/http-metrics.test.ts",
  "tests/e2e/http-server.test.ts",
  "tests/e2e/http-token-projects.test.ts",
  "tests/e2e/http-restart.test.ts",
  "tests/e2e/hot-reload.test.ts",
  "tests/e2e/import-legacy.test.ts",
  "tests/e2e/request-id.test.ts",
  "tests/e2e/request-size.test.ts",
];

/** Not run here: they inspect or craft SQLite itself. */
const SQLITE_ONLY: Record<string, string> = {
  "tests/integration/store-errors.test.ts":
    "SQLite failures: a full tmpfs disk, read-only and corrupt database files",
  "tests/integration/store-ids.test.ts":
    "row mappers against rows crafted in a SQLite file (the store contract runs the rules on PostgreSQL)",
  "tests/integration/store-open-race.test.ts": "processes racing to create one SQLite file",
  "tests/integration/group-commit.test.ts":
    "SQLite's group commit on its one connection (PostgreSQL writes each call in its own transaction; the store contract holds both to the same outcomes)",
  "tests/integration/checkpoint-thread.test.ts":
    "SQLite's WAL checkpoints on a thread of their own (PostgreSQL has no WAL file of ours to checkpoint)",
  "tests/integration/sync-statements.test.ts":
    "statements run straight on SQLite's one connection inside its transactions (PostgreSQL's go through its pool)",
  "tests/integration/prepared-queries.test.ts":
    "runs on SQLite and on a PostgreSQL database of its own in one file, like the store contract",
  "tests/integration/ready-order.test.ts":
    "the ready query's index: SQLite's query plan, and the index on a PostgreSQL database of its own, in one file",
  "tests/integration/events-index.test.ts":
    "a task's history through its plan's events index: SQLite's query plan, and the index on a PostgreSQL database of its own, in one file",
  "tests/integration/newest-first.test.ts":
    "lists newest first through their indexes: SQLite's query plans, and the indexes on a PostgreSQL database of its own, in one file",
  "tests/integration/plan-counters.test.ts":
    "concurrent writers on one SQLite file and on a PostgreSQL database of its own, in one file",
  "tests/integration/store-port.test.ts":
    "the store contract on SQLite; tests/integration/postgres-store.test.ts runs it on PostgreSQL",
  "tests/e2e/crash-safety.test.ts":
    "kill -9 against SQLite files (WAL, torn writes); the same harness runs on PostgreSQL in postgres-crash.test.ts",
  "tests/e2e/doctor.test.ts":
    "doctor's checks of the data folder and the SQLite file (modes, WAL, migrations in the file)",
  "tests/e2e/guides.test.ts": "runs the guides' shell blocks as written, on the default store",
  "tests/e2e/load.test.ts":
    "SQLite files, one per workspace or a shared one; the same harness runs on PostgreSQL in postgres-crash.test.ts",
  "tests/e2e/project-identity.test.ts":
    "explicit shared SQLite files, path-keyed rows seeded into SQLite; tests/e2e/team-store.test.ts is the PostgreSQL case",
  "tests/e2e/store-permissions.test.ts": "file modes and owners of the SQLite database and its -wal/-shm",
  "tests/e2e/workspace-walls.test.ts": "that reading creates no database file in the workspace",
  "tests/e2e/http-tls.test.ts":
    "TLS at the HTTP edge with its own database files (the store part runs on PostgreSQL in http-server)",
};

/** Not run here: they open no store, or always use PostgreSQL (their own database). */
const NOT_STORE_AGNOSTIC: Record<string, string> = {
  "tests/integration/shared-looks.test.ts":
    "the look at the workspace's files before any store call; it writes nothing",
  "tests/integration/install-corpus.test.ts": "installer: no store",
  "tests/integration/install-target.test.ts": "installer: no store",
  "tests/integration/probe.test.ts": "command probes: no store",
  "tests/integration/supervisor-internal.test.ts": "supervisor with in-memory workers: no store",
  "tests/integration/supervisor-relay.test.ts": "supervisor with in-memory workers: no store",
  "tests/integration/server-pool.test.ts": "the HTTP servers kept per caller: no store is opened",
  "tests/integration/postgres-concurrency.test.ts": "always PostgreSQL (its own database)",
  "tests/integration/postgres-harness.test.ts": "the PostgreSQL test harness itself",
  "tests/integration/postgres-store.test.ts": "always PostgreSQL (its own database)",
  "tests/integration/postgres-text.test.ts": "always PostgreSQL (its own database)",
  "tests/e2e/hostile-probes.test.ts": "command probes of doctor and validate: no store",
  "tests/e2e/install-safety.test.ts": "installer: no store",
  "tests/e2e/install-scopes.test.ts": "installer: no store",
  "tests/e2e/install.test.ts": "installer: no store",
  "tests/e2e/idle-code-pages.test.ts": "the processes' memory, not the store",
  "tests/e2e/worker-jit.test.ts": "the worker's environment, not the store",
  "tests/e2e/invalid-params.test.ts": "JSON-RPC params refused before any store call",
  "tests/e2e/npm-wrapper.test.ts": "the npm launcher: no store",
  "tests/e2e/project-discovery.test.ts": "which folder is the workspace: nothing is stored",
  "tests/e2e/trust-gates.test.ts": "installer gates: no store",
  "tests/e2e/postgres.test.ts": "always PostgreSQL (its own database)",
  "tests/e2e/store-copy.test.ts": "copies between both dialects with its own databases",
  "tests/e2e/team-store.test.ts": "always PostgreSQL: two checkouts sharing one database",
  "tests/e2e/doctor-postgres.test.ts": "always PostgreSQL (its own database)",
  "tests/e2e/http-postgres.test.ts": "always PostgreSQL: two HTTP servers on its own database",
  "tests/e2e/http-nginx.test.ts": "always PostgreSQL: two HTTP servers behind nginx on its own database",
  "tests/e2e/http-caddy.test.ts":
    "the guide's Caddy configuration and the Host rule: its own SQLite file (http-nginx covers PostgreSQL)",
  "tests/e2e/store-copy-postgres.test.ts": "copies between both dialects with its own databases",
  "tests/e2e/install-db.test.ts": "installer: the store it names is text in a client's file",
  "tests/e2e/install-remote.test.ts":
    "installer and validate/doctor of remote entries; the server's store is covered by http-server on PostgreSQL",
  "tests/e2e/remote-connect.test.ts":
    "the connect bridge; the server behind it runs on PostgreSQL in http-server and http-postgres",
  "tests/e2e/settings-db.test.ts":
    "chooses each store itself (settings db: names its own PostgreSQL database)",
  "tests/e2e/postgres-crash.test.ts":
    "always PostgreSQL: the crash and load harnesses with --db on their own databases",
  "tests/e2e/postgres-restart.test.ts": "always PostgreSQL: a server of its own, stopped and reconfigured",
};

function placement(): string[] {
  const all = ["tests/integration", "tests/e2e"].flatMap((d) =>
    readdirSync(join(ROOT, d))
      .filter((f) => f.endsWith(".test.ts"))
      .map((f) => `${d}/${f}`),
  );
  const problems: string[] = [];
  const listed = [...ON_POSTGRES, ...Object.keys(SQLITE_ONLY), ...Object.keys(NOT_STORE_AGNOSTIC)];
  for (const f of all) {
    const n = listed.filter((l) => l === f).length;
    if (n !== 1) problems.push(`${f} is listed ${n} times in scripts/test-pg.ts (place it exactly once)`);
  }
  // Files of branches not merged yet may be placed in advance; a file run here must exist.
  for (const l of ON_POSTGRES)
    if (!all.includes(l)) problems.push(`${l} is listed in scripts/test-pg.ts but does not exist`);
  return problems;
}

interface Outcome {
  readonly file: string;
  readonly code: number | null;
  readonly seconds: number;
  readonly output: string;
}

function runFile(file: string, adminUrl: string): Promise<Outcome> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ["test", file], {
    cwd: ROOT,
    // The server found (or started) once here: without one on 5432 the files would each start
    // their own embedded server.
    env: {
      ...process.env,
      ORCHESTRATOR_TEST_STORE: "postgres",
      ORCHESTRATOR_TEST_PG_URL: adminUrl,
      ORCHESTRATOR_TEST_PG: "",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    output += d.toString();
  });
  return new Promise((resolve) =>
    child.on("close", (code) => resolve({ file, code, seconds: (performance.now() - t0) / 1000, output })),
  );
}

/** "N pass", "N skip", "N fail" from bun's summary. */
function tally(output: string): string {
  const counts = ["pass", "skip", "fail"].map((k) => {
    const n = output.match(new RegExp(`^\\s*(\\d+) ${k}$`, "m"))?.[1];
    return n ? `${n} ${k}` : "";
  });
  return counts.filter(Boolean).join(", ");
}

const args = process.argv.slice(2).map((a) => relative(ROOT, join(process.cwd(), a)));
const problems = args.length === 0 ? placement() : [];
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
const files = args.length > 0 ? args : ON_POSTGRES;
// Files run side by side: most of their time is spent waiting on servers and leases, not on CPU.
const jobs = Math.max(1, Number(process.env.TEST_PG_JOBS) || 3);
const t0 = performance.now();
const { adminUrl, kind } = await postgresServer();
let failed = 0;
const totals = { pass: 0, fail: 0 };
const queue = [...files];
await Promise.all(
  Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const r = await runFile(file, adminUrl);
      const skips = [...r.output.matchAll(/^\(sqlite only\) (.*)$/gm)].map((m) => m[1]);
      const lines = [
        `${r.code === 0 ? "ok  " : "FAIL"} ${file} (${tally(r.output)}; ${r.seconds.toFixed(1)} s)`,
      ];
      for (const skip of skips) lines.push(`       sqlite only: ${skip}`);
      const n = (k: string) => Number(r.output.match(new RegExp(`^\\s*(\\d+) ${k}$`, "m"))?.[1] ?? 0);
      totals.pass += n("pass");
      // A file that failed without a summary (a crash, a timeout of the whole file) counts as one failure.
      totals.fail += r.code !== 0 && n("fail") === 0 ? 1 : n("fail");
      if (r.code !== 0) {
        failed++;
        // Indented, so CI's count of bun's own "N pass" summary lines never reads a file's.
        lines.push(r.output.replace(/^/gm, "    | "));
      }
      console.log(lines.join("\n"));
    }
  }),
);
await stopEmbeddedServers();
console.log(
  `\nPostgreSQL (${kind} server): ${files.length - failed}/${files.length} files passed in ${((performance.now() - t0) / 1000).toFixed(1)} s` +
    (args.length === 0
      ? `; ${Object.keys(SQLITE_ONLY).length} SQLite-only files (reasons in scripts/test-pg.ts)`
      : ""),
);
// The one line .ci/run adds to its total.
console.log(`PostgreSQL tests: ${totals.pass} passed, ${totals.fail} failed`);
process.exit(failed > 0 ? 1 : 0);
