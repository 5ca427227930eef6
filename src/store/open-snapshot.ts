import { existsSync, statSync } from "node:fs";
import { Kysely } from "kysely";
import { Migrator } from "kysely/migration";
import { OrchestratorError } from "../core/errors.ts";
import type { Database, Db } from "./database.ts";
import { copySqliteToMemory, ImmediateSqliteDialect, openSqliteSnapshot } from "./driver.ts";
import { appliedMigrations } from "./health.ts";
import { MIGRATIONS, migrationProvider, SKIPPABLE_FOR_READING } from "./migrations/index.ts";
import type { Store } from "./open.ts";
import { readOnlyError, storeErrorOf } from "./sqlite-errors.ts";
import { sqliteStore } from "./sqlite-store.ts";

/**
 * Opens a database this user cannot write, for reading only (the CLI's `status` and `export`):
 * nothing is created beside it and nothing migrated, and any write fails STORE_READ_ONLY.
 * The main file alone is read (`immutable`) when its WAL is empty or absent; a WAL with content is
 * read through its existing -shm (`mode=ro`). Refused with STORE_READ_ONLY, as before, when that
 * would need SQLite to create a file (a WAL without -shm). A schema older than this version is
 * migrated in a copy in memory (Bun), never in the file.
 */
export async function openSnapshotStore(path: string): Promise<Store> {
  const wal = `${path}-wal`;
  const walBytes = existsSync(wal) ? statSync(wal).size : 0;
  if (walBytes > 0 && !existsSync(`${path}-shm`)) {
    throw readOnlyError(path, "not writable, and its -wal has no -shm to read it through");
  }
  let db: Db;
  try {
    const database = await openSqliteSnapshot(path, walBytes > 0 ? "ro" : "immutable");
    db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database, path }) });
  } catch (cause) {
    throw storeErrorOf(cause, path) ?? readOnlyError(path, messageOf(cause), cause);
  }
  try {
    // Read from the table itself: Kysely's getMigrations lists only the migrations it was given.
    const applied = await appliedMigrations(db);
    const pending = Object.keys(MIGRATIONS).filter(
      (name) => !applied.includes(name) && !SKIPPABLE_FOR_READING.has(name),
    );
    const unknown = applied.filter((name) => !(name in MIGRATIONS));
    if (unknown.length > 0) {
      throw new OrchestratorError(
        "STORE_TOO_NEW",
        `The database ${path} has migrations this orchestrator does not know (${unknown.join(", ")}); it was written by a newer version.`,
        { data: { path } },
      );
    }
    if (pending.length > 0) {
      await db.destroy();
      return await openMigratedCopy(path, walBytes > 0 ? "ro" : "immutable", pending);
    }
    return sqliteStore(db, { path, migrations: applied, close: () => db.destroy() });
  } catch (e) {
    await db.destroy();
    throw storeErrorOf(e, path) ?? readOnlyError(path, messageOf(e), e);
  }
}

/**
 * A schema older than this version: read from a migrated copy in memory (the file is never
 * written), or refused with STORE_READ_ONLY where the runtime cannot copy it.
 */
async function openMigratedCopy(
  path: string,
  how: "immutable" | "ro",
  pending: readonly string[],
): Promise<Store> {
  const database = await copySqliteToMemory(path, how);
  if (!database) {
    throw readOnlyError(
      path,
      `not writable, and it needs migrating (${pending.join(", ")}) before it can be read`,
    );
  }
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database, path }) });
  try {
    const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
    if (error) throw error;
    return sqliteStore(db, { path, migrations: await appliedMigrations(db), close: () => db.destroy() });
  } catch (e) {
    await db.destroy();
    throw e;
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
