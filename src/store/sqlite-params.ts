/**
 * SQLite's planner looks at the values bound to some parameters (`column = ?` in a statement with
 * ORDER BY, `LIMIT ?`) and marks the statement to be compiled again whenever one of them is bound
 * anew; the bindings run by bun:sqlite and node:sqlite bind every parameter on every run, so such
 * a statement was compiled on every call (measured on bun:sqlite 3.54.1: a ready-task part 17.8 µs
 * bound against 2.5 µs with its values inline, the difference being its 14 µs compile; get_status
 * after a write ran ten of them). A parameter written `+?` is the same value (unary plus is a
 * no-op in SQLite: no conversion, no affinity, as a bare parameter) but not a bare parameter, so
 * the planner leaves it alone and the statement keeps its compiled program. Indexes are used as
 * before (`column = +?` still seeks; only `+column` would not).
 *
 * The rewrite walks the SQL text once, leaving quoted strings and names, and comments, as they are.
 */
export function unpeekableParams(sql: string): string {
  let out = "";
  let from = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === "`") {
      i = closingQuote(sql, i, c);
    } else if (c === "[") {
      const end = sql.indexOf("]", i + 1);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i + 2);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === "?" && !/[0-9]/.test(sql[i + 1] ?? "")) {
      // Numbered parameters (?NNN) are left as written: nothing here writes them, and a rewrite
      // of what it does not write is a risk without a gain.
      out += `${sql.slice(from, i)}+?`;
      from = ++i;
    } else {
      i++;
    }
  }
  return from === 0 ? sql : out + sql.slice(from);
}

/** The index after the quote closing the one at `start` (a doubled quote is an escaped one). */
function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length;
}

/**
 * `unpeekableParams` kept per SQL text: the statements run are a bounded set (compiled ones and
 * Kysely's per list length), so each is scanned once.
 */
export function unpeekableParamsCached(): (sql: string) => string {
  const seen = new Map<string, string>();
  return (sql) => {
    const hit = seen.get(sql);
    if (hit !== undefined) return hit;
    const rewritten = unpeekableParams(sql);
    // Past this many texts something builds SQL per call; start the memo again rather than grow.
    if (seen.size >= 2_000) seen.clear();
    seen.set(sql, rewritten);
    return rewritten;
  };
}
