import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "../../src/store/database.ts";
import { openStore, type Store } from "../../src/store/open.ts";
import { prepared } from "../../src/store/prepared.ts";
import { syncStatementsOf } from "../../src/store/sync-statements.ts";
import { groupedWriter, readTx } from "../../src/store/transactions.ts";
import { makeProject } from "../helpers/temp.ts";

// Prepared statements inside a SQLite write transaction or read snapshot run straight on the
// connection (store/sync-statements.ts). These hold when that is allowed (only while the
// transaction's callback runs, never through the database handle, which must wait for a
// transaction in progress) and that the straight way answers and fails as Kysely's does.

let project: ReturnType<typeof makeProject>;
let store: Store;
beforeEach(async () => {
  project = makeProject("orch-sync-statements-");
  store = await openStore(join(project.dir, "s.db"));
  await sql`create table probe (n integer primary key, who text not null)`.execute(store.db);
});
afterEach(async () => {
  await store.close();
  project.cleanup();
});

type Any = Kysely<any>;
const insert = prepared((db, p: { n: number; who: string }) =>
  (db as unknown as Any).insertInto("probe").values({ n: p.n, who: p.who }),
);
const byN = prepared((db, p: { n: number }) =>
  (db as unknown as Any).selectFrom("probe").select(["n", "who"]).where("n", "=", p.n),
);

test("only a write transaction or a read snapshot runs statements straight, and only while its callback runs", async () => {
  const write = groupedWriter(store.db);
  expect(syncStatementsOf(store.db)).toBeUndefined();
  let kept: Transaction<Database> | undefined;
  await write(async (trx) => {
    kept = trx;
    expect(syncStatementsOf(trx)).toBeDefined();
    await insert(trx, { n: 1, who: "a" });
  });
  expect(kept && syncStatementsOf(kept)).toBeUndefined();
  await readTx(store.db, async (conn) => {
    expect(syncStatementsOf(conn)).toBeDefined();
    expect(await byN(conn, { n: 1 })).toEqual([{ n: 1, who: "a" }]);
  });
});

test("the straight way gives what Kysely's gives: rows for a select, none for an insert", async () => {
  const write = groupedWriter(store.db);
  const inserted = await write((trx) => insert(trx, { n: 2, who: "b" }));
  expect(inserted).toEqual([]);
  // Through the database handle: Kysely's own path.
  expect(await byN(store.db, { n: 2 })).toEqual([{ n: 2, who: "b" }]);
  expect(await write((trx) => byN(trx, { n: 2 }))).toEqual([{ n: 2, who: "b" }]);
  expect(await write((trx) => byN(trx, { n: 3 }))).toEqual([]);
});

test("a statement that fails on the straight way fails its write alone, and its neighbours commit", async () => {
  const write = groupedWriter(store.db);
  await write((trx) => insert(trx, { n: 4, who: "c" }));
  const outcomes = await Promise.allSettled([
    write((trx) => insert(trx, { n: 5, who: "d" })),
    write((trx) => insert(trx, { n: 4, who: "again" })),
    write((trx) => insert(trx, { n: 6, who: "e" })),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
  const rows = await sql<{ n: number }>`select n from probe order by n`.execute(store.db);
  expect(rows.rows.map((r) => r.n)).toEqual([4, 5, 6]);
});

test("SQLITE_FULL on the straight way is DISK_FULL naming the database", async () => {
  const write = groupedWriter(store.db);
  const pages = await sql<{ page_count: number }>`pragma page_count`.execute(store.db);
  await sql.raw(`pragma max_page_count = ${pages.rows[0]?.page_count}`).execute(store.db);
  const big = "x".repeat(256 * 1024);
  const e = await write((trx) => insert(trx, { n: 7, who: big })).catch((error: unknown) => error);
  await sql.raw("pragma max_page_count = 1073741823").execute(store.db);
  expect((e as { code?: string }).code).toBe("DISK_FULL");
  expect(String((e as Error).message)).toContain("s.db");
  expect(await byN(store.db, { n: 7 })).toEqual([]);
});
