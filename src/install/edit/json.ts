/**
 * JSON / JSONC edits by splicing text next to nodes of jsonc-parser's tree. jsonc-parser's own
 * `modify` reformats the lines it touches, which would change bytes outside our entry, so the
 * splices here are written by hand and every insertion has an exact inverse in `jsonRemove`.
 *
 * Round trip: for any text T that parses and lacks our entry, jsonRemove(jsonUpsert(T)) === T.
 * Removal deletes a container that became empty only when its shape says we created it (the
 * pretty `{ EOL entry EOL }` form). A pre-existing empty `{}` that would look identical after the
 * insert gets the entry with its closing brace on the entry's last line instead, so the two
 * cases stay distinguishable; each upsert checks its own candidate against jsonRemove.
 */
import { createScanner, type Node, type ParseError, parseTree, printParseErrorCode } from "jsonc-parser";
import type { EditOutcome, EntryEdit } from "../types.ts";
import { deepEqual, detectEol, editBody, failAt, withoutBom } from "./_text.ts";

// jsonc-parser's SyntaxKind is an ambient const enum, unusable under verbatimModuleSyntax.
const COMMA = 5;
const LINE_COMMENT = 12;
const BLOCK_COMMENT = 13;
const LINE_BREAK = 14;
const TRIVIA = 15;

const FRIENDLY: Record<string, string> = {
  InvalidSymbol: "unexpected character",
  InvalidNumberFormat: "invalid number",
  PropertyNameExpected: "expected a property name",
  ValueExpected: "expected a value",
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: "unexpected content after the end of the document",
  InvalidCommentToken: "invalid comment",
  UnexpectedEndOfComment: "unterminated comment",
  UnexpectedEndOfString: "unterminated string",
  UnexpectedEndOfNumber: "unterminated number",
  InvalidUnicode: "invalid unicode escape",
  InvalidEscapeCharacter: "invalid escape character",
  InvalidCharacter: "invalid character in string",
};

/** The indentation unit of the file: that of its first indented line, else two spaces. */
export function detectIndentUnit(text: string): string {
  const m = /^([ \t]+)\S/m.exec(text);
  const lead = m?.[1];
  if (!lead) return "  ";
  if (lead.startsWith("\t")) return "\t";
  return " ".repeat(Math.min(lead.length, 8));
}

function lineIndentAt(text: string, offset: number): string {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))?.[0] ?? "";
}

interface Style {
  unit: string;
  eol: string;
}

function render(value: unknown, indent: string, style: Style): string {
  return JSON.stringify(value, null, style.unit).replaceAll("\n", style.eol + indent);
}

function parse(body: string): Node | undefined {
  const errors: ParseError[] = [];
  const root = parseTree(body, errors, {
    allowTrailingComma: true,
    disallowComments: false,
    allowEmptyContent: true,
  });
  const first = errors[0];
  if (first) {
    const code = printParseErrorCode(first.error);
    failAt(body, first.offset, FRIENDLY[code] ?? code);
  }
  return root;
}

function propKey(prop: Node): unknown {
  return prop.children?.[0]?.value;
}

/** The last property named `key` (JSON.parse semantics: the last duplicate wins). */
function findProp(obj: Node, key: string): Node | undefined {
  const props = obj.children ?? [];
  for (let i = props.length - 1; i >= 0; i--) {
    const p = props[i];
    if (p && propKey(p) === key) return p;
  }
  return undefined;
}

interface Walk {
  /** Objects from the root down to the deepest one found on keyPath. */
  objects: Node[];
  /** True when every key of keyPath exists. */
  complete: boolean;
}

function walk(body: string, root: Node | undefined, keyPath: readonly string[]): Walk | undefined {
  if (!root) return undefined;
  if (root.type !== "object") failAt(body, root.offset, "the document's top level is not an object");
  const objects = [root];
  let current = root;
  for (const key of keyPath) {
    const prop = findProp(current, key);
    const value = prop?.children?.[1];
    if (!value) return { objects, complete: false };
    if (value.type !== "object")
      failAt(body, value.offset, `"${key}" is not an object, so our entry cannot go in it`);
    objects.push(value);
    current = value;
  }
  return { objects, complete: true };
}

function nodeValue(node: Node): unknown {
  switch (node.type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const p of node.children ?? []) {
        const k = propKey(p);
        const v = p.children?.[1];
        if (typeof k === "string" && v) out[k] = nodeValue(v);
      }
      return out;
    }
    case "array":
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

function splice(text: string, edits: { at: number; del: number; ins: string }[]): string {
  let out = text;
  for (const e of [...edits].sort((x, y) => y.at - x.at)) {
    out = out.slice(0, e.at) + e.ins + out.slice(e.at + e.del);
  }
  return out;
}

