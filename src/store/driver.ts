import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type Kysely,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteDialectConfig,
  type SqliteStatement,
  sql,
} from "kysely";
import { detectRuntime, type Runtime } from "../platform/env.ts";
import { isNoTransactionError, storeErrorOf } from "./sqlite-errors.ts";
import { unpeekableParams, unpeekableParamsCached } from "./sqlite-params.ts";

/**
 * The one module that knows which SQLite binding the runtime has: bun:sqlite under Bun (Kysely's
 * SqliteDialect runs on it as is; only the types differ), node:sqlite under Deno (and Node ≥ 22.5)
 * through a small adapter, because its statements take variadic parameters and have no `reader`.
 */
export async function openSqlite(
  path: string,
  busyTimeoutMs: number,
  runtime: Runtime = detectRuntime(),
): Promise<SqliteDatabase> {
  // busy_timeout is set before anything else runs on the connection: even preparing a statement
  // reads the schema, and without a busy handler that fails at once while another process is
  // creating or migrating the same file.
  const busy = `pragma busy_timeout = ${Math.trunc(busyTimeoutMs)}`;
  if (runtime === "bun") {
    const { Database } = await import("bun:sqlite");
    const db = new Database(path, { create: true, strict: false });
    db.exec(busy);
    return adaptBunSqlite(db);
  }
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(path);
  db.exec(busy);
  return adaptNodeSqlite(db);
}

/**
 * Opens our own database for reading by a user who cannot write it, through a `file:` URI so
 * SQLite creates no -wal or -shm: `immutable` (the main file alone: no lock, no sidecar files) when
 * the WAL holds nothing, `ro` (the existing -wal and -shm read as they are) when it does.
 */
export async function openSqliteSnapshot(
  path: string,
  how: "immutable" | "ro",
  runtime: Runtime = detectRuntime(),
): Promise<SqliteDatabase> {
  const { pathToFileURL } = await import("node:url");
  const url = new URL(pathToFileURL(path));
  url.searchParams.set(how === "immutable" ? "immutable" : "mode", how === "immutable" ? "1" : "ro");
  if (runtime === "bun") {
    const { Database, constants } = await import("bun:sqlite");
    return adaptBunSqlite(new Database(url.href, constants.SQLITE_OPEN_READONLY | constants.SQLITE_OPEN_URI));
  }
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(url as unknown as string, { readOnly: true });
  return adaptNodeSqlite(db);
}

/**
 * A writable in-memory copy of a database read through `openSqliteSnapshot`'s URI, so a schema
 * older than this version can be migrated and read without writing the user's file. Bun only
 * (bun:sqlite can serialize); elsewhere undefined, and the caller keeps refusing.
 */
export async function copySqliteToMemory(
  path: string,
  how: "immutable" | "ro",
  runtime: Runtime = detectRuntime(),
): Promise<SqliteDatabase | undefined> {
  if (runtime !== "bun") return undefined;
  const { pathToFileURL } = await import("node:url");
  const url = new URL(pathToFileURL(path));
  url.searchParams.set(how === "immutable" ? "immutable" : "mode", how === "immutable" ? "1" : "ro");
  const { Database, constants } = await import("bun:sqlite");
  const source = new Database(url.href, constants.SQLITE_OPEN_READONLY | constants.SQLITE_OPEN_URI);
  let copy: InstanceType<typeof Database>;
  try {
    const bytes = source.serialize();
    // Bytes 18-19 of the header say WAL (2) for our files; SQLite opens a WAL image in memory
    // read-only, so the copy is marked as a rollback-journal database (1) first.
    if (bytes.length >= 20) {
      bytes[18] = 1;
      bytes[19] = 1;
    }
    copy = Database.deserialize(bytes);
  } finally {
    source.close();
  }
  return adaptBunSqlite(copy);
}

/**
 * A bun:sqlite database as Kysely's SqliteDatabase. `query` caches the compiled statement per SQL
 * text; Kysely would `prepare` on every call (measured: preparing was 11% of a complete_subtask
 * call). Kysely runs one query at a time on a connection, so sharing a cached statement is safe.
 * Parameters are written so that SQLite keeps that compiled statement across runs (sqlite-params.ts).
 */
function adaptBunSqlite(db: import("bun:sqlite").Database): SqliteDatabase {
  const text = unpeekableParamsCached();
  return {
    close: () => db.close(),
    prepare: (sql: string) => db.query(text(sql)),
  } as unknown as SqliteDatabase;
}

/** Opens another program's SQLite file read-only (no create, no WAL switch, no writes). */
export async function openSqliteReadOnly(
  path: string,
  runtime: Runtime = detectRuntime(),
): Promise<{ all(sql: string): unknown[]; close(): void }> {
  if (runtime === "bun") {
    const { Database } = await import("bun:sqlite");
    const db = new Database(path, { readonly: true });
    return { all: (sql) => db.query(sql).all() as unknown[], close: () => db.close() };
  }
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(path, { readOnly: true }) as unknown as {
    prepare(sql: string): { all(): unknown[] };
    close(): void;
  };
  return { all: (sql) => db.prepare(sql).all(), close: () => db.close() };
}

