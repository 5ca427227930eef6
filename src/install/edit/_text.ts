/**
 * Text handling the three config editors share: a byte-order mark is kept but never parsed, new
 * lines follow the file's own line endings, and a failure names its line and column.
 */
import { ConfigParseError, type EditOutcome } from "../types.ts";

const BOM = "\uFEFF";

/** The text after a leading byte-order mark, which parsers would read as content. */
export function withoutBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(BOM.length) : text;
}

/** Runs `edit` on the text after any byte-order mark, and puts the mark back on a changed text. */
export function editBody(text: string, edit: (body: string) => EditOutcome): EditOutcome {
  const bom = text.startsWith(BOM) ? BOM : "";
  const out = edit(text.slice(bom.length));
  return out.status === "changed" ? { status: "changed", text: bom + out.text } : out;
}

/** The file's line ending: CRLF when any line has one, else LF. */
export function detectEol(text: string): string {
  return text.includes("\r\n") ? "\r\n" : "\n";
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** Throws ConfigParseError at `offset` of `text` (clamped to its start). */
export function failAt(text: string, offset: number, message: string): never {
  const { line, column } = lineColumn(text, Math.max(0, offset));
  throw new ConfigParseError(message, line, column);
}

/** Structural equality of JSON-like values (plain objects, arrays, primitives). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const rb = b as Record<string, unknown>;
  const ra = a as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && deepEqual(ra[k], rb[k]));
}
