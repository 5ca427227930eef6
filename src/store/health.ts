import { statSync } from "node:fs";
import { Kysely, sql } from "kysely";
import type { Database, Executor } from "./database.ts";
import { ImmediateSqliteDialect, openSqlite } from "./driver.ts";
import { MIGRATIONS } from "./migrations/index.ts";
import { countClaims } from "./repositories/tasks.repository.ts";

/**
 * What SQLite says about a database's own health, shared by the health_check tool, maintenance's
 * validate_structure and doctor: integrity, journal mode, applied migrations.
 */

/** SQLite's verdict lines: `["ok"]` when sound. `deep` runs integrity_check, else quick_check. */
export async function checkIntegrity(db: Executor, deep: boolean): Promise<string[]> {
  const check = deep
    ? sql<Record<string, unknown>>`pragma integrity_check`
    : sql<Record<string, unknown>>`pragma quick_check`;
  const rows = (await check.execute(db)).rows;
  return rows.map((r) => String(Object.values(r)[0]));
}

/** The journal mode ("wal" once a server has opened the file). */
export async function journalMode(db: Executor): Promise<string | undefined> {
  return (await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db)).rows[0]?.journal_mode;
}

/** Names of the migrations applied to the file, oldest first; none when it was never migrated. */
export async function appliedMigrations(db: Executor): Promise<string[]> {
  return sql<{ name: string }>`select name from kysely_migration order by name`
    .execute(db)
    .then((r) => r.rows.map((x) => x.name))
    .catch(() => [] as string[]);
}

/** A file's size in bytes, 0 when it does not exist (a WAL is only there while the store is open). */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** What doctor reports about a database file, read without migrating or changing it. */
export interface DatabaseInspection {
  readonly integrity: readonly string[];
  readonly journalMode: string | undefined;
  readonly applied: readonly string[];
  /** Migrations the file has that this binary does not know (a newer binary wrote it). */
  readonly unknown: readonly string[];
  /** Migrations this binary would still run on it. */
  readonly missing: readonly string[];
  /** Claims in `workspace` whose lease ran out; null when the schema is not current. */
  readonly expiredClaims: number | null;
}

/**
 * Opens the file at `path` as a server would (the write lock taken and given back, since that is
 * what every tool call needs first), then checks it. Throws what opening throws (a named store
 * error, or SQLite's own when the file is not a database); closes the file in every case.
 */
export async function inspectDatabase(
  path: string,
  workspace: string,
  now: string,
): Promise<DatabaseInspection> {
  let db: Kysely<Database> | undefined;
  try {
    db = new Kysely<Database>({
      dialect: new ImmediateSqliteDialect({ database: await openSqlite(path, 5000), path }),
    });
    await sql`begin immediate`.execute(db);
    await sql`rollback`.execute(db);
    const integrity = await checkIntegrity(db, true);
    const mode = await journalMode(db);
    const applied = await appliedMigrations(db);
    const known = Object.keys(MIGRATIONS).sort();
    const unknown = applied.filter((m) => !known.includes(m));
    const missing = known.filter((m) => !applied.includes(m));
    const current = unknown.length === 0 && missing.length === 0;
    const expiredClaims = current ? (await countClaims(db, workspace, now)).expired : null;
    return { integrity, journalMode: mode, applied, unknown, missing, expiredClaims };
  } finally {
    await db?.destroy().catch(() => {});
  }
}
