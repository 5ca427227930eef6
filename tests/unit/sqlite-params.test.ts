import { Database, type SQLQueryBindings } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { openSqlite } from "../../src/store/driver.ts";
import { unpeekableParams, unpeekableParamsCached } from "../../src/store/sqlite-params.ts";

describe("unpeekableParams", () => {
  test("writes each bare parameter as +?", () => {
    expect(unpeekableParams('select "id" from "tasks" where "workspace" = ? and "plan_id" = ? limit ?')).toBe(
      'select "id" from "tasks" where "workspace" = +? and "plan_id" = +? limit +?',
    );
    expect(unpeekableParams("insert into t (a, b) values (?, ?)")).toBe(
      "insert into t (a, b) values (+?, +?)",
    );
    expect(unpeekableParams("select ? in (?,?)")).toBe("select +? in (+?,+?)");
  });

  test("leaves quoted strings, quoted names, comments and numbered parameters alone", () => {
    const untouched = [
      "select 'what?' from t",
      "select 'it''s ?' from t",
      'select "odd?name" from t',
      'select "a""?" from t',
      "select `x?` from t",
      "select [y?] from t",
      "select 1 -- really?\n",
      "select 1 /* ? */",
      "select ?1, ?2",
      "select 1",
    ];
    for (const sql of untouched) expect(unpeekableParams(sql)).toBe(sql);
    expect(unpeekableParams("select 'a?', ? -- b?\n, ? /* c? */ , \"d?\"")).toBe(
      "select 'a?', +? -- b?\n, +? /* c? */ , \"d?\"",
    );
  });

  test("an unterminated quote or comment ends the scan without a rewrite past it", () => {
    expect(unpeekableParams("select ?, 'open ?")).toBe("select +?, 'open ?");
    expect(unpeekableParams("select ? /* open ?")).toBe("select +? /* open ?");
  });

  test("the cached form answers as the function does", () => {
    const text = unpeekableParamsCached();
    const sql = "select * from t where a = ? order by b";
    expect(text(sql)).toBe(unpeekableParams(sql));
    expect(text(sql)).toBe("select * from t where a = +? order by b");
  });
});

describe("+? means what ? means", () => {
  // Every comparison, storage and limit a statement of ours can make, run both ways on the same
  // data with values of every storage class against columns of every affinity.
  const db = new Database(":memory:");
  db.run("create table t (n integer primary key, tx text, i integer, r real, nu numeric, b blob, x)");
  const rows: unknown[][] = [
    ["1", 1, 1.5, "2", new Uint8Array([1]), "1"],
    ["01", 2, 2, 2, null, 1],
    ["abc", null, -1, "abc", new Uint8Array([0, 255]), 1.0],
    [null, 10, 10.25, 10, null, null],
    ["2026-12-01T00:00:00.000Z", 3, 0, "3.0", null, "x"],
  ];
  for (const r of rows)
    db.query("insert into t (tx, i, r, nu, b, x) values (?, ?, ?, ?, ?, ?)").run(...(r as never[]));
  const values: SQLQueryBindings[] = [
    "1",
    1,
    1.0,
    1.5,
    "01",
    "abc",
    "2",
    2,
    "3.0",
    10,
    "10",
    null,
    new Uint8Array([1]),
    "x",
  ];
  const columns = ["tx", "i", "r", "nu", "b", "x", "n"];
  const both = (sql: string, params: SQLQueryBindings[]) => {
    const a = db.query(sql).all(...params);
    const b = db.query(unpeekableParams(sql)).all(...params);
    expect(b).toEqual(a);
    return a;
  };

  test("comparisons, IN, LIKE, IS, ORDER BY and LIMIT give the same rows", () => {
    let nonEmpty = 0;
    for (const c of columns)
      for (const v of values) {
        for (const op of ["=", "<", ">=", "is", "is not"])
          nonEmpty += both(`select n from t where ${c} ${op} ? order by n`, [v]).length > 0 ? 1 : 0;
        both(`select n from t where ${c} in (?, ?) order by n limit ?`, [v, "abc", 2]);
        both(`select n, typeof(?) as ty, ? || ${c} as cat from t order by n limit ? offset ?`, [v, v, 3, 1]);
      }
    both("select n from t where tx like ? escape ? order by n", ["2026%", "\\"]);
    // The data must make the comparison above tell rows apart, or it compares nothing.
    expect(nonEmpty).toBeGreaterThan(100);
  });

  test("values stored through +? keep their type and bytes", () => {
    db.run("create table s (k integer primary key, tx text, i integer, r real, nu numeric, b blob, x)");
    for (const v of values) {
      const plain = db
        .query("insert into s (tx, i, r, nu, b, x) values (?, ?, ?, ?, ?, ?) returning k")
        .get(v, v, v, v, v, v) as { k: number };
      const plus = db
        .query(unpeekableParams("insert into s (tx, i, r, nu, b, x) values (?, ?, ?, ?, ?, ?) returning k"))
        .get(v, v, v, v, v, v) as { k: number };
      const read = (k: number) =>
        db
          .query(
            "select typeof(tx) a, tx, typeof(i) b, i, typeof(r) c, r, typeof(nu) d, nu, typeof(b) e, b, typeof(x) f, x from s where k = ?",
          )
          .get(k);
      expect(read(plus.k)).toEqual(read(plain.k));
    }
  });
});

test("the store's SQLite connection runs its statements with +? parameters", async () => {
  const db = await openSqlite(":memory:", 1000);
  try {
    const st = db.prepare("select ? as v") as unknown as { all(p: unknown[]): unknown[]; toString(): string };
    expect(st.all([7])).toEqual([{ v: 7 }]);
    // bun:sqlite shows the statement with its last bound values.
    expect(st.toString()).toBe("select +7 as v");
  } finally {
    await db.close();
  }
});
