/**
 * YAML edits. The yaml library parses (errors, comments, node offsets) but never prints:
 * Document#toString re-indents, re-quotes and re-flows the whole file, so our entry is spliced in
 * as text next to the nodes the parser located, and every other byte is left alone.
 *
 * Guarantees:
 * - Bytes outside our entry (and outside containers the upsert had to create) are untouched,
 *   comments included.
 * - remove(upsert(T)) === T for any T that parses and lacks our entry. Removal deletes a block
 *   container that it leaves empty only when the container is in the shape an upsert creates
 *   (a bare `key:` line directly followed by its single child, one indent step deeper). When a
 *   pre-existing empty `key:` would look exactly like that, the entry is indented two steps
 *   instead, so the two stay distinguishable; each upsert checks its candidate against removal.
 * - Block containers get block entries; flow containers (`{}`, `[]`) get a JSON (flow) entry.
 * - The indent step is that of the file before our keys (default two spaces), never of our lines.
 */
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  parseDocument,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import { ConfigParseError, type EditOutcome, type EntryEdit } from "../types.ts";
import { deepEqual, detectEol, editBody, failAt, withoutBom } from "./_text.ts";

type Collection = YAMLMap | YAMLSeq;

function parse(body: string) {
  const doc = parseDocument(body, { uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    const message = (err.message.split("\n")[0] ?? err.message).replace(/ at line \d+, column \d+:?$/, "");
    throw new ConfigParseError(message, pos?.line ?? 1, pos?.col ?? 1);
  }
  return doc;
}

function start(node: unknown): number {
  return (node as Node).range?.[0] ?? 0;
}

/** Where the last value inside `node` ends (comments after it excluded). */
function valueEnd(node: unknown): number {
  if (isPair(node)) return node.value ? valueEnd(node.value) : ((node.key as Node).range?.[1] ?? 0);
  if ((isMap(node) || isSeq(node)) && !node.flow) {
    const last = node.items[node.items.length - 1];
    if (last !== undefined) return valueEnd(last);
  }
  return (node as Node).range?.[1] ?? 0;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** Offset just past the line break ending the line that holds `offset` (or the end of text). */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  return nl < 0 ? text.length : nl + 1;
}

function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

function indentStep(prefix: string): number {
  const m = /^( +)\S/m.exec(prefix);
  return m?.[1]?.length ?? 2;
}

const RESERVED = /^(?:true|false|null|yes|no|on|off|y|n|~)$/i;

function scalar(value: unknown): string {
  if (typeof value === "string") {
    return /^[A-Za-z_/][\w./@+-]*$/.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value);
  }
  if (value === null || value === undefined) return "null";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function isLeaf(value: unknown): boolean {
  if (value === null || typeof value !== "object") return true;
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function pairLines(key: string, value: unknown, col: number, step: number): string[] {
  const head = `${" ".repeat(col)}${scalar(key)}:`;
  if (isLeaf(value)) return [`${head} ${scalar(value)}`];
  if (Array.isArray(value)) {
    return [head, ...value.flatMap((v) => itemLines(v, col + step, step))];
  }
  return [head, ...Object.entries(value as object).flatMap(([k, v]) => pairLines(k, v, col + step, step))];
}

function itemLines(value: unknown, col: number, step: number): string[] {
  if (isLeaf(value) || Array.isArray(value)) return [`${" ".repeat(col)}- ${scalar(value)}`];
  const lines = Object.entries(value as object).flatMap(([k, v]) => pairLines(k, v, col + 2, step));
  lines[0] = `${" ".repeat(col)}- ${lines[0]!.slice(col + 2)}`;
  return lines;
}

function keyOf(node: unknown): unknown {
  return isPair(node) && isScalar(node.key) ? node.key.value : undefined;
}

function itemName(item: unknown): unknown {
  if (!isMap(item)) return undefined;
  const p = item.items.find((it) => keyOf(it) === "name");
  return p && isScalar(p.value) ? p.value.value : undefined;
}

function isBareNull(node: unknown): boolean {
  if (node === null || node === undefined) return true;
  return isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1];
}

interface Walk {
  doc: ReturnType<typeof parseDocument>;
  /** Pairs found for keyPath[0..]. */
  pairs: Pair[];
  /** The collection holding our entry when the whole keyPath exists with a collection. */
  container?: Collection;
  /** The root map (undefined for an empty document). */
  root?: YAMLMap;
}

function walk(body: string, edit: EntryEdit): Walk {
  const doc = parse(body);
  const contents = doc.contents;
  if (!isBareNull(contents) && !isMap(contents))
    failAt(body, start(contents), "the document's top level is not a mapping");
  if (edit.keyPath.length === 0) throw new Error("a YAML entry needs a non-empty keyPath");
  const w: Walk = { doc, pairs: [] };
  if (!isMap(contents)) return w;
  w.root = contents;
  let current: YAMLMap = contents;
  for (let i = 0; i < edit.keyPath.length; i++) {
    const key = edit.keyPath[i]!;
    const pair = current.items.find((it) => keyOf(it) === key);
    if (!pair) return w;
    w.pairs.push(pair);
    const v = pair.value;
    if (isBareNull(v)) return w;
    const last = i === edit.keyPath.length - 1;
    if (last && edit.container === "list") {
      if (!isSeq(v)) failAt(body, start(v), `"${key}" is not a list, so our entry cannot go in it`);
      w.container = v;
      return w;
    }
    if (!isMap(v)) failAt(body, start(v), `"${key}" is not a mapping, so our entry cannot go in it`);
    if (last) w.container = v;
    current = v;
  }
  return w;
}

function findEntry(container: Collection, edit: EntryEdit): unknown {
  if (isSeq(container)) return container.items.find((it) => itemName(it) === edit.name);
  return container.items.find((it) => keyOf(it) === edit.name);
}

/** First offset of an entry's first line token: the key, or a list item's dash. */
function entryHead(body: string, entry: unknown): number {
  if (isPair(entry)) return start(entry.key);
  let i = start(entry);
  while (i > 0 && /\s/.test(body[i - 1]!)) i--;
  return body[i - 1] === "-" ? i - 1 : start(entry);
}

/** Delete whole lines [from, to); at the end of a file without a final newline, the break before goes. */
function deleteLines(body: string, from: number, to: number): string {
  if (to === body.length && !body.endsWith("\n") && from > 0) {
    const cut = body[from - 2] === "\r" ? from - 2 : from - 1;
    return body.slice(0, cut) + body.slice(to);
  }
  return body.slice(0, from) + body.slice(to);
}

function insertLines(body: string, at: number, lines: string[], eol: string): string {
  if (at === body.length && body !== "" && !body.endsWith("\n")) return body + eol + lines.join(eol);
  return body.slice(0, at) + lines.join(eol) + eol + body.slice(at);
}

function flowInsert(body: string, node: Collection, json: string): string {
  const last = node.items[node.items.length - 1];
  if (last === undefined) {
    const open = start(node) + 1;
    return body.slice(0, open) + json + body.slice(open);
  }
  const end = valueEnd(last);
  return `${body.slice(0, end)}, ${json}${body.slice(end)}`;
}

function flowDelete(body: string, node: Collection, entry: unknown): string {
  const items = node.items as unknown[];
  const i = items.indexOf(entry);
  const from = isPair(entry) ? start(entry.key) : start(entry);
  const to = valueEnd(entry);
  const prev = items[i - 1];
  const next = items[i + 1];
  if (prev !== undefined) return body.slice(0, valueEnd(prev)) + body.slice(to);
  if (next !== undefined)
    return body.slice(0, from) + body.slice(isPair(next) ? start(next.key) : start(next));
  return body.slice(0, from) + body.slice(to);
}

function flowJson(edit: EntryEdit, container: Collection, value: unknown): string {
  return isSeq(container) ? JSON.stringify(value) : `${JSON.stringify(edit.name)}: ${JSON.stringify(value)}`;
}

function removeBody(body: string, edit: EntryEdit): string | undefined {
  const w = walk(body, edit);
  if (!w.container) return undefined;
  const entry = findEntry(w.container, edit);
  if (entry === undefined) return undefined;
  if (w.container.flow) return flowDelete(body, w.container, entry);
  let from = lineStart(body, entryHead(body, entry));
  const to = lineEnd(body, Math.max(valueEnd(entry) - 1, entryHead(body, entry)));
  const first = w.pairs[0];
  const step = first ? indentStep(body.slice(0, lineStart(body, start(first.key)))) : 2;
  let childCol = column(body, entryHead(body, entry));
  for (let i = w.pairs.length - 1; i >= 0; i--) {
    const pair = w.pairs[i]!;
    const value = pair.value as Collection;
    if (value.flow || value.items.length !== 1) break;
    const keyStart = start(pair.key);
    const keyLine = lineStart(body, keyStart);
    const keyLineEnd = lineEnd(body, keyStart);
    const keyCol = keyStart - keyLine;
    const bare = `${" ".repeat(keyCol)}${scalar(edit.keyPath[i])}:`;
    if (body.slice(keyLine, keyLineEnd).replace(/\r?\n$/, "") !== bare) break;
    if (keyLineEnd !== from || childCol - keyCol !== step) break;
    from = keyLine;
    childCol = keyCol;
  }
  return deleteLines(body, from, to);
}

export function yamlRead(text: string, edit: EntryEdit): unknown {
  const body = withoutBom(text);
  const w = walk(body, edit);
  if (!w.container) return undefined;
  const entry = findEntry(w.container, edit);
  if (entry === undefined) return undefined;
  return entryValue(w, entry);
}

function entryValue(w: Walk, entry: unknown): unknown {
  const node = isPair(entry) ? entry.value : entry;
  return node === null || node === undefined ? null : (node as Node).toJS(w.doc);
}

export function yamlRemove(text: string, edit: EntryEdit): EditOutcome {
  return editBody(text, (body) => {
    const out = removeBody(body, edit);
    return out === undefined ? { status: "unchanged" } : { status: "changed", text: out };
  });
}

export function yamlUpsert(text: string, edit: EntryEdit, value: unknown): EditOutcome {
  return editBody(text, (body) => upsertBody(body, edit, value));
}

function upsertBody(body: string, edit: EntryEdit, value: unknown): EditOutcome {
  const eol = detectEol(body);
  const w = walk(body, edit);
  const list = edit.container === "list";
  const existing = w.container ? findEntry(w.container, edit) : undefined;

  if (w.container && existing !== undefined) {
    if (deepEqual(entryValue(w, existing), value)) {
      return { status: "unchanged" };
    }
    if (w.container.flow) {
      const from = isPair(existing) ? start(existing.key) : start(existing);
      const out = body.slice(0, from) + flowJson(edit, w.container, value) + body.slice(valueEnd(existing));
      return { status: "changed", text: out };
    }
    const head = entryHead(body, existing);
    const from = lineStart(body, head);
    const to = lineEnd(body, Math.max(valueEnd(existing) - 1, head));
    const first = w.pairs[0];
    const step = first ? indentStep(body.slice(0, lineStart(body, start(first.key)))) : 2;
    const col = column(body, head);
    const lines = list ? itemLines(value, col, step) : pairLines(edit.name, value, col, step);
    const tail = to === body.length && !body.endsWith("\n") ? "" : eol;
    return { status: "changed", text: body.slice(0, from) + lines.join(eol) + tail + body.slice(to) };
  }

  // What to insert, and where: `nested` goes under `key` (or as a list item when key is undefined).
  const depth = w.container ? edit.keyPath.length : w.pairs.length;
  let nested: unknown = list ? [value] : { [edit.name]: value };
  for (let i = edit.keyPath.length - 1; i > depth; i--) nested = { [edit.keyPath[i]!]: nested };
  const candidates: string[] = [];

  if (w.container) {
    const c = w.container;
    if (c.flow) {
      candidates.push(flowInsert(body, c, flowJson(edit, c, value)));
    } else {
      const at = lineEnd(body, Math.max(valueEnd(c) - 1, 0));
      const col = column(body, entryHead(body, c.items[0]));
      const step = indentStep(body.slice(0, lineStart(body, start(w.pairs[0]!.key))));
      candidates.push(
        insertLines(
          body,
          at,
          list ? itemLines(value, col, step) : pairLines(edit.name, value, col, step),
          eol,
        ),
      );
    }
  } else if (w.pairs.length > 0 && w.pairs.length === depth && isBareNull(w.pairs[depth - 1]!.value)) {
    // keyPath[depth - 1] exists with no value: our content goes on the lines after its key.
    const pair = w.pairs[depth - 1]!;
    const at = lineEnd(body, start(pair.key));
    const keyCol = column(body, start(pair.key));
    const step = indentStep(body.slice(0, lineStart(body, start(w.pairs[0]!.key))));
    for (const shift of [step, 2 * step]) {
      const col = keyCol + shift;
      const lines =
        depth === edit.keyPath.length
          ? list
            ? itemLines(value, col, step)
            : pairLines(edit.name, value, col, step)
          : pairLines(edit.keyPath[depth]!, nested, col, step);
      candidates.push(insertLines(body, at, lines, eol));
    }
  } else {
    // keyPath[depth] is missing from the map found so far (or the document is empty).
    const parent = depth === 0 ? w.root : (w.pairs[depth - 1]!.value as YAMLMap);
    const key = edit.keyPath[depth]!;
    if (parent?.flow) {
      candidates.push(flowInsert(body, parent, `${JSON.stringify(key)}: ${JSON.stringify(nested)}`));
    } else {
      const at = parent ? lineEnd(body, Math.max(valueEnd(parent) - 1, 0)) : body.length;
      const col = parent ? column(body, entryHead(body, parent.items[0])) : 0;
      const prefixEnd = depth === 0 ? at : lineStart(body, start(w.pairs[0]!.key));
      const step = indentStep(body.slice(0, prefixEnd));
      candidates.push(insertLines(body, at, pairLines(key, nested, col, step), eol));
    }
  }

  let readable: string | undefined;
  for (const c of candidates) {
    try {
      if (!deepEqual(yamlRead(c, edit), value)) continue;
      readable ??= c;
      if (removeBody(c, edit) === body) return { status: "changed", text: c };
    } catch (e) {
      if (!(e instanceof ConfigParseError)) throw e;
    }
  }
  if (readable !== undefined) return { status: "changed", text: readable };
  throw new ConfigParseError(
    "our entry cannot be added to this file without rewriting other parts of it",
    1,
    1,
  );
}
