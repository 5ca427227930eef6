import { Database } from "bun:sqlite";
import { test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { readProjectIdentity } from "../../src/workspace/project.ts";
import { createSettingsLoader } from "../../src/workspace/settings.ts";
import { createTestDatabase, type TestDatabase } from "./postgres.ts";

/**
 * Which store the integration and e2e suites run against (issue 13: "the existing integration
 * and e2e suites run against PostgreSQL too").
 *
 * ORCHESTRATOR_TEST_STORE=postgres (set by `bun run test:pg`, scripts/test-pg.ts, which runs one
 * `bun test` process per file): the bunfig preload creates one fresh PostgreSQL database for the
 * process (`setUpTestStore`), the helpers point every server and CLI run at it unless a test
 * passes its own database (`connectInMemory`'s `db`, `--db`, ORCHESTRATOR_DB), and at the end
 * (`finishTestStore`) it FAILS the file when the product never wrote there, then drops it.
 * Unset or `sqlite`: each workspace's own SQLite file, as always.
 */
export type TestStore = "sqlite" | "postgres";

export const TEST_STORE: TestStore = parseTestStore(process.env.ORCHESTRATOR_TEST_STORE);
export const ON_POSTGRES = TEST_STORE === "postgres";

let database: TestDatabase | undefined;

function parseTestStore(value: string | undefined): TestStore {
  if (value === undefined || value === "" || value === "sqlite") return "sqlite";
  if (value === "postgres") return "postgres";
  throw new Error(`ORCHESTRATOR_TEST_STORE=${value}: expected "sqlite" or "postgres"`);
}

/** Creates this process's PostgreSQL database (preload, once); nothing on SQLite. */
export async function setUpTestStore(): Promise<void> {
  if (ON_POSTGRES && !database) database = await createTestDatabase();
}

/**
 * Fails when the file ran on PostgreSQL without the product writing there (a helper that
 * forgot the URL would otherwise pass on SQLite unnoticed), then drops the database.
 */
export async function finishTestStore(): Promise<void> {
  if (!database) return;
  const db = database;
  database = undefined;
  try {
    const [row] = await pgQuery(
      db.url,
      "select (select count(*) from kysely_migration)::int as migrations, (select count(*) from events)::int as events",
    ).catch((e: unknown) => {
      throw new Error(`the product never opened the test database ${db.name}: ${String(e)}`);
    });
    if (!row || Number(row.migrations) === 0 || Number(row.events) === 0)
      throw new Error(
        `ORCHESTRATOR_TEST_STORE=postgres but nothing was written to ${db.name} (${JSON.stringify(row)}): this file does not run on PostgreSQL`,
      );
  } finally {
    await db.drop();
  }
}

/** The PostgreSQL URL every server and CLI run of this process uses, or undefined on SQLite. */
export function testDbUrl(): string | undefined {
  if (ON_POSTGRES && !database)
    throw new Error("ORCHESTRATOR_TEST_STORE=postgres but no test database: is the bunfig preload missing?");
  return database?.url;
}

/** Environment for a spawned server or CLI: ORCHESTRATOR_DB on PostgreSQL, nothing on SQLite. */
export function storeEnv(): Record<string, string> {
  const url = testDbUrl();
  return url ? { ORCHESTRATOR_DB: url } : {};
}

/** The store key of a workspace (its project id), for queries scoped to one test's project. */
export function projectKey(workspace: string): string {
  return readProjectIdentity(workspace, createSettingsLoader()).id;
}

/**
 * Rows of one query on the store a workspace's server used: its own SQLite file, or the test's
 * PostgreSQL database (where other tests' projects share the tables: scope by `projectKey`).
 * Placeholders are `?`. Integers come back as numbers in both dialects.
 */
export async function storeRows(
  workspace: string,
  sql: string,
  params: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  const url = testDbUrl();
  if (url) {
    let n = 0;
    const rows = await pgQuery(
      url,
      sql.replace(/\?/g, () => `$${++n}`),
      params,
    );
    return rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [k, typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v]),
      ),
    );
  }
  const file = join(workspace, ".task_orchestrator", "orchestrator.db");
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  const db = new Database(file, { readonly: true });
  try {
    return db.query(sql).all(...(params as string[])) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** The first column of the first row (a count, a sum) as a number. */
export async function storeNumber(workspace: string, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await storeRows(workspace, sql, params);
  return Number(Object.values(row ?? {})[0] ?? Number.NaN);
}

/**
 * Runs statements on the store (a test tampering with rows as a broken peer or an old version
 * would), on one connection. On SQLite foreign keys are off for it: PostgreSQL's schema has none.
 */
export async function storeExec(
  workspace: string,
  statements: string[],
  params: unknown[] = [],
): Promise<void> {
  const url = testDbUrl();
  if (url) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    client.on("error", () => {});
    await client.connect();
    try {
      for (const sql of statements) {
        let n = 0;
        const text = sql.replace(/\?/g, () => `$${++n}`);
        await client.query(text, params.slice(0, n));
      }
    } finally {
      await client.end().catch(() => {});
    }
    return;
  }
  const db = new Database(join(workspace, ".task_orchestrator", "orchestrator.db"));
  try {
    db.run("pragma foreign_keys = off");
    for (const sql of statements) {
      const n = (sql.match(/\?/g) ?? []).length;
      db.query(sql).run(...(params.slice(0, n) as string[]));
    }
  } finally {
    db.close();
  }
}

async function pgQuery(url: string, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Rows of one table belonging to a workspace's project (`where` adds a condition), in either store. */
export async function countRows(workspace: string, table: string, where = "1 = 1"): Promise<number> {
  return storeNumber(workspace, `select count(*) as n from ${table} where workspace = ? and (${where})`, [
    projectKey(workspace),
  ]);
}

/**
 * `test`, or under ORCHESTRATOR_TEST_STORE=postgres a visible skip with its reason: for the few
 * tests in a PostgreSQL-run file that inspect SQLite itself (crafted SQLite files, file modes).
 */
export function sqliteOnly(reason: string): typeof test {
  if (!ON_POSTGRES) return test;
  console.log(`(sqlite only) ${reason}`);
  return test.skip;
}

/** The journal mode health_check and shutdown_prepare report for the test store. */
export const EXPECTED_JOURNAL_MODE = ON_POSTGRES ? "postgres" : "wal";
