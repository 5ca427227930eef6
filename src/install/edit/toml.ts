/**
 * TOML edits for Codex's config.toml, where our entry is the table `[mcp_servers.<name>]`.
 * smol-toml only parses (it has no source positions and its stringify would rewrite the file), so
 * the edit works on text: our table is located by its header line and replaced, or appended at
 * the end after one blank line. Everything outside our table's lines is left byte for byte.
 *
 * An entry written as dotted keys or inside an inline table cannot be replaced without rewriting
 * lines that also hold other data, so that case is refused with its position.
 */
import { parse, TomlError } from "smol-toml";
import { ConfigParseError, type EditOutcome, type EntryEdit } from "../types.ts";
import { deepEqual, detectEol, editBody, failAt, withoutBom } from "./_text.ts";

function parseToml(body: string): Record<string, unknown> {
  try {
    return parse(body) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      const message = (e.message.split("\n")[0] ?? e.message).replace(/^Invalid TOML document: /, "");
      throw new ConfigParseError(message, Math.max(1, e.line), Math.max(1, e.column));
    }
    throw e;
  }
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function lookup(doc: Record<string, unknown>, body: string, edit: EntryEdit): unknown {
  let current: unknown = doc;
  for (const key of edit.keyPath) {
    const next = (current as Record<string, unknown>)[key];
    if (next === undefined) return undefined;
    if (!isTable(next))
      failAt(body, body.indexOf(key), `"${key}" is not a table, so our entry cannot go in it`);
    current = next;
  }
  return (current as Record<string, unknown>)[edit.name];
}

interface Header {
  path: string[];
  /** Offset of the start of the header's line. */
  at: number;
}

/** Parse the dotted key of a header line starting after its brackets; undefined when unreadable. */
function headerPath(line: string, from: number): string[] | undefined {
  const path: string[] = [];
  let i = from;
  for (;;) {
    while (line[i] === " " || line[i] === "\t") i++;
    const c = line[i];
    if (c === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === "\\" ? 2 : 1;
      const raw = line.slice(i, j + 1);
      try {
        path.push(
          JSON.parse(
            raw.replace(/\\U([0-9a-fA-F]{8})/g, (_, h: string) =>
              String.fromCodePoint(Number.parseInt(h, 16)),
            ),
          ),
        );
      } catch {
        path.push(raw);
      }
      i = j + 1;
    } else if (c === "'") {
      const j = line.indexOf("'", i + 1);
      if (j < 0) return undefined;
      path.push(line.slice(i + 1, j));
      i = j + 1;
    } else {
      const m = /^[A-Za-z0-9_-]+/.exec(line.slice(i));
      if (!m) return undefined;
      path.push(m[0]);
      i += m[0].length;
    }
    while (line[i] === " " || line[i] === "\t") i++;
    if (line[i] === ".") {
      i++;
      continue;
    }
    return line[i] === "]" ? path : undefined;
  }
}

/** Table headers of the document, skipping text inside strings and multi-line values. */
function headers(body: string): Header[] {
  const out: Header[] = [];
  let depth = 0;
  let multi: string | null = null;
  let offset = 0;
  for (const line of body.split("\n")) {
    const at = offset;
    offset += line.length + 1;
    let i = 0;
    if (multi === null && depth === 0) {
      const lead = /^[ \t]*/.exec(line)?.[0].length ?? 0;
      if (line[lead] === "[") {
        const array = line[lead + 1] === "[";
        const path = headerPath(line, lead + (array ? 2 : 1));
        if (path) out.push({ path, at });
        continue;
      }
    }
    while (i < line.length) {
      if (multi !== null) {
        const close = line.indexOf(multi, i);
        if (close < 0) break;
        i = close + 3;
        while (line[i] === multi[0]) i++;
        multi = null;
        continue;
      }
      const c = line[i];
      if (c === "#") break;
      if (c === '"' || c === "'") {
        const triple = c.repeat(3);
        if (line.startsWith(triple, i)) {
          multi = triple;
          i += 3;
          continue;
        }
        let j = i + 1;
        while (j < line.length && line[j] !== c) j += c === '"' && line[j] === "\\" ? 2 : 1;
        i = j + 1;
        continue;
      }
      if (c === "[" || c === "{") depth++;
      else if (c === "]" || c === "}") depth = Math.max(0, depth - 1);
      i++;
    }
  }
  return out;
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => path[i] === k);
}

interface Region {
  from: number;
  /** End of the region's last line that is neither blank nor a comment. */
  to: number;
  /** Start of the next foreign header, or the end of the text. */
  next: number;
}

