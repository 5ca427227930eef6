import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { sql } from "kysely";
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

test("up to GROUP_MIN writes queued together run in one transaction, and none is answered before its COMMIT", async () => {
  const write = groupedWriter(store.db);
  const seenOutside: number[][] = [];
  const answered: number[] = [];
  const calls = Array.from({ length: GROUP_MIN }, (_, n) =>
    write(async (trx) => {
      await sql`insert into probe (n) values (${n})`.execute(trx);
      seenOutside.push(committed());
      return n;
    }).then((n) => {
      answered.push(n);
      // Answered only once the whole group is durable: every write of it is committed.
      expect(committed()).toEqual([0, 1, 2, 3]);
      return n;
    }),
  );
  expect(await Promise.all(calls)).toEqual([0, 1, 2, 3]);
  // Inside the group no write of it was visible outside yet: they all commit at once.
  expect(seenOutside).toEqual([[], [], [], []]);
  expect(answered).toEqual([0, 1, 2, 3]);
});

test("a write alone on an idle connection commits on its own, at once", async () => {
  const write = groupedWriter(store.db);
  await write((trx) => sql`insert into probe (n) values (1)`.execute(trx));
  expect(committed()).toEqual([1]);
  await write((trx) => sql`insert into probe (n) values (2)`.execute(trx));
  expect(committed()).toEqual([1, 2]);
});

test("more writes queued than GROUP_MIN commit in halves, at most GROUP_MAX at a time", async () => {
  expect(GROUP_MIN).toBe(4);
  expect(GROUP_MAX).toBe(32);
  for (const [n, sizes] of [
    [10, [5, 4, 1]],
    [2 * GROUP_MAX + 3, [32, 18, 9, 4, 4]],
  ] as const) {
    const write = groupedWriter(store.db);
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
    // Each group's writes saw the groups before it committed, and nothing of their own.
    let seen = 0;
    const expected = sizes.flatMap((size) => {
      const group = Array(size).fill(seen);
      seen += size;
      return group;
    });
    expect(visible).toEqual(expected);
    expect(committed()).toHaveLength(before + n);
  }
  expect([1, 4, 5, 8, 9, 64, 100].map(groupSize)).toEqual([1, 4, 4, 4, 5, 32, 32]);
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
