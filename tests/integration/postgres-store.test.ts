import { Database as SqliteDb } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { openContext } from "../../src/app/open-context.ts";
import { OrchestratorError } from "../../src/core/errors.ts";
import { DEFAULT_SETTINGS } from "../../src/core/settings.ts";
import { systemClock } from "../../src/platform/clock.ts";
import { StoreCache } from "../../src/store/cache.ts";
import { openStore } from "../../src/store/open.ts";
import { openPostgresStore } from "../../src/store/postgres/open.ts";
import { WRITE_ATTEMPTS } from "../../src/store/postgres/pg-store.ts";
import { createRoleLoader } from "../../src/workspace/roles.ts";
import { createTestDatabase, postgresServer, type TestDatabase } from "../helpers/postgres.ts";
import { makeProject } from "../helpers/temp.ts";

const ws = "/ws";
const at = "2026-01-01T00:00:00.000Z";
const plan = {
  id: "task_0000000a",
  description: "a plan",
  complexity: "simple",
  context: null,
  status: "active",
  createdAt: at,
  updatedAt: at,
} as const;
const task = {
  id: "t_1",
  planId: "task_0000000a",
  position: 0,
  title: "one",
  description: "d",
  specialistType: "implementer",
  estimatedEffort: "1h",
  status: "pending",
  dependencies: [],
  createdAt: at,
  updatedAt: at,
} as const;

let database: TestDatabase;
let admin: pg.Client;
beforeAll(async () => {
  database = await createTestDatabase();
  admin = new pg.Client({ connectionString: database.url });
  admin.on("error", () => {});
  await admin.connect();
});
afterAll(async () => {
  await admin.end().catch(() => {});
  await database.drop();
});

async function caught(p: Promise<unknown>): Promise<OrchestratorError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof OrchestratorError) return e;
    throw e;
  }
  throw new Error("expected a failure");
}

