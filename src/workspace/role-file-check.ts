import {
  type Document,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
  type YAMLError,
} from "yaml";
import type { core as zcore } from "zod";
import { type RoleFileEntry, RoleFileEntrySchema, RoleNameSchema } from "../core/roles/role.ts";

/** One problem in one role file; `line`/`column` are 1-based, null when the whole file is at fault. */
export interface RoleFileError {
  readonly file: string;
  readonly line: number | null;
  readonly column: number | null;
  readonly message: string;
}

/** The block the Python MCP Task Orchestrator's role files carry besides the roles themselves. */
const UPSTREAM_ORCHESTRATOR_KEY = "task_orchestrator";

/** What each role field must hold, in words; keyed by the schema's fields so none is forgotten. */
const FIELD_EXPECTATIONS: Readonly<Record<keyof RoleFileEntry, string>> = {
  summary: "a string (one line)",
  role_definition: "a string (use | for several lines)",
  expertise: 'a list of strings (one "- item" per line)',
  approach: 'a list of strings (one "- item" per line)',
  output_format: "a string (use | for several lines)",
};

const FIELD_NAMES = Object.keys(RoleFileEntrySchema.shape).join(", ");

export interface CheckedFile {
  readonly entries: Record<string, RoleFileEntry>;
  readonly errors: RoleFileError[];
}

/**
 * Parses one role file and validates every role in it, collecting errors located by line and
 * column and worded as what was expected, since people write these files by hand.
 */
export function checkRoleFile(file: string, text: string): CheckedFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const errorAt = (offset: number | null, what: string): RoleFileError => {
    if (offset === null) return { file, line: null, column: null, message: `${file}: ${what}` };
    // Errors at the very end of the file point at its last character rather than a blank line past it.
    const end = Math.max(0, text.trimEnd().length - 1);
    const pos = lineCounter.linePos(Math.min(offset, end));
    return { file, line: pos.line, column: pos.col, message: `${file} line ${pos.line}: ${what}` };
  };

  if (doc.errors.length > 0) return { entries: {}, errors: syntaxErrors(doc, doc.errors, errorAt) };

  const entries: Record<string, RoleFileEntry> = {};
  const errors: RoleFileError[] = [];
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) return { entries, errors };
  if (!isMap(contents)) {
    errors.push(
      errorAt(
        start(contents),
        `the file must be a mapping of role names to role fields (e.g. "security_auditor:" with indented fields below it), found ${describe(toJS(doc, contents))}`,
      ),
    );
    return { entries, errors };
  }

  const upstreamSummaries = new Map<string, string>();
  for (const pair of contents.items) {
    const key = pair.key;
    const keyOffset = isNode(key) ? start(key) : null;
    if (!isScalar(key) || typeof key.value !== "string") {
      const what = isScalar(key)
        ? `role name ${JSON.stringify(String(key.source ?? key.value))} is read by YAML as ${describe(key.value)}, not text`
        : "a role name must be plain text, not a list or mapping";
      errors.push(
        errorAt(
          keyOffset,
          `${what}; expected a name such as security_auditor (lower-case letters, digits, '_' or '-', starting with a letter), quoted if YAML would read it otherwise`,
        ),
      );
      continue;
    }
    const name = key.value;
    if (name === UPSTREAM_ORCHESTRATOR_KEY) {
      // The Python MCP Task Orchestrator's files start with this block; its one-line role
      // descriptions become summaries below, the rest describes that server and is not a role.
      const block = isNode(pair.value) ? toJS(doc, pair.value) : null;
      const described = (block as { specialist_roles?: unknown } | null)?.specialist_roles;
      if (described && typeof described === "object")
        for (const [role, line] of Object.entries(described as Record<string, unknown>))
          if (typeof line === "string") upstreamSummaries.set(role, line);
      continue;
    }
    const nameCheck = RoleNameSchema.safeParse(name);
    if (!nameCheck.success) {
      errors.push(
        errorAt(
          keyOffset,
          `role name ${JSON.stringify(name)} is invalid: ${nameCheck.error.issues[0]?.message ?? "bad role name"}`,
        ),
      );
      continue;
    }
    const valueNode = isNode(pair.value) ? pair.value : null;
    const value = valueNode === null ? null : toJS(doc, valueNode);
    const parsed = RoleFileEntrySchema.safeParse(value);
    if (parsed.success) {
      entries[name] = parsed.data;
      continue;
    }
    for (const issue of parsed.error.issues) {
      for (const [offset, what] of explainIssue(doc, name, keyOffset, valueNode, value, issue)) {
        errors.push(errorAt(offset, what));
      }
    }
  }
  for (const [role, summary] of upstreamSummaries) {
    const entry = entries[role];
    if (entry && entry.summary === undefined) entries[role] = { ...entry, summary };
  }
  return { entries, errors };
}

