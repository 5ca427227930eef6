/** One parsed exposition: samples by `name{labels}` as written, and each family's TYPE and HELP. */
export interface Exposition {
  readonly samples: Map<string, number>;
  readonly types: Map<string, string>;
  readonly helps: Map<string, string>;
}

/**
 * Parses the Prometheus text format strictly enough for tests: every line is a comment, blank, or
 * `name{labels} value`, and a sample's family must have been declared by TYPE before it.
 */
export function parseExposition(text: string): Exposition {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      (meta[1] === "TYPE" ? types : helps).set(meta[2]!, meta[3]!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$/.exec(
      line,
    );
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const family = m[1]!.replace(/_(bucket|sum|count)$/, "");
    if (!types.has(m[1]!) && !types.has(family)) throw new Error(`sample before its TYPE: ${line}`);
    const value = Number(m[3]);
    if (Number.isNaN(value)) throw new Error(`not a number: ${line}`);
    samples.set(`${m[1]}${m[2] ?? ""}`, value);
  }
  return { samples, types, helps };
}

/** A sample's value, 0 when the series does not exist yet (counters start there). */
export function sample(e: Exposition, key: string): number {
  return e.samples.get(key) ?? 0;
}