describe("PostgreSQL store", () => {
  test("several servers opening one new database at once migrate it once, and agree", async () => {
    const fresh = await createTestDatabase();
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(fresh.url)));
      const names = stores.map((s) => s.migrations.join(","));
      expect(new Set(names).size).toBe(1);
      const rows = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(
        stores[0]!.db,
      );
      expect(rows.rows[0]?.n).toBe(stores[0]!.migrations.length);
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await fresh.drop();
    }
  });

  test("the same migrations give the same tables, columns, nullability and keys as SQLite", async () => {
    const project = makeProject("orch-pg-schema-");
    const file = join(project.dir, "s.db");
    (await openStore(file)).close();
    const lite = new SqliteDb(file, { readonly: true });
    const store = await openPostgresStore(database.url);
    try {
      const tables = ["plans", "tasks", "task_dependencies", "artifacts", "events", "request_results"];
      for (const t of tables) {
        const sqliteCols = (
          lite.query(`pragma table_info(${t})`).all() as { name: string; notnull: number; pk: number }[]
        )
          .map((c) => `${c.name}:${c.notnull || c.pk ? "not null" : "null"}:${c.pk > 0 ? `pk${c.pk}` : ""}`)
          .sort();
        const pgCols = (
          await sql<{ name: string; nullable: string; pk: number | null }>`
            select c.column_name as name, c.is_nullable as nullable,
              (select k.ordinal_position from information_schema.key_column_usage k
                join information_schema.table_constraints tc on tc.constraint_name = k.constraint_name
                 and tc.table_name = k.table_name and tc.constraint_type = 'PRIMARY KEY'
               where k.table_name = c.table_name and k.column_name = c.column_name) as pk
            from information_schema.columns c where c.table_name = ${t} and c.table_schema = 'public'`.execute(
            store.db,
          )
        ).rows
          .map((c) => `${c.name}:${c.nullable === "NO" ? "not null" : "null"}:${c.pk ? `pk${c.pk}` : ""}`)
          .sort();
        expect({ t, cols: pgCols }).toEqual({ t, cols: sqliteCols });
      }
    } finally {
      lite.close();
      await store.close();
      project.cleanup();
    }
  });

  test("a write that collides with a concurrent commit runs again on fresh data", async () => {
    const store = await openPostgresStore(database.url);
    const other = await openPostgresStore(database.url);
    try {
      await store.write(async (w) => {
        await w.insertPlan(ws, plan);
        await w.insertTasks(ws, [task]);
      });
      let runs = 0;
      await store.write(async (w) => {
        runs++;
        const seen = await w.findTask(ws, "t_1");
        // Another server commits a change to the same row between this read and this write.
        if (runs === 1) await other.direct.updateTask(ws, "t_1", { title: "theirs" });
        await w.updateTask(ws, "t_1", { summary: `saw ${seen?.title}` });
      });
      expect(runs).toBe(2);
      expect(await store.direct.findTask(ws, "t_1")).toMatchObject({
        title: "theirs",
        summary: "saw theirs",
      });

      // A write that collides every time gives up with a retryable error, storing nothing.
      runs = 0;
      const e = await caught(
        store.write(async (w) => {
          runs++;
          await w.findTask(ws, "t_1");
          await other.direct.updateTask(ws, "t_1", { statusNote: `other ${runs}` });
          await w.updateTask(ws, "t_1", { summary: "never" });
        }),
      );
      expect(e.code).toBe("STORE_CONFLICT");
      expect(e.data).toMatchObject({ attempts: WRITE_ATTEMPTS, retryable: true });
      expect(runs).toBe(WRITE_ATTEMPTS);
      expect((await store.direct.findTask(ws, "t_1"))?.summary).toBe("saw theirs");
    } finally {
      await store.close();
      await other.close();
    }
  });

  test("a connection killed mid-call is a retryable error, and the next call reconnects", async () => {
    const store = await openPostgresStore(`${database.url}?application_name=orch_kill_me`);
    try {
      await store.write((w) => w.insertPlan("/kill", plan));
      const kill = () =>
        admin.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'orch_kill_me'",
        );
      // A write whose connection dies mid-transaction: a clear retryable error, never a hang.
      const e = await caught(
        store.write(async (w) => {
          await w.findPlan("/kill", plan.id);
          await kill();
          await w.updatePlan("/kill", plan.id, { updatedAt: "2026-02-02T00:00:00.000Z" });
        }),
      );
      expect(e.code).toBe("STORE_CONNECTION_LOST");
      expect(e.data).toMatchObject({ retryable: true, database: database.name });
      expect(e.message).toContain(database.name);
      // A read whose connection dies runs again on a new one.
      let runs = 0;
      const found = await store.read(async (r) => {
        runs++;
        await r.findPlan("/kill", plan.id);
        if (runs === 1) await kill();
        return r.findPlan("/kill", plan.id);
      });
      expect(found?.updatedAt).toBe(at);
      expect(runs).toBe(2);
      expect((await store.direct.findPlan("/kill", plan.id))?.id).toBe(plan.id);

      // Every idle pooled connection killed (a server restart): the process lives on, and reads
      // answer at once from a new connection (they run again past the dead ones).
      const killed = await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'orch_kill_me'",
      );
      expect(killed.rowCount).toBeGreaterThan(0);
      expect((await store.direct.findPlan("/kill", plan.id))?.id).toBe(plan.id);
      await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'orch_kill_me'",
      );
      expect(await store.read((r) => r.planExists("/kill", plan.id))).toBe(true);
    } finally {
      await store.close();
    }
  });

  test("a statement past statement_timeout is cancelled with a clear error", async () => {
    const store = await openPostgresStore(`${database.url}?statement_timeout=200`);
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    try {
      await locker.query("begin; lock table request_results in access exclusive mode");
      const e = await caught(store.direct.findRequestResult(ws, "t", "r"));
      expect(e.code).toBe("STORE_TIMEOUT");
      expect(e.message).toContain("200 ms");
    } finally {
      await locker.query("rollback").catch(() => {});
      await locker.end();
      await store.close();
    }
  });

  test("a database migrated by a newer version is refused as on SQLite", async () => {
    const fresh = await createTestDatabase();
    try {
      (await openPostgresStore(fresh.url)).close();
      const c = new pg.Client({ connectionString: fresh.url });
      await c.connect();
      await c.query(
        "insert into kysely_migration (name, timestamp) values ('2099_01_01_000000_future', '2099-01-01T00:00:00.000Z')",
      );
      await c.end();
      const e = await caught(openPostgresStore(fresh.url));
      expect(e.code).toBe("STORE_TOO_NEW");
      // SQLite, the same way (Kysely's getMigrations hid unknown names from both before).
      const project = makeProject("orch-too-new-");
      const file = join(project.dir, "n.db");
      await (await openStore(file)).close();
      const lite = new SqliteDb(file);
      lite.run(
        "insert into kysely_migration (name, timestamp) values ('2099_01_01_000000_future', '2099-01-01T00:00:00.000Z')",
      );
      lite.close();
      expect((await caught(openStore(file))).code).toBe("STORE_TOO_NEW");
      project.cleanup();
    } finally {
      await fresh.drop();
    }
  });

  test("opening failures name host, port and database, never the password", async () => {
    const { adminUrl } = await postgresServer();
    const u = new URL(adminUrl);
    u.password = "s3cret-pw";
    u.pathname = "/orch_no_such_db_for_test";
    const missing = await caught(openPostgresStore(u.toString()));
    expect(missing.code).toBe("STORE_UNAVAILABLE");
    expect(missing.message).toContain("createdb -h");
    expect(missing.message).toContain("orch_no_such_db_for_test");
    expect(missing.message).not.toContain("s3cret-pw");

    const refused = await caught(openPostgresStore("postgres://me:s3cret-pw@127.0.0.1:1/somedb"));
    expect(refused.code).toBe("STORE_UNAVAILABLE");
    expect(refused.message).toContain("127.0.0.1:1");
    expect(refused.message).toContain("somedb");
    expect(refused.message).not.toContain("s3cret-pw");

    for (const bad of [
      "mysql://me:s3cret-pw@h/db",
      "postgres://me:s3cret-pw@h:port/db",
      "postgres://me:s3cret-pw@h/",
    ]) {
      const e = await caught(openPostgresStore(bad));
      expect(e.code).toBe("USAGE");
      expect(e.message).not.toContain("s3cret-pw");
    }
    // TLS asked of a server without it is named with the sslmode to use; with it, the store opens.
    const ssl = (await admin.query("show ssl")).rows[0]?.ssl;
    const tls = openPostgresStore(`${database.url}?sslmode=require`);
    if (ssl === "on") await (await tls).close();
    else expect((await caught(tls)).message).toContain("sslmode=disable");
    const store = await openPostgresStore(
      database.url.replace("postgres://postgres@", "postgres://postgres:pw-not-shown@"),
    );
    expect(store.path).not.toContain("pw-not-shown");
    await store.close();
  });

  test("calls use the database server's clock; a clock a test injects still wins", async () => {
    const stores = new StoreCache();
    const project = makeProject("orch-pg-clock-");
    const base = {
      db: database.url,
      settings: DEFAULT_SETTINGS,
      roleLoader: createRoleLoader(),
      stores,
      random: { hex: (n: number) => "0".repeat(n) },
    };
    try {
      const real = await openContext({ ...base, clock: systemClock }, project.dir);
      expect(real.store.clock).toBeDefined();
      expect(real.clock).toBe(real.store.clock ?? systemClock);
      const server = (
        await sql<{ ms: number }>`select extract(epoch from clock_timestamp()) * 1000 as ms`.execute(
          (
            await stores.get(database.url)
          ).db,
        )
      ).rows[0]!.ms;
      // The same machine here: the store's clock and the server's agree within a round trip or two.
      expect(Math.abs(Date.parse(real.clock.now()) - server)).toBeLessThan(1000);
      const fixed = { now: () => at };
      const injected = await openContext({ ...base, clock: fixed }, project.dir);
      expect(injected.clock).toBe(fixed);
    } finally {
      await stores.closeAll();
      project.cleanup();
    }
  });
});
