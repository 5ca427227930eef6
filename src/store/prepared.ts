import { type Compilable, CompiledQuery } from "kysely";
import type { Executor } from "./database.ts";
import { type Dialect, dialectOf } from "./dialect.ts";
import { executeRows } from "./sync-statements.ts";

/** Where each parameter of the compiled SQL comes from: a named value of the call, or a constant. */
type Slot = { readonly name: string } | { readonly value: unknown };

interface Compiled {
  readonly sql: string;
  readonly slots: readonly Slot[];
  /** The parts of a CompiledQuery that never change, made once. */
  readonly query: CompiledQuery["query"];
  readonly queryId: CompiledQuery["queryId"];
}

/** A parameter value no caller passes: compiling with it shows where each named value lands. */
const MARK = "\u0000orchestrator-prepared:";

/**
 * A statement of the write path whose SQL never changes, built and compiled by Kysely once per
 * dialect (and `shape`) and from then on run as compiled SQL with the call's values (issue 16:
 * building and compiling each query was ~10 % of a write call's CPU; bun:sqlite and node:sqlite
 * already cache the prepared statement by its SQL text).
 *
 * `build` must give the same SQL whatever the values: they go only where Kysely makes them
 * parameters (`where(col, "=", v)`, `values({...})`, `set({...})`), never into JavaScript
 * decisions, `in` lists or column choices; anything that varies the SQL goes into `shape`, which
 * keys its own compilation. A value must not be `undefined` (Kysely leaves such a column out).
 * The first call of each shape checks that every value landed as a parameter.
 */
export function prepared<P extends Record<string, unknown>, R>(
  build: (db: Executor, p: P) => Compilable<R>,
): (db: Executor, p: P, shape?: string) => Promise<R[]> {
  const cache = new Map<string, Compiled>();
  return async (db, p, shape = "") => {
    const dialect = dialectOf(db);
    const key = shape === "" ? dialect : `${dialect}\u0000${shape}`;
    let compiled = cache.get(key);
    if (!compiled) {
      compiled = compileMarked(db, build, p, dialect);
      cache.set(key, compiled);
    }
    const parameters = compiled.slots.map((s) => ("name" in s ? p[s.name] : s.value));
    // A plain object around the statement's fixed node and id: CompiledQuery.raw would build and
    // freeze a node, two arrays and itself and draw a query id for every run (Object.freeze was
    // ~3.5 % of the worker's CPU at 8 writes in flight, issue 16). The id is only read by plugins,
    // and no Kysely instance here has any (a plugin keeping state per query id would need one each).
    const run: CompiledQuery<R> = {
      sql: compiled.sql,
      parameters,
      query: compiled.query,
      queryId: compiled.queryId,
    };
    // Inside a SQLite write transaction or read snapshot: straight on its connection (sync-statements.ts).
    return executeRows(db, run);
  };
}

function compileMarked<P extends Record<string, unknown>, R>(
  db: Executor,
  build: (db: Executor, p: P) => Compilable<R>,
  p: P,
  dialect: Dialect,
): Compiled {
  const names = Object.keys(p);
  const marked = Object.fromEntries(names.map((n) => [n, `${MARK}${n}`])) as P;
  const { sql, parameters } = build(db, marked).compile();
  const slots: Slot[] = parameters.map((v) =>
    typeof v === "string" && v.startsWith(MARK) ? { name: v.slice(MARK.length) } : { value: v },
  );
  for (const n of names) {
    const uses = slots.filter((s) => "name" in s && s.name === n).length;
    if (uses === 0 || p[n] === undefined) {
      // A programming error in a repository, caught by the first call of any test that runs it.
      throw new Error(`prepared ${dialect} query: value "${n}" is not a parameter (or is undefined): ${sql}`);
    }
  }
  const { query, queryId } = CompiledQuery.raw(sql);
  return { sql, slots, query, queryId };
}

/**
 * A list as numbered values of a prepared statement (`plan0`, `plan1`, …), so a statement over a
 * list (an `in` list, a UNION of one part per item) can be compiled too: `build` reads them back
 * with `listIn`, and the caller puts the list's length into `shape` (each length is compiled once).
 */
export function listValues<T>(name: string, values: readonly T[]): Record<string, T> {
  const out: Record<string, T> = {};
  values.forEach((v, i) => {
    out[`${name}${i}`] = v;
  });
  return out;
}

/** In a prepared statement's `build`: the values `listValues` put under `name`, in order. */
export function listIn<T>(p: Record<string, unknown>, name: string): T[] {
  const out: T[] = [];
  for (let i = 0; `${name}${i}` in p; i++) out.push(p[`${name}${i}`] as T);
  return out;
}

/** Lists up to this long are compiled once per length; longer ones, rare, are built per call. */
const COMPILED_LIST_MAX = 10;
/** The name a list's numbered values go under (listValues) in a preparedOverList statement. */
const LIST = "listItem";

/**
 * A statement over a list of values (an `in` list, a UNION of one part per item), compiled once
 * per length up to COMPILED_LIST_MAX (the write path's and the overview's short lists: a task's
 * dependencies, the overview's plans) and built per call past it, rather than keeping a compiled
 * text for every length a process meets. `build` gets the list as it is: the values as numbered
 * parameters when compiled, the values themselves otherwise.
 */
export function preparedOverList<P extends Record<string, unknown>, T, R>(
  build: (db: Executor, p: P, list: readonly T[]) => Compilable<R>,
): (db: Executor, p: P, list: readonly T[]) => Promise<R[]> {
  const compiled = prepared((db, p: P) => build(db, p, listIn<T>(p, LIST)));
  return async (db, p, list) => {
    if (list.length <= COMPILED_LIST_MAX)
      return compiled(db, { ...p, ...listValues(LIST, list) }, String(list.length));
    return (await db.executeQuery<R>(build(db, p, list).compile())).rows as R[];
  };
}