interface NodeStatement {
  columns(): unknown[];
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  iterate(...params: unknown[]): IterableIterator<unknown>;
}
interface NodeDatabase {
  prepare(sql: string): NodeStatement;
  exec(sql: string): void;
  close(): void;
}

function adaptNodeSqlite(db: NodeDatabase): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const hit = cache.get(sql);
      if (hit) return hit;
      // node:sqlite binds every parameter on every run too (sqlite-params.ts).
      const st = db.prepare(unpeekableParams(sql));
      const adapted: SqliteStatement = {
        reader: st.columns().length > 0,
        all: (p) => st.all(...(p as unknown[])),
        run: (p) => st.run(...(p as unknown[])),
        iterate: (p) => st.iterate(...(p as unknown[])),
      };
      if (cache.size >= 500) cache.clear();
      cache.set(sql, adapted);
      return adapted;
    },
  };
}

/**
 * Kysely's SQLite driver opens every transaction with a deferred `begin`; a read-then-write
 * transaction then fails with SQLITE_BUSY at once when another process writes (measured: 17-24%
 * of them), because SQLite cannot wait on a read→write upgrade. Every transaction here is
 * `BEGIN IMMEDIATE`, which takes the write lock up front and honours busy_timeout.
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #path: string | undefined;

  /** `path` names the file in errors: a full disk or an unwritable file become DISK_FULL / STORE_READ_ONLY. */
  constructor(config: SqliteDialectConfig & { readonly path?: string }) {
    super(config);
    this.#path = config.path;
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const path = this.#path;
    driver.beginTransaction = (connection: DatabaseConnection): Promise<void> => beginImmediate(connection);
    const rollback = driver.rollbackTransaction.bind(driver);
    // SQLite rolls a transaction back by itself on SQLITE_FULL, IOERR and some others; the rollback
    // that follows then fails with "no transaction is active", and Kysely would throw that instead
    // of the error that explains what happened.
    driver.rollbackTransaction = async (connection: DatabaseConnection): Promise<void> => {
      await rollback(connection).catch((e: unknown) => {
        if (!isNoTransactionError(e)) throw e;
      });
    };
    if (path !== undefined) {
      const acquire = driver.acquireConnection.bind(driver);
      let named: DatabaseConnection | undefined;
      driver.acquireConnection = async () => {
        named ??= namingErrors(await acquire(), path);
        return named;
      };
    }
    return driver;
  }

  override createAdapter(): DialectAdapter {
    return new LockingSqliteAdapter();
  }
}

/** SQLITE_BUSY / SQLITE_LOCKED, as both bindings word them: another connection holds the lock. */
export function isBusyError(e: unknown): boolean {
  return /locked|busy/i.test(e instanceof Error ? e.message : String(e));
}

/** How long a writer waits for the write lock before the call fails with a busy error. */
const WRITE_LOCK_WAIT_MS = 10_000;
const NO_WAIT = CompiledQuery.raw("pragma busy_timeout = 0");
const WAIT = CompiledQuery.raw(`pragma busy_timeout = ${WRITE_LOCK_WAIT_MS}`);
const BEGIN = CompiledQuery.raw("begin immediate");

/**
 * Takes the write lock, polling every 1-5 ms instead of through SQLite's busy handler. The
 * handler sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms between tries, so under several
 * writing processes a waiter sleeps through the short gaps between their transactions: measured
 * p99 107 ms with 8 servers on one workspace, 48 ms when polling (and 10% more calls/s).
 * Other statements keep the busy_timeout.
 */
async function beginImmediate(connection: DatabaseConnection): Promise<void> {
  const deadline = Date.now() + WRITE_LOCK_WAIT_MS;
  await connection.executeQuery(NO_WAIT);
  try {
    for (;;) {
      try {
        await connection.executeQuery(BEGIN);
        return;
      } catch (e) {
        if (!isBusyError(e) || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 1 + Math.random() * 4));
      }
    }
  } finally {
    await connection.executeQuery(WAIT);
  }
}

/**
 * Kysely's SQLite adapter takes no migration lock ("SQLite has one connection"), but several
 * processes open one file at once; two first starts would both run the initial migration
 * ("table plans already exists", seen in the multi-process test). Holding BEGIN IMMEDIATE from
 * lock to unlock makes migrations one-at-a-time across processes: the second waits, then finds
 * nothing left to do.
 */
class LockingSqliteAdapter extends SqliteAdapter {
  override async acquireMigrationLock(db: Kysely<unknown>): Promise<void> {
    await sql`begin immediate`.execute(db);
  }

  override async releaseMigrationLock(db: Kysely<unknown>): Promise<void> {
    // Called from a `finally`: when taking the lock failed, or SQLite already rolled back, there is
    // nothing to commit, and failing here would hide the error that explains why.
    await sql`commit`.execute(db).catch((e: unknown) => {
      if (!isNoTransactionError(e)) throw e;
    });
  }
}

/**
 * The connection with SQLite's failures a user can act on (disk full, files not writable) turned
 * into named errors that say which file and what to do; every other error passes unchanged.
 */
function namingErrors(connection: DatabaseConnection, path: string): DatabaseConnection {
  return {
    executeQuery: async (query) => {
      try {
        return await connection.executeQuery(query);
      } catch (e) {
        throw storeErrorOf(e, path) ?? e;
      }
    },
    streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
  };
}
