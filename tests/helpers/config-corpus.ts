/**
 * A deterministic corpus of varied, hostile MCP client config files (JSON/JSONC, YAML, TOML):
 * unicode, comments, CRLF, tabs, BOMs, deep nesting, look-alike server names, empty files.
 * Used by the pure edit tests and by the write-pipeline corpus test.
 */
import { type ParseError, parse as parseJsonc } from "jsonc-parser";
import { parse as parseToml } from "smol-toml";
import { parseDocument } from "yaml";
import type { ConfigFormat, EntryEdit } from "../../src/install/types.ts";

const NAME = "task-orchestrator";

function edit(format: ConfigFormat, keyPath: string[], container: "map" | "list" = "map"): EntryEdit {
  return { format, keyPath, container, name: NAME };
}

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = ReturnType<typeof prng>;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: Rand, p: number): boolean => r() < p;

const ATOMS = [
  "a",
  "Zürich",
  "日本語",
  "🚀",
  'q"uote',
  "back\\slash",
  "tab\there",
  "line\nbreak",
  "# not a comment",
  "k: v",
  "[x]",
  "{y}",
  "",
  " ",
  "null",
  "true",
  "123",
  "~",
  "'",
  "é\u0301",
];
const SIMILAR = [
  "task-orchestrator-old",
  "task-orchestrator2",
  "Task-Orchestrator",
  "orchestrator",
  "task_orchestrator",
];

function str(r: Rand): string {
  let s = "";
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) s += pick(r, ATOMS);
  return s;
}

function key(r: Rand): string {
  return chance(r, 0.7)
    ? pick(r, ["model", "theme", "editor", "alpha", "beta_2", "gamma-x", "settings", "proxy"])
    : str(r) || "k";
}

function scalarValue(r: Rand): unknown {
  return pick(r, [
    () => str(r),
    () => Math.floor(r() * 1000),
    () => chance(r, 0.5),
    () => [str(r), str(r)],
  ])();
}

function tree(r: Rand, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const n = Math.floor(r() * 4);
  for (let i = 0; i < n; i++) out[key(r)] = depth > 0 && chance(r, 0.4) ? tree(r, depth - 1) : scalarValue(r);
  return out;
}

function server(r: Rand, list: boolean, name: string): Record<string, unknown> {
  const s: Record<string, unknown> = { command: str(r) || "cmd", args: [str(r), str(r)] };
  if (chance(r, 0.5)) s.env = { KEY: str(r) };
  return list ? { name, ...s } : s;
}

export interface Case {
  text: string;
  edit: EntryEdit;
  value: unknown;
}

function ourValue(r: Rand, e: EntryEdit): unknown {
  const v = { command: `/opt/${str(r)}/bin`, args: [str(r), "serve"], env: { HOME: str(r) } };
  return e.container === "list" ? { name: NAME, ...v } : v;
}

/** A document of random keys with the container absent, empty, or holding other servers. */
function docWith(r: Rand, e: EntryEdit): Record<string, unknown> {
  const doc = tree(r, 3);
  for (const k of e.keyPath) delete doc[k];
  const mode = r();
  if (mode < 0.3) return doc;
  let containerValue: unknown;
  if (e.container === "list") {
    containerValue = mode < 0.45 ? [] : SIMILAR.filter(() => chance(r, 0.5)).map((n) => server(r, true, n));
  } else {
    containerValue =
      mode < 0.45
        ? {}
        : Object.fromEntries(SIMILAR.filter(() => chance(r, 0.5)).map((n) => [n, server(r, false, n)]));
  }
  let node = doc;
  e.keyPath.forEach((k, i) => {
    if (i === e.keyPath.length - 1) node[k] = containerValue;
    else {
      const child = chance(r, 0.5) ? tree(r, 1) : {};
      for (const k2 of e.keyPath) delete child[k2];
      node[k] = child;
      node = child;
    }
  });
  return doc;
}

function finish(r: Rand, text: string): string {
  let t = text;
  if (chance(r, 0.2)) t = t.replace(/\n+$/, "");
  if (chance(r, 0.2)) t = t.replaceAll("\n", "\r\n");
  return t;
}

