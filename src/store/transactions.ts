import { sql, type Transaction } from "kysely";
import type { Database, Db } from "./database.ts";

/** Runs `fn` in a write transaction (BEGIN IMMEDIATE, see driver.ts); commits on return, rolls back on throw. */
export function writeTx<T>(db: Db, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
}

/**
 * Runs `fn` on one connection inside a plain deferred `begin`, so several reads see one snapshot
 * without taking the write lock other processes need.
 */
export function readTx<T>(db: Db, fn: (conn: Db) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`begin`.execute(conn);
    try {
      const out = await fn(conn);
      await sql`commit`.execute(conn);
      return out;
    } catch (e) {
      await sql`rollback`.execute(conn).catch(() => {});
      throw e;
    }
  });
}
