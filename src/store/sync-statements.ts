import type { CompiledQuery, QueryResult, SqliteDatabase } from "kysely";
import { storeErrorOf } from "./sqlite-errors.ts";

/**
 * Runs compiled SQL on a SQLite connection at once, as Kysely's SQLite connection does (a
 * statement that returns rows gives them, any other gives none) and with the same named errors as
 * the store's connection (driver.ts `namingErrors`), but without the layers around it: Kysely's
 * executor, its single-connection provider (a chain of promises per statement) and two async
 * wrappers. bun:sqlite and node:sqlite are synchronous underneath; those layers were ~5 % of the
 * worker's CPU per state change (issue 16).
 */
export interface SyncStatements {
  run(sql: string, parameters: readonly unknown[]): unknown[];
}

export function syncStatements(database: SqliteDatabase, path: string): SyncStatements {
  return {
    run(sql, parameters) {
      try {
        const stmt = database.prepare(sql);
        if (stmt.reader) return stmt.all(parameters) as unknown[];
        stmt.run(parameters);
        return [];
      } catch (e) {
        throw storeErrorOf(e, path) ?? e;
      }
    },
  };
}

/**
 * The executors that may run statements this way: only a write transaction or a read snapshot
 * while its callback runs (transactions.ts binds it at the start and unbinds it at the end). Each
 * holds the store's one SQLite connection for that whole time, so nothing else can run a statement
 * on that connection in between; the database handle itself is never bound, because a statement
 * through it must wait for a transaction in progress to end.
 */
const bound = new WeakMap<object, SyncStatements>();
/** The database handle's statements, for transactions to bind (registered when the store opens). */
const byDatabase = new WeakMap<object, SyncStatements>();

export function registerSyncStatements(db: object, statements: SyncStatements): void {
  byDatabase.set(db, statements);
}

/**
 * Runs `fn` with `executor` (a transaction or connection of `db` that holds its one connection
 * until `fn` settles) bound to the statements registered for `db`, if any.
 */
export async function withSyncStatements<T>(db: object, executor: object, fn: () => Promise<T>): Promise<T> {
  const statements = byDatabase.get(db);
  if (!statements) return fn();
  bound.set(executor, statements);
  try {
    return await fn();
  } finally {
    bound.delete(executor);
  }
}

export function syncStatementsOf(executor: object): SyncStatements | undefined {
  return bound.get(executor);
}

/** `query`'s rows: straight on the connection when `executor` is bound, through Kysely otherwise. */
export async function executeRows<R>(
  executor: { executeQuery<T>(query: CompiledQuery<T>): Promise<QueryResult<T>> },
  query: CompiledQuery<R>,
): Promise<R[]> {
  const sync = syncStatementsOf(executor);
  if (sync) return sync.run(query.sql, query.parameters) as R[];
  return (await executor.executeQuery(query)).rows;
}
