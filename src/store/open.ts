import { closeSync, openSync } from "node:fs";
import { CompiledQuery, Kysely, sql } from "kysely";
import { Migrator } from "kysely/migration";
import { OrchestratorError } from "../core/errors.ts";
import { databaseWriteBlockers } from "../platform/permissions.ts";
import { type Checkpointer, SAFETY_NET_FRAMES, threadCheckpointer } from "./checkpointer.ts";
import type { Database, Db } from "./database.ts";
import { ImmediateSqliteDialect, isBusyError, openSqlite } from "./driver.ts";
import { appliedMigrations } from "./health.ts";
import { migrationProvider, unknownMigrations } from "./migrations/index.ts";
import type { StorePort } from "./port.ts";
import { readOnlyError, storeErrorOf } from "./sqlite-errors.ts";
import { sqliteStore } from "./sqlite-store.ts";
import { registerSyncStatements, syncStatements } from "./sync-statements.ts";

/** An open SQLite store: the port use-cases see, plus the Kysely handle for store-level tests and tools. */
export type Store = StorePort & {
  readonly db: Db;
  /** Runs the WAL's checkpoints on a thread (Bun, a file): undefined when SQLite runs them inline. */
  readonly checkpointer?: Checkpointer | undefined;
};

const BUSY_TIMEOUT_MS = 10_000;
const MMAP_BYTES = 256 * 1024 * 1024;
/**
 * The WAL file is cut back to this when it starts over; SQLite's default leaves it at its largest.
 * Above the checkpoint thread's bound (SAFETY_NET_FRAMES of ~4 KiB pages, ~41 MB), so only a WAL
 * that one huge transaction stretched is cut: cutting it at 4 MiB made every burst grow the file
 * again, and an extending write costs the disk more than an overwrite (state changes/s −7 %,
 * complete p99 10 → 13 ms, docs/performance.md "Issue 16's twelfth round"). The server removes
 * the WAL when it closes the database.
 */
const WAL_KEEP_BYTES = 48 * 1024 * 1024;

/** How a server uses the store it opens. */
export interface OpenOptions {
  /**
   * Commit queued writes in halves (transactions.ts groupSize): for a server whose one client
   * sends its calls together and reads their answers together (stdio).
   */
  readonly commitInHalves?: boolean;
}

/**
 * Opens (creating if needed) the SQLite file at `path`, sets WAL, busy_timeout, foreign keys and
 * synchronous=NORMAL, and migrates to the latest schema. Throws STORE_READ_ONLY when the file, its
 * -wal/-shm or their folder cannot be written, DISK_FULL when the disk is, STORE_UNAVAILABLE when
 * it cannot be opened or migrated otherwise, STORE_TOO_NEW when a newer binary migrated it.
 */
