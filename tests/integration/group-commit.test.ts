import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { sql } from "kysely";
import { StoreCache } from "../../src/store/cache.ts";
import { openStore, type Store } from "../../src/store/open.ts";
import { GROUP_MAX, GROUP_MIN, groupedWriter, groupSize } from "../../src/store/transactions.ts";
import { makeProject } from "../helpers/temp.ts";

// SQLite's group commit (store/transactions.ts): writes queued on the one connection share a
// transaction, each in its own savepoint. The store contract (both stores) holds that a failing
// write leaves its neighbours alone; these tests hold what only SQLite does: the sharing itself,
// nothing visible (so nothing answered) before the shared COMMIT, and a lost transaction failing
// every write that was in it.

let project: ReturnType<typeof makeProject>;
let store: Store;
let path: string;
beforeEach(async () => {
  project = makeProject("orch-group-commit-");
  path = join(project.dir, "g.db");
  store = await openStore(path);
  await sql`create table probe (n integer primary key, who text)`.execute(store.db);
});
afterEach(async () => {
  await store.close();
  project.cleanup();
});

/** What another connection (another process, a crash's survivor) sees committed. */
function committed(): number[] {
  const other = new Database(path, { readonly: true });
  try {
    return (other.query("select n from probe order by n").all() as { n: number }[]).map((r) => r.n);
  } finally {
    other.close();
  }
}

test("writes queued together run in one transaction, and none is answered before its COMMIT", async () => {
  const write = groupedWriter(store.db);
  const seenOutside: number[][] = [];
  const answered: number[] = [];
  const calls = Array.from({ length: 6 }, (_, n) =>
    write(async (trx) => {
      await sql`insert into probe (n) values (${n})`.execute(trx);
      seenOutside.push(committed());
      return n;
    }).then((n) => {
      answered.push(n);
      // Answered only once the whole group is durable: every write of it is committed.
      expect(committed()).toEqual([0, 1, 2, 3, 4, 5]);
      return n;
    }),
  );
  expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4, 5]);
  // Inside the group no write of it was visible outside yet: they all commit at once.
  expect(seenOutside).toEqual([[], [], [], [], [], []]);
  expect(answered).toEqual([0, 1, 2, 3, 4, 5]);
});

test("a write alone on an idle connection commits on its own, at once", async () => {
  const write = groupedWriter(store.db);
  await write((trx) => sql`insert into probe (n) values (1)`.execute(trx));
  expect(committed()).toEqual([1]);
  await write((trx) => sql`insert into probe (n) values (2)`.execute(trx));
  expect(committed()).toEqual([1, 2]);
});

/** Runs `n` writes queued at once; what each saw committed before it, less what was there. */
async function seenBy(write: ReturnType<typeof groupedWriter>, n: number): Promise<number[]> {
  const before = committed().length;
  const visible: number[] = [];
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      write(async (trx) => {
        await sql`insert into probe (n) values (${before + i})`.execute(trx);
        visible.push(committed().length - before);
      }),
    ),
  );
  expect(committed()).toHaveLength(before + n);
  return visible;
}

/** What each write of groups of `sizes` sees: the groups before it committed, nothing of its own. */
function groupsOf(sizes: readonly number[]): number[] {
  let seen = 0;
  return sizes.flatMap((size) => {
    const group = Array<number>(size).fill(seen);
    seen += size;
    return group;
  });
}

test("a group takes every write queued, up to GROUP_MAX; the rest commit in the next one", async () => {
  expect(GROUP_MAX).toBe(32);
  const write = groupedWriter(store.db);
  expect(await seenBy(write, 10)).toEqual(groupsOf([10]));
  expect(await seenBy(write, GROUP_MAX + 3)).toEqual(groupsOf([GROUP_MAX, 3]));
  expect([1, 4, 5, 32, 100].map((q) => groupSize(q, false))).toEqual([1, 4, 5, 32, 32]);
});