/** Offset of a comma that is the next token after `from`, skipping whitespace and comments. */
function commaAfter(text: string, from: number): number | undefined {
  const s = createScanner(text, false);
  s.setPosition(from);
  for (;;) {
    const k = s.scan();
    if (k === TRIVIA || k === LINE_BREAK || k === LINE_COMMENT || k === BLOCK_COMMENT) continue;
    return k === COMMA ? s.getTokenOffset() : undefined;
  }
}

/** Where the line of `from` ends when only whitespace and comments follow on it, else undefined. */
function quietLineEnd(text: string, from: number): number | undefined {
  const s = createScanner(text, false);
  s.setPosition(from);
  for (;;) {
    const k = s.scan();
    if (k === LINE_BREAK) return s.getTokenOffset();
    if (k === TRIVIA || k === LINE_COMMENT) continue;
    if (k === BLOCK_COMMENT) {
      const t = text.slice(s.getTokenOffset(), s.getTokenOffset() + s.getTokenLength());
      if (t.includes("\n")) return undefined;
      continue;
    }
    return undefined;
  }
}

/** End offset of the last comment inside [from, to), if any. */
function lastCommentEnd(text: string, from: number, to: number): number | undefined {
  const s = createScanner(text.slice(0, to), false);
  s.setPosition(from);
  let end: number | undefined;
  for (;;) {
    const k = s.scan();
    if (k === LINE_COMMENT || k === BLOCK_COMMENT) end = s.getTokenOffset() + s.getTokenLength();
    else if (k !== TRIVIA && k !== LINE_BREAK) return end;
  }
}

/**
 * Insert `"key": value` as the last property of `obj`. `tight` puts an empty object's closing
 * brace right after the new property, the marker that keeps the object on removal.
 */
function insertProp(
  body: string,
  obj: Node,
  key: string,
  value: unknown,
  style: Style,
  tight: boolean,
): string {
  const indentObj = lineIndentAt(body, obj.offset);
  const indent = indentObj + style.unit;
  const prop = `${JSON.stringify(key)}: ${render(value, indent, style)}`;
  const props = obj.children ?? [];
  const last = props[props.length - 1];
  if (last) {
    const lastEnd = last.offset + last.length;
    const trailing = commaAfter(body, lastEnd);
    const q = trailing === undefined ? lastEnd : trailing + 1;
    const at = quietLineEnd(body, q) ?? q;
    const edits = [{ at, del: 0, ins: style.eol + indent + prop + (trailing === undefined ? "" : ",") }];
    if (trailing === undefined) edits.push({ at: lastEnd, del: 0, ins: "," });
    return splice(body, edits);
  }
  const open = obj.offset + 1;
  const close = obj.offset + obj.length - 1;
  if (open === close) {
    const closing = tight ? "" : style.eol + indentObj;
    return splice(body, [{ at: open, del: 0, ins: style.eol + indent + prop + closing }]);
  }
  const commentEnd = lastCommentEnd(body, open, close);
  if (commentEnd !== undefined)
    return splice(body, [{ at: commentEnd, del: 0, ins: style.eol + indent + prop }]);
  return splice(body, [{ at: open, del: 0, ins: ` ${prop}` }]);
}

/** Start of the separator before `offset`: spaces/tabs, then at most one line break. */
function separatorStart(text: string, offset: number): { start: number; hadEol: boolean } {
  let i = offset;
  while (i > 0 && (text[i - 1] === " " || text[i - 1] === "\t")) i--;
  if (text[i - 1] === "\n") {
    i--;
    if (text[i - 1] === "\r") i--;
    return { start: i, hadEol: true };
  }
  return { start: i, hadEol: false };
}

/** Delete property `prop` of `obj`; `emptied` tells that the object is now `{}` in our own shape. */
function deleteProp(body: string, obj: Node, prop: Node): { text: string; emptied: boolean } {
  const props = obj.children ?? [];
  const index = props.indexOf(prop);
  const end = prop.offset + prop.length;
  const comma = commaAfter(body, end);
  const next = props[index + 1];
  if (next) {
    // Not written by us (we always append); take the property and its comma, and its line when alone on it.
    const afterComma = (comma ?? end - 1) + 1;
    const lineStart = body.lastIndexOf("\n", prop.offset - 1) + 1;
    const soloStart = /^[ \t]*$/.test(body.slice(lineStart, prop.offset));
    const rest = /^[ \t]*(\r?\n)?/.exec(body.slice(afterComma))?.[0] ?? "";
    if (soloStart && rest.endsWith("\n")) {
      return {
        text: splice(body, [{ at: lineStart, del: afterComma + rest.length - lineStart, ins: "" }]),
        emptied: false,
      };
    }
    const spaces = /^[ \t]*/.exec(body.slice(afterComma))?.[0].length ?? 0;
    return {
      text: splice(body, [{ at: prop.offset, del: afterComma + spaces - prop.offset, ins: "" }]),
      emptied: false,
    };
  }
  const sep = separatorStart(body, prop.offset);
  const prev = props[index - 1];
  if (prev) {
    if (comma !== undefined)
      return { text: splice(body, [{ at: sep.start, del: comma + 1 - sep.start, ins: "" }]), emptied: false };
    const prevComma = commaAfter(body, prev.offset + prev.length);
    const edits = [{ at: sep.start, del: end - sep.start, ins: "" }];
    if (prevComma !== undefined) edits.push({ at: prevComma, del: 1, ins: "" });
    return { text: splice(body, edits), emptied: false };
  }
  const stop = comma === undefined ? end : comma + 1;
  const open = obj.offset + 1;
  const close = obj.offset + obj.length - 1;
  if (sep.start === open && sep.hadEol && /^\r?\n[ \t]*$/.test(body.slice(stop, close))) {
    return { text: splice(body, [{ at: open, del: close - open, ins: "" }]), emptied: true };
  }
  return { text: splice(body, [{ at: sep.start, del: stop - sep.start, ins: "" }]), emptied: false };
}

