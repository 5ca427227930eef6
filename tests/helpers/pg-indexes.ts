import { sql } from "kysely";
import { openPostgresStore } from "../../src/store/postgres/open.ts";
import { createTestDatabase } from "./postgres.ts";

/** The indexes of `table` (name → definition) in a fresh PostgreSQL database after every migration. */
export async function migratedIndexes(table: string): Promise<Map<string, string>> {
  const database = await createTestDatabase();
  try {
    const store = await openPostgresStore(database.url);
    try {
      const defs = await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef
        from pg_indexes where tablename = ${table} order by indexname`.execute(store.db);
      return new Map(defs.rows.map((r) => [r.indexname, r.indexdef]));
    } finally {
      await store.close();
    }
  } finally {
    await database.drop();
  }
}