test("in halves (a server with one client): more than GROUP_MIN queued commit half at a time", async () => {
  expect(GROUP_MIN).toBe(4);
  const write = groupedWriter(store.db, undefined, true);
  expect(await seenBy(write, GROUP_MIN)).toEqual(groupsOf([4]));
  expect(await seenBy(write, 10)).toEqual(groupsOf([5, 4, 1]));
  expect(await seenBy(write, 2 * GROUP_MAX + 3)).toEqual(groupsOf([32, 18, 9, 4, 4]));
  expect([1, 4, 5, 8, 9, 64, 100].map((q) => groupSize(q, true))).toEqual([1, 4, 4, 4, 5, 32, 32]);
});

test("a store opened for a server with one client (serve over stdio) commits in halves", async () => {
  const tokens = (): number => {
    const other = new Database(path, { readonly: true });
    try {
      return (other.query("select count(*) as n from tokens").get() as { n: number }).n;
    } finally {
      other.close();
    }
  };
  for (const [commitInHalves, sizes] of [
    [true, [5, 4, 1]],
    [false, [10]],
  ] as const) {
    const stores = new StoreCache({ commitInHalves });
    try {
      const target = await stores.get(path);
      const before = tokens();
      const visible: number[] = [];
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          target.write(async (w) => {
            await w.insertToken({
              name: `t-${commitInHalves}-${i}`,
              hash: (commitInHalves ? "a" : "b") + "0".repeat(62) + String(i),
              createdAt: new Date().toISOString(),
              lastUsedAt: null,
              expiresAt: null,
              revokedAt: null,
              projects: null,
            });
            visible.push(tokens() - before);
          }),
        ),
      );
      expect(visible).toEqual(groupsOf(sizes));
    } finally {
      await stores.closeAll();
    }
  }
});

test("a write that loses the whole transaction fails every write of its group; later ones commit", async () => {
  const write = groupedWriter(store.db);
  const outcomes = await Promise.allSettled([
    write((trx) => sql`insert into probe (n) values (1)`.execute(trx)),
    // As SQLite does by itself on a full disk or an I/O error: the transaction is gone.
    write(async (trx) => {
      await sql`insert into probe (n) values (2)`.execute(trx);
      await sql`rollback`.execute(trx);
      throw new Error("transaction lost");
    }),
    write((trx) => sql`insert into probe (n) values (3)`.execute(trx)),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "fulfilled"]);
  // The first write hears the error that took its rows (as DISK_FULL would be), and indeed
  // nothing of it is stored.
  expect(outcomes.slice(0, 2).map((o) => (o as PromiseRejectedResult).reason.message)).toEqual([
    "transaction lost",
    "transaction lost",
  ]);
  expect(committed()).toEqual([3]);
});

test("a write that fills the disk inside a group: it fails with DISK_FULL, and a neighbour is answered ok only if it is stored", async () => {
  const write = groupedWriter(store.db);
  // SQLite's own ceiling on the file's size: the next page it needs fails as a full disk does.
  const pages = await sql<{ page_count: number }>`pragma page_count`.execute(store.db);
  await sql.raw(`pragma max_page_count = ${(pages.rows[0]?.page_count ?? 0) + 4}`).execute(store.db);
  const outcomes = await Promise.allSettled(
    [1, 2, 3].map((n) =>
      write((trx) =>
        sql`insert into probe (n, who) values (${n}, ${"x".repeat(n === 2 ? 200_000 : 10)})`.execute(trx),
      ),
    ),
  );
  await sql.raw("pragma max_page_count = 1073741823").execute(store.db);
  expect(outcomes[1]?.status).toBe("rejected");
  expect((outcomes[1] as PromiseRejectedResult).reason.code).toBe("DISK_FULL");
  const stored = committed();
  expect(stored).not.toContain(2);
  for (const [i, o] of outcomes.entries()) {
    if (o.status === "fulfilled") expect(stored).toContain(i + 1);
    else expect(stored).not.toContain(i + 1);
  }
  // SQLite ends the whole transaction on this SQLITE_FULL: the write before in the same group
  // loses its rows too and hears DISK_FULL (not a missing savepoint); the one after commits in
  // the next group. (Had SQLite rolled back only the statement, both neighbours would be stored.)
  expect([[1, 3], [3]]).toContainEqual(stored);
  if (!stored.includes(1)) expect((outcomes[0] as PromiseRejectedResult).reason.code).toBe("DISK_FULL");
});