function jsonCase(r: Rand): Case {
  const e = pick(r, [
    edit("json", ["mcpServers"]),
    edit("jsonc", ["mcpServers"]),
    edit("jsonc", ["mcp", "servers"]),
    edit("json", ["context_servers"]),
  ]);
  const value = ourValue(r, e);
  const shape = r();
  if (shape < 0.05)
    return { text: pick(r, ["", "\n", "  \n", "// only a comment\n", "/* c */"]), edit: e, value };
  let text = JSON.stringify(docWith(r, e), null, pick(r, [0, 2, 4, "\t", 3]));
  if (e.format === "jsonc") {
    if (chance(r, 0.5))
      text = text.replace(/(\{|\[)\n/g, (m) =>
        chance(r, 0.5) ? `${m}  // ${str(r).replace(/[\n\r]/g, "")}\n` : m,
      );
    if (chance(r, 0.4)) text = text.replace(/([^{[,\s])(\n\s*[}\]])/g, "$1,$2");
    if (chance(r, 0.3)) text = `/* header ${str(r).replace(/\*\//g, "")} */\n${text}`;
    if (chance(r, 0.3)) text = text.replace(/,\n/, ", /* mid */\n");
  }
  text = finish(r, `${text}\n`);
  if (chance(r, 0.1)) text = `\uFEFF${text}`;
  return { text, edit: e, value };
}

function yamlScalar(r: Rand, v: unknown): string {
  if (typeof v === "string")
    return /^[A-Za-z][\w-]*$/.test(v) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(v) && chance(r, 0.5)
      ? v
      : JSON.stringify(v);
  return JSON.stringify(v);
}

function yamlLines(r: Rand, v: unknown, indent: number, step: number): string[] {
  const pad = " ".repeat(indent);
  const comment = () => (chance(r, 0.1) ? [`${pad}# ${str(r).replace(/[\n\r]/g, "")}`] : []);
  if (Array.isArray(v)) {
    return v.flatMap((item) => {
      if (item !== null && typeof item === "object" && !Array.isArray(item) && Object.keys(item).length > 0) {
        const inner = yamlLines(r, item, indent + 2, step).filter((l) => !l.trimStart().startsWith("#"));
        inner[0] = `${pad}- ${inner[0]!.trimStart()}`;
        return [...comment(), ...inner];
      }
      return [
        ...comment(),
        `${pad}- ${typeof item === "object" ? JSON.stringify(item) : yamlScalar(r, item)}`,
      ];
    });
  }
  return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => {
    const head = `${pad}${yamlScalar(r, k)}:`;
    const empty = x !== null && typeof x === "object" && Object.keys(x).length === 0;
    if (x === null || typeof x !== "object" || empty || chance(r, 0.1)) {
      const trail = chance(r, 0.15) ? `   # ${str(r).replace(/[\n\r]/g, "")}` : "";
      return [
        ...comment(),
        `${head} ${typeof x === "object" ? JSON.stringify(x) : yamlScalar(r, x)}${trail}`,
      ];
    }
    const seqIndent = Array.isArray(x) && chance(r, 0.4) ? indent : indent + step;
    return [...comment(), head, ...yamlLines(r, x, seqIndent, step)];
  });
}

function yamlCase(r: Rand): Case {
  const e = pick(r, [
    edit("yaml", ["extensions"]),
    edit("yaml", ["mcpServers"], "list"),
    edit("yaml", ["mcp", "servers"]),
  ]);
  const value = ourValue(r, e);
  const shape = r();
  if (shape < 0.05)
    return { text: pick(r, ["", "\n", "# only\n# comments", "---\n", "--- # doc\n"]), edit: e, value };
  const doc = docWith(r, e);
  let lines = yamlLines(r, doc, 0, pick(r, [2, 4]));
  if (chance(r, 0.15))
    lines = lines.map((l) =>
      l === `${e.keyPath[0]}: {}` || l === `${e.keyPath[0]}: []` ? `${e.keyPath[0]}:` : l,
    );
  if (chance(r, 0.2)) lines.unshift(`# ${str(r).replace(/[\n\r]/g, "")}`);
  if (chance(r, 0.2)) lines.push("# the end");
  if (chance(r, 0.1)) lines.unshift("---");
  return { text: finish(r, `${lines.join("\n")}\n`), edit: e, value };
}

function tomlValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(tomlValue).join(", ")}]`;
  if (v !== null && typeof v === "object")
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)} = ${tomlValue(x)}`)
      .join(", ")} }`;
  return JSON.stringify(v);
}

function tomlCase(r: Rand): Case {
  const e = edit("toml", ["mcp_servers"]);
  const value = ourValue(r, e);
  if (r() < 0.05) return { text: pick(r, ["", "\n", "# only a comment", "# a\n\n# b\n"]), edit: e, value };
  const lines: string[] = [];
  const comment = () => {
    if (chance(r, 0.2)) lines.push(`# ${str(r).replace(/[\n\r]/g, "")}`);
  };
  for (const k of ["model", "approval_policy", "sandbox"].filter(() => chance(r, 0.6))) {
    comment();
    lines.push(`${k} = ${JSON.stringify(str(r))}${chance(r, 0.2) ? " # why" : ""}`);
  }
  if (chance(r, 0.3)) lines.push("paths = [", `  ${JSON.stringify(str(r))},`, "  [1, 2],", "]");
  if (chance(r, 0.2))
    lines.push(`notes = """`, "[mcp_servers.task-orchestrator]", `${str(r).replace(/"""|\\/g, "")}"""`);
  const sections = ["profiles.fast", "history", "tui"].filter(() => chance(r, 0.4));
  if (chance(r, 0.2)) sections.push("mcp_servers");
  for (const n of SIMILAR.filter(() => chance(r, 0.4))) sections.push(`mcp_servers.${JSON.stringify(n)}`);
  for (const s of sections) {
    lines.push("");
    comment();
    lines.push(`[${s}]`);
    if (s.startsWith("mcp_servers.")) {
      const srv = server(r, false, s);
      lines.push(`command = ${tomlValue(srv.command)}`, `args = ${tomlValue(srv.args)}`);
      if (srv.env) {
        if (chance(r, 0.5)) lines.push(`env = ${tomlValue(srv.env)}`);
        else lines.push("", `[${s}.env]`, `KEY = ${tomlValue((srv.env as Record<string, string>).KEY)}`);
      }
    } else if (s !== "mcp_servers") {
      lines.push(`${pick(r, ["a", "b-c", '"quoted key"'])} = ${tomlValue(scalarValue(r))}`);
    }
  }
  return { text: finish(r, `${lines.join("\n")}\n`), edit: e, value };
}

