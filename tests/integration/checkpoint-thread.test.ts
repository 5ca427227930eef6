import { constants, Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { sql } from "kysely";
import {
  CHECKPOINT_EVERY_COMMITS,
  SAFETY_NET_FRAMES,
  threadCheckpointer,
} from "../../src/store/checkpointer.ts";
import { openStore, type Store } from "../../src/store/open.ts";
import { makeProject } from "../helpers/temp.ts";

// WAL checkpoints on a thread (store/checkpointer.ts): every CHECKPOINT_EVERY_COMMITS commits a
// second connection on a worker thread copies the WAL into the database file, the main
// connection's own checkpoint is only a bound, and a thread that fails gives SQLite's default back.
// "In the database file" is read with `immutable=1`, which ignores the WAL: what a checkpoint copied.

const WS = "/ws";
const AT = "2026-01-01T00:00:00.000Z";

let project: ReturnType<typeof makeProject>;
let path: string;
let store: Store | undefined;
beforeEach(() => {
  project = makeProject("orch-checkpoint-");
  path = join(project.dir, "c.db");
});
afterEach(async () => {
  await store?.close();
  store = undefined;
  project.cleanup();
});

/** One commit: a plan of its own. */
async function writePlan(s: Store, n: number): Promise<void> {
  await s.write((w) =>
    w.insertPlan(WS, {
      id: `task_${n.toString(16).padStart(8, "0")}`,
      description: `plan ${n}`,
      complexity: "simple",
      context: null,
      status: "active",
      createdAt: AT,
      updatedAt: AT,
    }),
  );
}

/** Plans in the database file itself, the WAL left out (0 while the table exists only in the WAL). */
function plansInDatabaseFile(): number {
  const url = new URL(pathToFileURL(path));
  url.searchParams.set("immutable", "1");
  const file = new Database(url.href, constants.SQLITE_OPEN_READONLY | constants.SQLITE_OPEN_URI);
  try {
    return (file.query("select count(*) as n from plans").get() as { n: number }).n;
  } catch (e) {
    if (String(e).includes("no such table")) return 0;
    throw e;
  } finally {
    file.close();
  }
}

async function autocheckpoint(s: Store): Promise<number> {
  const rows = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(s.db);
  return rows.rows[0]?.wal_autocheckpoint ?? -1;
}

test("the thread copies the WAL into the database file after CHECKPOINT_EVERY_COMMITS commits", async () => {
  store = await openStore(path);
  const checkpointer = store.checkpointer;
  if (!checkpointer) throw new Error("expected a checkpoint thread under Bun");
  expect(await autocheckpoint(store)).toBe(SAFETY_NET_FRAMES);

  for (let n = 0; n < CHECKPOINT_EVERY_COMMITS - 1; n++) await writePlan(store, n);
  await checkpointer.idle();
  expect(checkpointer.stats()).toEqual({ runs: 0, failed: undefined });
  // Committed, but only in the WAL: the main connection did not checkpoint on its own.
  expect(plansInDatabaseFile()).toBe(0);

  await writePlan(store, CHECKPOINT_EVERY_COMMITS - 1);
  await checkpointer.idle();
  expect(checkpointer.stats()).toEqual({ runs: 1, failed: undefined });
  expect(plansInDatabaseFile()).toBe(CHECKPOINT_EVERY_COMMITS);
});

test("closing the store closes the thread's connection first, so the last close removes the WAL", async () => {
  store = await openStore(path);
  for (let n = 0; n < CHECKPOINT_EVERY_COMMITS + 3; n++) await writePlan(store, n);
  expect(existsSync(`${path}-wal`)).toBe(true);
  await store.close();
  store = undefined;
  expect(existsSync(`${path}-wal`)).toBe(false);
  expect(plansInDatabaseFile()).toBe(CHECKPOINT_EVERY_COMMITS + 3);
});

test("a thread that fails hands checkpoints back to SQLite once, and the writes go on", async () => {
  store = await openStore(path);
  // The thread opens the file at its first checkpoint and never creates it: gone, it fails.
  rmSync(path);
  for (let n = 0; n < CHECKPOINT_EVERY_COMMITS * 2; n++) await writePlan(store, n);
  const checkpointer = store.checkpointer;
  await checkpointer?.idle();
  expect(checkpointer?.stats().runs).toBe(0);
  expect(checkpointer?.stats().failed).toContain("unable to open database file");
  expect(await autocheckpoint(store)).toBe(1000);
  const rows = await sql<{ n: number }>`select count(*) as n from plans`.execute(store.db);
  expect(rows.rows[0]?.n).toBe(CHECKPOINT_EVERY_COMMITS * 2);
});

test("the failure is reported once, and no thread starts again after it", async () => {
  const failures: string[] = [];
  const checkpointer = threadCheckpointer(join(project.dir, "missing.db"), (m) => failures.push(m));
  if (!checkpointer) throw new Error("expected a checkpoint thread under Bun");
  for (let round = 0; round < 3; round++) {
    for (let n = 0; n < CHECKPOINT_EVERY_COMMITS; n++) checkpointer.afterCommit();
    await checkpointer.idle();
  }
  expect(failures).toHaveLength(1);
  expect(checkpointer.stats().runs).toBe(0);
  await checkpointer.close();
});

test("elsewhere than Bun there is no thread, and SQLite keeps its own checkpoints", () => {
  expect(threadCheckpointer(path, () => {}, "deno")).toBeUndefined();
  expect(threadCheckpointer(path, () => {}, "node")).toBeUndefined();
});

test("a checkpoint that finds the file busy is skipped, not a failure: the next one runs", async () => {
  // A database of its own, held by a connection in exclusive locking mode (as another process
  // could hold it for a moment): the thread's checkpoint finds it busy.
  const own = join(project.dir, "busy.db");
  const other = new Database(own);
  other.exec("pragma journal_mode = wal");
  other.exec("create table t (n integer)");
  other.exec("pragma locking_mode = exclusive");
  other.exec("insert into t values (1)");
  const failures: string[] = [];
  const checkpointer = threadCheckpointer(own, (m) => failures.push(m));
  if (!checkpointer) throw new Error("expected a checkpoint thread under Bun");
  for (let n = 0; n < CHECKPOINT_EVERY_COMMITS; n++) checkpointer.afterCommit();
  await checkpointer.idle();
  expect(failures).toEqual([]);
  expect(checkpointer.stats()).toEqual({ runs: 1, failed: undefined });
  other.close();
  for (let n = 0; n < CHECKPOINT_EVERY_COMMITS; n++) checkpointer.afterCommit();
  await checkpointer.idle();
  expect(failures).toEqual([]);
  expect(checkpointer.stats()).toEqual({ runs: 2, failed: undefined });
  await checkpointer.close();
});
