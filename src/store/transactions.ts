import { CompiledQuery, type Transaction } from "kysely";
import type { Database, Db } from "./database.ts";
import { executeRows, withSyncStatements } from "./sync-statements.ts";

/** Runs `fn` in a write transaction (BEGIN IMMEDIATE, see driver.ts); commits on return, rolls back on throw. */
export function writeTx<T>(db: Db, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
}

/** At most this many writes share one commit, so a steady stream still lets readers in and answers go out. */
export const GROUP_MAX = 32;
/** In halves (groupSize), writes queued up to this many still share one commit. */
export const GROUP_MIN = 4;

/**
 * How many of the `queued` writes the next commit takes: all of them up to GROUP_MAX, or, `inHalves`,
 * half of them, at least GROUP_MIN and at most GROUP_MAX. Halves are for a server with one client
 * that sends its calls together and reads their answers together (stdio): committed all at once,
 * every answer waits for the last call, and the client and the server take turns on two cores.
 * In halves, the first half's answers go out while the second half runs, and the client's next
 * calls arrive while it does: the two work side by side (about +5 % state changes/s with 8 in
 * flight over five interleaved runs, for 11 % more worker CPU per change). With many clients (the
 * team server) nobody waits on a batch, and the extra commits only cost (calls/s −7 %);
 * docs/performance.md, fourteenth round. GROUP_MIN keeps the commit shared where halving would
 * leave groups too small to save any.
 */
export function groupSize(queued: number, inHalves: boolean): number {
  if (!inHalves) return Math.min(GROUP_MAX, queued);
  return Math.min(GROUP_MAX, queued, Math.max(GROUP_MIN, Math.ceil(queued / 2)));
}

// Run around every write of a group and every read: compiled once, not built from a template each time.
const SAVEPOINT = CompiledQuery.raw("savepoint w");
const ROLLBACK_TO = CompiledQuery.raw("rollback to w");
const RELEASE = CompiledQuery.raw("release w");
const BEGIN = CompiledQuery.raw("begin");
const COMMIT = CompiledQuery.raw("commit");
const ROLLBACK = CompiledQuery.raw("rollback");

interface Queued {
  readonly fn: (trx: Transaction<Database>) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

/**
 * Group commit: `writeTx` for one connection that many calls write through at once (the server
 * with several requests in flight). Writes that queue while the connection is busy run in one
 * `BEGIN IMMEDIATE … COMMIT` (up to groupSize of them), one after another in arrival order, each inside its own SAVEPOINT:
 * a write that throws is rolled back to its savepoint alone and its caller gets the error, while
 * the writes before and after it in the group commit. Every caller is answered only after the
 * shared COMMIT has returned, so nothing is acknowledged that a crash could take back; if the
 * COMMIT fails (or SQLite drops the whole transaction, as on a full disk) every write of the group
 * fails with that error and none of it is stored.
 *
 * Why: with synchronous=NORMAL a COMMIT writes each page the transaction touched to the WAL, and
 * one state change touches ~10 (the task, its indexes, the plan's counters, the event, the
 * artifact), many of them shared by the next change: committing each alone was half of SQLite's
 * time with 8 calls in flight (docs/performance.md, "Throughput: group commit"). A write alone on
 * an idle connection starts at once, as before. `afterCommit` runs after each COMMIT
 * (checkpointer.ts counts them).
 */
export function groupedWriter(
  db: Db,
  afterCommit?: () => void,
  /** Commit a queue in halves (groupSize): a server with one client. */
  inHalves = false,
): <T>(fn: (trx: Transaction<Database>) => Promise<T>) => Promise<T> {
  const queue: Queued[] = [];
  let running = false;

  const runGroup = async (): Promise<void> => {
    const group: Queued[] = [];
    const outcomes: Outcome[] = [];
    try {
      await db.transaction().execute((trx) =>
        // Statements, the savepoints too, run straight on the connection (sync-statements.ts).
        withSyncStatements(db, trx, async () => {
          const size = groupSize(queue.length, inHalves);
          while (queue.length > 0 && group.length < size) {
            const item = queue.shift() as Queued;
            group.push(item);
            await executeRows(trx, SAVEPOINT);
            try {
              outcomes.push({ ok: true, value: await item.fn(trx) });
            } catch (error) {
              outcomes.push({ ok: false, error });
              // Fails when SQLite has already rolled the whole transaction back (a full disk, an I/O
              // error): then the group's earlier writes are gone too, and every caller hears the
              // error that took them (DISK_FULL says what to do), not the missing savepoint.
              await executeRows(trx, ROLLBACK_TO).catch(() => {
                throw error;
              });
            }
            await executeRows(trx, RELEASE);
          }
        }),
      );
    } catch (error) {
      // BEGIN failed (the write lock stayed busy past its wait, the file cannot be written): every
      // write queued behind it fails with that error at once rather than starting its own wait.
      if (group.length === 0) group.push(...queue.splice(0));
      // The COMMIT failed, or the transaction was lost under a write: nothing of the group is
      // stored. A write that failed by itself keeps its own error.
      group.forEach((item, i) => {
        const own = outcomes[i];
        item.reject(own && !own.ok ? own.error : error);
      });
      return;
    }
    afterCommit?.();
    group.forEach((item, i) => {
      const o = outcomes[i] as Outcome;
      if (o.ok) item.resolve(o.value);
      else item.reject(o.error);
    });
  };

  const drain = async (): Promise<void> => {
    running = true;
    try {
      while (queue.length > 0) await runGroup();
    } finally {
      running = false;
    }
  };

  return <T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!running) void drain();
    });
}

/**
 * Runs `fn` on one connection inside a plain deferred `begin`, so several reads see one snapshot
 * without taking the write lock other processes need.
 */
export function readTx<T>(db: Db, fn: (conn: Db) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await conn.executeQuery(BEGIN);
    try {
      // The connection is this read's until it returns: its statements may run straight on it.
      const out = await withSyncStatements(db, conn, () => fn(conn));
      await conn.executeQuery(COMMIT);
      return out;
    } catch (e) {
      await conn.executeQuery(ROLLBACK).catch(() => {});
      throw e;
    }
  });
}