export function reference(text: string, format: ConfigFormat): unknown {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  if (format === "toml") return parseToml(body);
  if (format === "yaml") {
    const doc = parseDocument(body, { uniqueKeys: true });
    if (doc.errors.length > 0) throw new Error(doc.errors[0]!.message);
    return doc.toJS() ?? {};
  }
  const errors: ParseError[] = [];
  const v = parseJsonc(body, errors, { allowTrailingComma: true, allowEmptyContent: true });
  if (errors.length > 0) throw new Error("json error");
  return v ?? {};
}

/** The parsed document with our entry (and containers the original lacked) taken back out. */
export function withoutEntry(after: unknown, before: unknown, e: EntryEdit): unknown {
  const copy = structuredClone(after) as Record<string, unknown>;
  const chain: Record<string, unknown>[] = [copy];
  for (const k of e.keyPath) chain.push(chain[chain.length - 1]![k] as Record<string, unknown>);
  const container = chain[chain.length - 1]! as unknown;
  if (Array.isArray(container)) {
    const i = container.findIndex((x) => (x as { name?: unknown }).name === e.name);
    container.splice(i, 1);
  } else delete (container as Record<string, unknown>)[e.name];
  for (let i = e.keyPath.length - 1; i >= 0; i--) {
    let orig: unknown = before;
    for (const k of e.keyPath.slice(0, i + 1))
      orig = orig && typeof orig === "object" ? (orig as Record<string, unknown>)[k] : undefined;
    const k = e.keyPath[i]!;
    if (orig === undefined) delete chain[i]![k];
    else if (orig === null) chain[i]![k] = null;
  }
  return copy;
}

/** `n` cases from `seed`, each formats' generator chosen at random. */
export function generateCorpus(seed: number, n: number): Case[] {
  const r = prng(seed);
  const cases: Case[] = [];
  for (let i = 0; i < n; i++) cases.push(pick(r, [jsonCase, yamlCase, tomlCase])(r));
  return cases;
}