/** Turns YAML syntax errors into located, explained errors (one per line: later ones are usually echoes). */
function syntaxErrors(
  doc: Document,
  yamlErrors: readonly YAMLError[],
  errorAt: (offset: number | null, what: string) => RoleFileError,
): RoleFileError[] {
  const out: RoleFileError[] = [];
  const seenLines = new Set<number | null>();
  for (const err of yamlErrors) {
    let offset = err.pos[0];
    let what: string;
    const quote = err.code === "MISSING_CHAR" ? /closing (["'])quote/.exec(err.message)?.[1] : undefined;
    if (quote !== undefined) {
      offset = openingQuoteOffset(doc, offset) ?? offset;
      what = `invalid YAML: a ${quote === '"' ? "double" : "single"}-quoted string starting on this line is never closed; expected a closing ${quote} at the end of the value`;
    } else {
      what = `invalid YAML: ${err.message}; ${SYNTAX_HINTS[err.code] ?? DEFAULT_SYNTAX_HINT}`;
    }
    const located = errorAt(offset, what);
    if (seenLines.has(located.line)) continue;
    seenLines.add(located.line);
    out.push(located);
  }
  return out;
}

const DEFAULT_SYNTAX_HINT =
  "expected valid YAML: role names at the start of the line, each followed by its fields indented with spaces";

const SYNTAX_HINTS: Partial<Record<YAMLError["code"], string>> = {
  BAD_INDENT:
    "expected the fields of a role (and the items of a list) to be indented by the same number of spaces",
  TAB_AS_INDENT: "expected spaces for indentation; tabs are not allowed",
  BLOCK_AS_IMPLICIT_KEY:
    "a line is probably indented deeper than the field above it; expected sibling fields at the same indentation, and multi-line text written with |",
  MULTILINE_IMPLICIT_KEY:
    "a line is probably indented deeper than the field above it, or a key runs onto the next line; expected each 'field: value' on one line",
  DUPLICATE_KEY: "expected each role name, and each field within a role, to appear only once in a file",
  MULTIPLE_DOCS: "expected a single YAML document per file (remove the second '---' or split the file)",
  BAD_DQ_ESCAPE:
    'expected only valid escapes (\\n, \\t, \\", \\\\) in double-quoted strings, or use single quotes',
};

/** Where the unterminated quoted string that runs into `errorOffset` begins. */
function openingQuoteOffset(doc: Document, errorOffset: number): number | null {
  let best: number | null = null;
  visit(doc, {
    Scalar(_key, node) {
      if (node.type !== "QUOTE_DOUBLE" && node.type !== "QUOTE_SINGLE") return;
      const range = node.range;
      if (range === undefined || range === null) return;
      const contains = range[0] < errorOffset && errorOffset <= range[2];
      if (contains && (best === null || range[0] > best)) best = range[0];
    },
  });
  return best;
}

/** Explains one schema issue for role `role`, each explanation with the offset it is about. */
function explainIssue(
  doc: Document,
  role: string,
  keyOffset: number | null,
  valueNode: Node | null,
  value: unknown,
  issue: zcore.$ZodIssue,
): [number | null, string][] {
  const path = issue.path;
  if (issue.code === "unrecognized_keys" && path.length === 0) {
    return issue.keys.map((field) => [
      start(fieldPair(doc, valueNode, field)?.key) ?? keyOffset,
      `${role} has an unknown field ${JSON.stringify(field)}; expected only ${FIELD_NAMES}`,
    ]);
  }
  if (path.length === 0) {
    if (value === null) {
      return [
        [
          keyOffset,
          `${role} has no fields; expected a mapping with indented fields below it, any of ${FIELD_NAMES}`,
        ],
      ];
    }
    return [
      [
        start(valueNode) ?? keyOffset,
        `${role} must be a mapping of role fields (any of ${FIELD_NAMES}), found ${describe(value)}`,
      ],
    ];
  }
  const field = String(path[0]);
  const pair = fieldPair(doc, valueNode, field);
  const fieldOffset = start(pair?.key) ?? start(valueNode) ?? keyOffset;
  const fieldValue = isRecord(value) ? value[field] : undefined;
  const expected = field in FIELD_EXPECTATIONS ? FIELD_EXPECTATIONS[field as keyof RoleFileEntry] : null;
  if (path.length === 1 && expected !== null) {
    return [[fieldOffset, `${role}.${field} must be ${expected}, found ${describe(fieldValue)}`]];
  }
  const index = path[1];
  if (path.length === 2 && typeof index === "number" && Array.isArray(fieldValue)) {
    let seq = pair?.value ?? null;
    if (isAlias(seq)) seq = seq.resolve(doc) ?? null;
    const item = isSeq(seq) ? seq.items[index] : undefined;
    return [
      [
        (isNode(item) ? start(item) : null) ?? fieldOffset,
        `${role}.${field} must be ${expected ?? "a list of strings"}, but item ${index + 1} is ${describe(fieldValue[index])}`,
      ],
    ];
  }
  return [[fieldOffset, `${role}.${path.map(String).join(".")}: ${issue.message}`]];
}

/** The `field: value` pair of a role's mapping node (following an alias), if present. */
function fieldPair(
  doc: Document,
  valueNode: Node | null,
  field: string,
): { key: unknown; value: unknown } | undefined {
  let node: unknown = valueNode;
  if (isAlias(node)) node = node.resolve(doc);
  if (!isMap(node)) return undefined;
  return node.items.find((p) => isScalar(p.key) && p.key.value === field);
}

/** Start offset of a parsed node, or null. */
function start(node: unknown): number | null {
  if (!isNode(node)) return null;
  return node.range?.[0] ?? null;
}

/** The plain value of a node; null when it cannot be built (e.g. too many aliases). */
function toJS(doc: Document, node: Node): unknown {
  try {
    return node.toJS(doc);
  } catch {
    return null;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A short name for what a value is, for "found ..." in messages. */
function describe(v: unknown): string {
  if (v === null || v === undefined) return "an empty value";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "string") return "a string";
  if (typeof v === "number") return "a number";
  if (typeof v === "boolean") return `${v} (a boolean)`;
  if (typeof v === "object") return "a mapping";
  return `a ${typeof v}`;
}