export async function openStore(path: string, opts: OpenOptions = {}): Promise<Store> {
  // Refused before SQLite opens anything: on a file it cannot write, SQLite falls back to read-only
  // and leaves -wal/-shm files with the database's read-only mode, which then fail every later
  // open even after the database itself is made writable again.
  if (path !== MEMORY && databaseWriteBlockers(path).length > 0) {
    throw readOnlyError(path, "not writable");
  }
  let db: Db;
  // Checkpoints on a thread where the runtime has one; then the main connection's own threshold is
  // only a bound, and SQLite gets its default back if the thread fails.
  const checkpointer =
    path === MEMORY
      ? undefined
      : threadCheckpointer(path, (message) => {
          process.stderr.write(
            `orchestrator: the checkpoint thread for ${path} stopped (${message}); SQLite checkpoints on the main thread again\n`,
          );
          void db.executeQuery(CompiledQuery.raw("pragma wal_autocheckpoint = 1000")).catch(() => {});
        });
  try {
    if (path !== MEMORY) createPrivately(path);
    const database = await openSqlite(path, BUSY_TIMEOUT_MS);
    db = new Kysely<Database>({
      dialect: new ImmediateSqliteDialect({
        database,
        path,
        onCreateConnection: async (c) => {
          await c.executeQuery(CompiledQuery.raw(`pragma busy_timeout = ${BUSY_TIMEOUT_MS}`));
          await c.executeQuery(CompiledQuery.raw("pragma foreign_keys = on"));
          await c.executeQuery(CompiledQuery.raw("pragma synchronous = normal"));
          // Reads through a memory map instead of read() into the 2 MB page cache: get_status on a
          // 100,000-task store 6.7 → 4.9 ms (docs/performance.md). Writes still go through the WAL.
          await c.executeQuery(CompiledQuery.raw(`pragma mmap_size = ${MMAP_BYTES}`));
          // Group commit (transactions.ts) runs each write in a savepoint, and SQLite keeps the
          // savepoint's undo pages in a sub-journal: by default a temporary file, whose writes were
          // half of all pwrite calls with 8 writes in flight (docs/performance.md). In memory it
          // holds only pages a group's earlier writes changed, freed at each COMMIT.
          await c.executeQuery(CompiledQuery.raw("pragma temp_store = memory"));
          if (checkpointer) {
            await c.executeQuery(CompiledQuery.raw(`pragma wal_autocheckpoint = ${SAFETY_NET_FRAMES}`));
            // A WAL a huge transaction stretched past that bound is cut back when it starts over.
            await c.executeQuery(CompiledQuery.raw(`pragma journal_size_limit = ${WAL_KEEP_BYTES}`));
          }
        },
      }),
    });
    registerSyncStatements(db, syncStatements(database, path));
    if (path !== MEMORY) await enableWal(db);
  } catch (cause) {
    const named = storeErrorOf(cause, path);
    if (named) throw named;
    throw new OrchestratorError(
      "STORE_UNAVAILABLE",
      `Cannot open the database ${path}: ${messageOf(cause)}`,
      {
        cause,
        data: { path },
      },
    );
  }

  const migrator = new Migrator({ db, provider: migrationProvider });
  // Read from the table itself: Kysely's getMigrations lists only the migrations it was given.
  const unknown = unknownMigrations(await appliedMigrations(db));
  if (unknown.length > 0) {
    await db.destroy();
    throw new OrchestratorError(
      "STORE_TOO_NEW",
      `The database ${path} has migrations this orchestrator does not know (${unknown.join(", ")}); it was written by a newer version.`,
      { data: { path } },
    );
  }
  const { error, results } = await migrateWithoutBlocking(db, migrator);
  if (error) {
    await db.destroy();
    const named = storeErrorOf(error, path);
    if (named) throw named;
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new OrchestratorError(
      "STORE_UNAVAILABLE",
      `Migrating ${path} failed at ${failed}: ${messageOf(error)}`,
      {
        cause: error,
        data: { path, migration: failed },
      },
    );
  }
  const now = await migrator.getMigrations();
  const store = sqliteStore(db, {
    path,
    migrations: now.filter((m) => m.executedAt).map((m) => m.name),
    close: async () => {
      await checkpointer?.close();
      await db.destroy();
    },
    afterCommit: checkpointer?.afterCommit,
    commitInHalves: opts.commitInHalves,
  });
  return { ...store, checkpointer };
}

const MEMORY = ":memory:";

/**
 * An empty store that exists only in memory, for reads in a workspace that has no database yet:
 * they answer "nothing here" without creating a file (read-only tools never create anything).
 * `path` is where the database will be once something is written.
 */
export async function openEmptyStore(path: string): Promise<Store> {
  const store = await openStore(MEMORY);
  return { ...store, path, placeholder: true };
}

/**
 * Creates the database file empty (a valid SQLite database) with mode 0600 before SQLite opens
 * it, because SQLite creates it 0644 and gives the -wal and -shm files the database's mode: the
 * plans and agents' output are not for other local users. An existing file is left as it is.
 */
function createPrivately(path: string): void {
  try {
    closeSync(openSync(path, "wx", 0o600));
  } catch {
    // exists already (or cannot be created: SQLite's own open reports that)
  }
}

/**
 * Switching a new file to WAL needs an exclusive lock, and SQLite answers SQLITE_BUSY at once,
 * without consulting busy_timeout, when another process is creating the same file at that moment
 * (its deadlock avoidance for lock upgrades). Several servers started together on a fresh
 * workspace hit exactly that, so the switch is retried with a short jittered backoff for up to
 * BUSY_TIMEOUT_MS. Once the file is WAL the pragma is a no-op read and never contends.
 */
async function enableWal(db: Db): Promise<void> {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      await sql`pragma journal_mode = wal`.execute(db);
      return;
    } catch (e) {
      if (!isBusyError(e) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, Math.min(100, 5 * 2 ** attempt) * (0.5 + Math.random())));
    }
  }
}

/**
 * Kysely creates its migration tables outside the migration transaction, so that statement waits
 * for the write lock in SQLite's busy handler, which sleeps synchronously: with two stores on one
 * new file in the same process (tests, or two workspaces sharing `--db` in one server) the waiter
 * froze the event loop while the holder needed it to commit, and failed after BUSY_TIMEOUT_MS with
 * "database is locked". Here the busy handler is off and a busy attempt is retried after an
 * asynchronous pause; migrateToLatest only runs what is still pending, so a retry is safe.
 */
async function migrateWithoutBlocking(db: Db, migrator: Migrator): ReturnType<Migrator["migrateToLatest"]> {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  await sql`pragma busy_timeout = 0`.execute(db);
  try {
    for (;;) {
      const outcome = await migrator.migrateToLatest();
      if (!outcome.error || !isBusyError(outcome.error) || Date.now() > deadline) return outcome;
      await new Promise((r) => setTimeout(r, 1 + Math.random() * 4));
    }
  } finally {
    await sql.raw(`pragma busy_timeout = ${BUSY_TIMEOUT_MS}`).execute(db);
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
