import pg from "pg";

// `bun tests/helpers/_pg-dump.ts <url> <table>...`: every row of each table as JSON lines, in a
// stable order, for fingerprint() (which is synchronous, as its SQLite half is).
const [url, ...tables] = process.argv.slice(2);
const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
await client.connect();
try {
  for (const table of tables) {
    if (!/^[a-z_]+$/.test(table)) throw new Error(`bad table name ${table}`);
    const { rows } = await client.query(`select row_to_json(t)::text as r from ${table} t order by 1`);
    process.stdout.write(`${table}:${JSON.stringify(rows.map((x) => x.r))}\n`);
  }
} finally {
  await client.end();
}