function removeBody(body: string, edit: EntryEdit): string | undefined {
  const w = walk(body, parse(body), edit.keyPath);
  if (!w?.complete) return undefined;
  const container = w.objects[w.objects.length - 1]!;
  const prop = findProp(container, edit.name);
  if (!prop) return undefined;
  let result = deleteProp(body, container, prop);
  let depth = edit.keyPath.length;
  while (result.emptied && depth > 0) {
    depth--;
    const again = walk(result.text, parse(result.text), edit.keyPath.slice(0, depth));
    const parent = again?.objects[depth];
    const key = edit.keyPath[depth];
    const p = parent && key !== undefined ? findProp(parent, key) : undefined;
    if (!parent || !p) break;
    result = deleteProp(result.text, parent, p);
  }
  if (result.emptied && depth === 0) {
    // The root object was emptied in our shape: it was created by an upsert into a file without one.
    const root = parse(result.text);
    if (root) {
      const after = root.offset + root.length;
      const eol = /^\r?\n/.exec(result.text.slice(after))?.[0];
      if (eol) return result.text.slice(0, root.offset) + result.text.slice(after + eol.length);
    }
  }
  return result.text;
}

export function jsonRead(text: string, edit: EntryEdit): unknown {
  assertMap(edit);
  const body = withoutBom(text);
  const w = walk(body, parse(body), edit.keyPath);
  if (!w?.complete) return undefined;
  const prop = findProp(w.objects[w.objects.length - 1]!, edit.name);
  const value = prop?.children?.[1];
  return value ? nodeValue(value) : undefined;
}

export function jsonRemove(text: string, edit: EntryEdit): EditOutcome {
  assertMap(edit);
  return editBody(text, (body) => {
    const out = removeBody(body, edit);
    return out === undefined ? { status: "unchanged" } : { status: "changed", text: out };
  });
}

export function jsonUpsert(text: string, edit: EntryEdit, value: unknown): EditOutcome {
  assertMap(edit);
  return editBody(text, (body) => upsertBody(body, edit, value));
}

function upsertBody(body: string, edit: EntryEdit, value: unknown): EditOutcome {
  const style: Style = { unit: detectIndentUnit(body), eol: detectEol(body) };
  const root = parse(body);
  const w = walk(body, root, edit.keyPath);
  if (w?.complete) {
    const container = w.objects[w.objects.length - 1]!;
    const existing = findProp(container, edit.name);
    const node = existing?.children?.[1];
    if (existing && node) {
      if (deepEqual(nodeValue(node), value)) return { status: "unchanged" };
      const indent = lineIndentAt(body, existing.offset);
      return {
        status: "changed",
        text: splice(body, [{ at: node.offset, del: node.length, ins: render(value, indent, style) }]),
      };
    }
  }
  const candidates: string[] = [];
  if (w) {
    const depth = w.objects.length - 1;
    let nested: unknown = value;
    let key = edit.name;
    for (let i = edit.keyPath.length - 1; i >= depth; i--) {
      nested = { [key]: nested };
      key = edit.keyPath[i]!;
    }
    const target = w.objects[depth]!;
    candidates.push(insertProp(body, target, key, nested, style, false));
    candidates.push(insertProp(body, target, key, nested, style, true));
  } else {
    let doc: unknown = { [edit.name]: value };
    for (const k of [...edit.keyPath].reverse()) doc = { [k]: doc };
    const rendered = render(doc, "", style);
    if (body === "" || body.endsWith("\n")) candidates.push(body + rendered + style.eol);
    candidates.push(rendered + style.eol + body);
  }
  const chosen = candidates.find((c) => removeBody(c, edit) === body) ?? candidates[0]!;
  return { status: "changed", text: chosen };
}

function assertMap(edit: EntryEdit): void {
  if (edit.container !== "map")
    throw new Error(`JSON configs hold servers in a map, not a ${edit.container}`);
}