/** Our table and its sub-tables, each contiguous run of them as one region. */
function regions(body: string, edit: EntryEdit): Region[] {
  const ours = [...edit.keyPath, edit.name];
  const hs = headers(body);
  const out: Region[] = [];
  for (let k = 0; k < hs.length; k++) {
    const h = hs[k]!;
    if (!startsWith(h.path, ours)) continue;
    let end = k + 1;
    while (end < hs.length && startsWith(hs[end]!.path, ours)) end++;
    const next = end < hs.length ? hs[end]!.at : body.length;
    let to = next;
    for (;;) {
      const lineStartAt = body.lastIndexOf("\n", to - 2) + 1;
      if (lineStartAt <= h.at) break;
      if (!/^[ \t]*(#.*)?\r?\n?$/.test(body.slice(lineStartAt, to))) break;
      to = lineStartAt;
    }
    out.push({ from: h.at, to, next });
    k = end - 1;
  }
  return out;
}

function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

function tomlString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

function tomlValue(v: unknown): string {
  if (typeof v === "string") return tomlString(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(tomlValue).join(", ")}]`;
  if (isTable(v)) {
    const parts = Object.entries(v)
      .filter(([, x]) => x !== null && x !== undefined)
      .map(([k, x]) => `${tomlKey(k)} = ${tomlValue(x)}`);
    return parts.length === 0 ? "{}" : `{ ${parts.join(", ")} }`;
  }
  throw new Error(`cannot write ${String(v)} in TOML`);
}

function renderTable(edit: EntryEdit, value: unknown, eol: string): string {
  if (!isTable(value)) throw new Error("a TOML entry must be a table");
  const lines = [`[${[...edit.keyPath, edit.name].map(tomlKey).join(".")}]`];
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && v !== undefined) lines.push(`${tomlKey(k)} = ${tomlValue(v)}`);
  }
  return lines.join(eol) + eol;
}

/** Where an entry defined without its own header is, for the error message. */
function inlineError(body: string, edit: EntryEdit): never {
  const at = [edit.name, ...edit.keyPath].map((k) => body.indexOf(k)).find((i) => i >= 0) ?? 0;
  failAt(
    body,
    at,
    `"${[...edit.keyPath, edit.name].join(".")}" is written as dotted keys or an inline table; it cannot be edited safely. Rewrite it as a [${[...edit.keyPath, edit.name].map(tomlKey).join(".")}] table, or remove it`,
  );
}

function deleteRegions(body: string, found: Region[]): string {
  let out = body;
  for (const r of [...found].reverse()) {
    if (r.next === out.length) {
      const cut =
        r.from > 0 && out[r.from - 1] === "\n" ? r.from - (out[r.from - 2] === "\r" ? 2 : 1) : r.from;
      out = out.slice(0, cut);
    } else {
      const blank = /^\r?\n/.exec(out.slice(r.to))?.[0].length ?? 0;
      out = out.slice(0, r.from) + out.slice(r.to + blank);
    }
  }
  return out;
}

export function tomlRead(text: string, edit: EntryEdit): unknown {
  const body = withoutBom(text);
  return lookup(parseToml(body), body, edit);
}

export function tomlRemove(text: string, edit: EntryEdit): EditOutcome {
  return editBody(text, (body) => removeBody(body, edit));
}

function removeBody(body: string, edit: EntryEdit): EditOutcome {
  const current = lookup(parseToml(body), body, edit);
  if (current === undefined) return { status: "unchanged" };
  const found = regions(body, edit);
  if (found.length === 0) inlineError(body, edit);
  const out = deleteRegions(body, found);
  if (lookup(parseToml(out), out, edit) !== undefined) inlineError(body, edit);
  return { status: "changed", text: out };
}

export function tomlUpsert(text: string, edit: EntryEdit, value: unknown): EditOutcome {
  return editBody(text, (body) => upsertBody(body, edit, value));
}

function upsertBody(body: string, edit: EntryEdit, value: unknown): EditOutcome {
  const current = lookup(parseToml(body), body, edit);
  if (current !== undefined && deepEqual(current, value)) return { status: "unchanged" };
  const eol = detectEol(body);
  const table = renderTable(edit, value, eol);
  const found = regions(body, edit);
  let out: string;
  if (current !== undefined) {
    if (found.length === 0) inlineError(body, edit);
    const [first, ...rest] = found;
    const kept = deleteRegions(body, rest);
    out = kept.slice(0, first!.from) + table + kept.slice(first!.to);
  } else if (body === "") {
    out = table;
  } else {
    // After a final newline this leaves one blank line; without one it only ends the last line,
    // so that removal (which takes one line break before our table) restores either exactly.
    out = body + eol + table;
  }
  let check: unknown;
  try {
    check = lookup(parseToml(out), out, edit);
  } catch (e) {
    if (!(e instanceof ConfigParseError)) throw e;
    check = undefined;
  }
  if (!deepEqual(check, value)) {
    const where = edit.keyPath[0] ?? edit.name;
    failAt(
      body,
      body.indexOf(where),
      `"${edit.keyPath.join(".")}" is defined in a way (inline table or dotted keys) that a [${[...edit.keyPath, edit.name].map(tomlKey).join(".")}] table cannot be added to safely`,
    );
  }
  return { status: "changed", text: out };
}
