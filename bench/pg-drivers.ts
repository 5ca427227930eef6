/**
 * `bun bench/pg-drivers.ts [admin-url]`: the PostgreSQL driver choice (docs/postgres.md "Why pg").
 * Kysely over pg (what the store uses) beside raw pg and Bun's built-in Bun.sql, on one database
 * created for the run and dropped after: sequential round trips (`select 1`), small write
 * transactions (begin, one update, commit), and the same transactions 8 at a time. Prints a
 * table; asserts nothing. Each figure is the median of 3 runs of N operations.
 */
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";

const adminUrl = process.argv[2] ?? "postgres://postgres@127.0.0.1:5432/postgres";
const N = 2000;
const name = `orch_bench_${Math.random().toString(16).slice(2, 10)}`;
const adminClient = new pg.Client({ connectionString: adminUrl });
await adminClient.connect();
await adminClient.query(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const dbUrl = url.toString();

type Runner = { roundTrip(): Promise<unknown>; tx(i: number): Promise<unknown>; close(): Promise<void> };

const pool = () => new pg.Pool({ connectionString: dbUrl, max: 8 });
const runners: Record<string, () => Runner> = {
  "kysely + pg (chosen)": () => {
    const db = new Kysely<{ c: { id: number; n: number } }>({
      dialect: new PostgresDialect({ pool: pool() }),
    });
    return {
      roundTrip: () => sql`select 1`.execute(db),
      tx: (i) =>
        db.transaction().execute((t) =>
          t
            .updateTable("c")
            .set({ n: i })
            .where("id", "=", i % 8)
            .execute(),
        ),
      close: () => db.destroy(),
    };
  },
  "pg raw": () => {
    const p = pool();
    return {
      roundTrip: () => p.query("select 1"),
      tx: async (i) => {
        const c = await p.connect();
        try {
          await c.query("begin");
          await c.query("update c set n = $1 where id = $2", [i, i % 8]);
          await c.query("commit");
        } finally {
          c.release();
        }
      },
      close: () => p.end(),
    };
  },
  "Bun.sql": () => {
    const s = new Bun.SQL(dbUrl, { max: 8 });
    return {
      roundTrip: () => s`select 1`,
      tx: (i) => s.begin((t) => t`update c set n = ${i} where id = ${i % 8}`),
      close: () => s.close(),
    };
  },
};

async function timed(fn: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

// postgres.js is not a dependency: measured when installed for the run (bun add postgres --no-save).
const optional = "postgres";
try {
  const postgres = ((await import(optional)) as { default: any }).default;
  runners["postgres.js (optional)"] = () => {
    const s = postgres(dbUrl, { max: 8 });
    return {
      roundTrip: () => s`select 1`,
      tx: (i) => s.begin((t: any) => t`update c set n = ${i} where id = ${i % 8}`),
      close: () => s.end(),
    };
  };
} catch {
  // not installed: the table leaves it out
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

try {
  const setup = new pg.Client({ connectionString: dbUrl });
  await setup.connect();
  await setup.query("create table c (id int primary key, n int)");
  await setup.query("insert into c select g, 0 from generate_series(0, 7) g");
  await setup.end();
  const rows: string[] = [];
  for (const [label, make] of Object.entries(runners)) {
    const r = make();
    // Connected and warmed (JIT, prepared paths) before anything is timed.
    for (let i = 0; i < 300; i++) {
      await r.roundTrip();
      await r.tx(i);
    }
    const rt: number[] = [];
    const tx: number[] = [];
    const par: number[] = [];
    for (let k = 0; k < 3; k++) {
      rt.push(
        await timed(async () => {
          for (let i = 0; i < N; i++) await r.roundTrip();
        }),
      );
      tx.push(
        await timed(async () => {
          for (let i = 0; i < N; i++) await r.tx(i);
        }),
      );
      par.push(
        await timed(async () => {
          let next = 0;
          await Promise.all(
            Array.from({ length: 8 }, async () => {
              while (next < N) await r.tx(next++);
            }),
          );
        }),
      );
    }
    await r.close();
    const us = (ms: number) => `${((ms * 1000) / N).toFixed(0)} µs`;
    rows.push(
      `| ${label} | ${us(median(rt))} | ${us(median(tx))} | ${Math.round(N / (median(par) / 1000))}/s |`,
    );
  }
  process.stdout.write(
    [
      `${N} operations each, median of 3 (Bun ${Bun.version}, PostgreSQL on ${url.host})`,
      "| driver | select 1 round trip | write transaction | 8 concurrent write transactions |",
      "|---|---|---|---|",
      ...rows,
      "",
    ].join("\n"),
  );
} finally {
  await adminClient.query(`drop database if exists ${name} with (force)`);
  await adminClient.end();
}
