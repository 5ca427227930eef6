import { describe, expect, test } from "bun:test";
import { readEntry, removeEntry, upsertEntry } from "../../src/install/edit/index.ts";
import {
  type ConfigFormat,
  ConfigParseError,
  type EditOutcome,
  type EntryEdit,
} from "../../src/install/types.ts";
import { type Case, generateCorpus, prng, reference, withoutEntry } from "../helpers/config-corpus.ts";

const NAME = "task-orchestrator";

function edit(format: ConfigFormat, keyPath: string[], container: "map" | "list" = "map"): EntryEdit {
  return { format, keyPath, container, name: NAME };
}

const JSON_EDIT = edit("jsonc", ["mcpServers"]);
const GOOSE_EDIT = edit("yaml", ["extensions"]);
const CONTINUE_EDIT = edit("yaml", ["mcpServers"], "list");
const CODEX_EDIT = edit("toml", ["mcp_servers"]);

const STDIO = { command: "/usr/local/bin/orchestrator", args: ["serve", "--stdio"], env: { LOG: "info" } };
const GOOSE = {
  name: NAME,
  type: "stdio",
  cmd: "/usr/local/bin/orchestrator",
  args: ["serve"],
  envs: {},
  enabled: true,
  timeout: 300,
};
const CONTINUE = { name: NAME, command: "/usr/local/bin/orchestrator", args: ["serve"] };

function changed(outcome: EditOutcome): string {
  if (outcome.status !== "changed") throw new Error("expected a change");
  return outcome.text;
}

/** upsert, then check read-back, idempotence and the exact round trip. */
function roundTrip(text: string, e: EntryEdit, value: unknown): string {
  const next = changed(upsertEntry(text, e, value));
  expect(readEntry(next, e)).toEqual(value);
  expect(upsertEntry(next, e, value)).toEqual({ status: "unchanged" });
  expect(changed(removeEntry(next, e))).toBe(text);
  expect(removeEntry(text, e)).toEqual({ status: "unchanged" });
  return next;
}

function parseError(fn: () => unknown): ConfigParseError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigParseError) return e;
    throw e;
  }
  throw new Error("expected a ConfigParseError");
}

describe("json / jsonc", () => {
  test("a missing file gets a whole document with a final newline, and removal gives back nothing", () => {
    const next = roundTrip("", JSON_EDIT, STDIO);
    expect(next).toBe(`${JSON.stringify({ mcpServers: { [NAME]: STDIO } }, null, 2)}\n`);
  });

  test("comments, trailing commas and other servers survive byte for byte", () => {
    const text = [
      "// user settings",
      "{",
      '  "theme": "dark", /* inline */',
      '  "mcpServers": {',
      "    // keep me",
      '    "task-orchestrator-old": { "command": "x" },',
      "  },",
      "}",
      "",
    ].join("\n");
    const next = roundTrip(text, JSON_EDIT, STDIO);
    expect(next).toContain("// keep me");
    expect(next).toContain('"theme": "dark", /* inline */');
    expect(next.startsWith(text.slice(0, text.indexOf("},\n  },")))).toBe(true);
  });

  test("CRLF, tabs, four spaces, BOM and a missing final newline are kept", () => {
    const crlf = '{\r\n\t"a": 1\r\n}\r\n';
    const next = roundTrip(crlf, JSON_EDIT, STDIO);
    expect(next.replaceAll("\r\n", "")).not.toContain("\n");
    expect(next).toContain('\r\n\t"mcpServers": {\r\n\t\t"task-orchestrator"');
    const four = roundTrip('{\n    "a": [1, 2]\n}', JSON_EDIT, STDIO);
    expect(four).toContain('\n    "mcpServers": {\n        "task-orchestrator"');
    expect(four.endsWith("}")).toBe(true);
    const bom = roundTrip('\uFEFF{"a": 1}\n', JSON_EDIT, STDIO);
    expect(bom.startsWith('\uFEFF{"a": 1,')).toBe(true);
  });

  test("existing empty containers keep their shape after a round trip", () => {
    for (const text of [
      '{"mcpServers": {}}',
      '{\n  "mcpServers": {}\n}\n',
      "{}",
      "{}\n",
      '{ "mcpServers": { } }',
    ]) {
      roundTrip(text, JSON_EDIT, STDIO);
    }
  });

  test("nested key paths create and then delete only what they created", () => {
    const vscode = edit("jsonc", ["mcp", "servers"]);
    roundTrip('{\n  "editor.fontSize": 13\n}\n', vscode, STDIO);
    roundTrip('{\n  "mcp": {\n    "inputs": []\n  }\n}\n', vscode, STDIO);
    const zed = edit("json", ["context_servers"]);
    roundTrip('{\n  "context_servers": {\n    "other": {}\n  }\n}\n', zed, STDIO);
  });

  test("updating a changed entry rewrites only that entry", () => {
    const text =
      '{\n  "a": 1, // one\n  "mcpServers": {\n    "task-orchestrator": {"command": "old"},\n    "z": 2\n  }\n}\n';
    const next = changed(upsertEntry(text, JSON_EDIT, STDIO));
    expect(readEntry(next, JSON_EDIT)).toEqual(STDIO);
    expect(next.startsWith('{\n  "a": 1, // one\n  "mcpServers": {\n    "task-orchestrator": {\n')).toBe(
      true,
    );
    expect(next.endsWith('},\n    "z": 2\n  }\n}\n')).toBe(true);
    const removed = changed(removeEntry(next, JSON_EDIT));
    expect(removed).toBe('{\n  "a": 1, // one\n  "mcpServers": {\n    "z": 2\n  }\n}\n');
  });

  test("parse errors carry line and column and never count as empty", () => {
    const err = parseError(() => upsertEntry('{\n  "a": 1,\n  "b": \n}\n', JSON_EDIT, STDIO));
    expect(err.message).toBe("expected a value");
    expect([err.line, err.column]).toEqual([4, 1]);
    const unterminated = parseError(() => readEntry('{\n  "a": "x\n', JSON_EDIT));
    expect(unterminated.line).toBe(2);
    const notObject = parseError(() => upsertEntry("[1, 2]", JSON_EDIT, STDIO));
    expect(notObject.message).toContain("not an object");
    const badContainer = parseError(() => upsertEntry('{\n  "mcpServers": [1]\n}', JSON_EDIT, STDIO));
    expect([badContainer.line, badContainer.column]).toEqual([2, 17]);
  });
});

describe("yaml", () => {
  test("goose map entry: comments and other extensions survive", () => {
    const text = [
      "# goose config",
      "GOOSE_PROVIDER: openai   # provider",
      "extensions:",
      "  developer:",
      "    enabled: true   # builtin",
      "    name: developer",
      "    type: builtin",
      "# trailing",
      "",
    ].join("\n");
    const next = roundTrip(text, GOOSE_EDIT, GOOSE);
    expect(next.startsWith(text.slice(0, text.indexOf("# trailing")))).toBe(true);
    expect(next.endsWith("# trailing\n")).toBe(true);
  });

  test("continue list entry: appended, replaced by name, removed", () => {
    const text =
      "name: my assistant\nmcpServers:\n  - name: other\n    command: npx\n  - name: task-orchestrator-old\n    command: y\n";
    const next = roundTrip(text, CONTINUE_EDIT, CONTINUE);
    expect(next.startsWith(text)).toBe(true);
    const updated = changed(upsertEntry(next, CONTINUE_EDIT, { ...CONTINUE, args: ["serve", "-v"] }));
    expect(readEntry(updated, CONTINUE_EDIT)).toEqual({ ...CONTINUE, args: ["serve", "-v"] });
    expect(changed(removeEntry(updated, CONTINUE_EDIT))).toBe(text);
    roundTrip("name: x\n", CONTINUE_EDIT, CONTINUE);
    roundTrip("mcpServers: []\n", CONTINUE_EDIT, CONTINUE);
    roundTrip("mcpServers:\n", CONTINUE_EDIT, CONTINUE);
  });

  test("empty, flow, null and nested containers round-trip", () => {
    for (const text of [
      "",
      "# only a comment",
      "extensions:\n",
      "extensions: {}\n",
      "extensions: {a: 1}",
      "x: 1\r\ny: 2\r\n",
    ]) {
      roundTrip(text, GOOSE_EDIT, GOOSE);
    }
    roundTrip("mcp:\n    other: 1\n", edit("yaml", ["mcp", "servers"]), STDIO);
    roundTrip("mcp:\n", edit("yaml", ["mcp", "servers"]), STDIO);
  });

  test("parse errors carry line and column", () => {
    const err = parseError(() => upsertEntry("a: 1\nb: [1, 2\nc: 3\n", GOOSE_EDIT, GOOSE));
    expect(err.line).toBeGreaterThanOrEqual(2);
    const dup = parseError(() => readEntry("a: 1\na: 2\n", GOOSE_EDIT));
    expect([dup.line, dup.column]).toEqual([2, 1]);
    const notMap = parseError(() => upsertEntry("extensions: 5\n", GOOSE_EDIT, GOOSE));
    expect([notMap.line, notMap.column]).toEqual([1, 13]);
  });
});

describe("toml", () => {
  test("appends our table after one blank line and removes exactly it", () => {
    const text = 'model = "o3" # default\n\n[mcp_servers.task-orchestrator-old]\ncommand = "x"\nargs = []\n';
    const next = roundTrip(text, CODEX_EDIT, STDIO);
    expect(next).toBe(
      `${text}\n[mcp_servers.task-orchestrator]\ncommand = "/usr/local/bin/orchestrator"\nargs = ["serve", "--stdio"]\nenv = { LOG = "info" }\n`,
    );
    roundTrip("", CODEX_EDIT, STDIO);
    roundTrip('a = 1\r\n[t]\r\nb = """\r\n[mcp_servers.task-orchestrator]\r\n"""', CODEX_EDIT, STDIO);
  });

  test("replaces our table and its sub-tables in place, escaping strings", () => {
    const text =
      '[mcp_servers."task-orchestrator"]\ncommand = "old"\n\n[mcp_servers.task-orchestrator.env]\nA = "1"\n\n# about x\n[x]\ny = 1\n';
    const value = { command: 'C:\\Tools\\o "q"\u0007', args: ["é", "\n"], env: {} };
    const next = changed(upsertEntry(text, CODEX_EDIT, value));
    expect(readEntry(next, CODEX_EDIT)).toEqual(value);
    expect(next.endsWith("\n\n# about x\n[x]\ny = 1\n")).toBe(true);
    expect(next).toContain('command = "C:\\\\Tools\\\\o \\"q\\"\\u0007"');
    expect(changed(removeEntry(next, CODEX_EDIT))).toBe("# about x\n[x]\ny = 1\n");
  });

  test("refuses entries written inline or as dotted keys, with their position", () => {
    const dotted = parseError(() =>
      upsertEntry('x = 1\nmcp_servers.task-orchestrator.command = "a"\n', CODEX_EDIT, STDIO),
    );
    expect([dotted.line, dotted.column]).toEqual([2, 13]);
    const inline = parseError(() =>
      removeEntry('mcp_servers = { task-orchestrator = { command = "a" } }\n', CODEX_EDIT),
    );
    expect(inline.line).toBe(1);
    const closed = parseError(() =>
      upsertEntry('mcp_servers = { other = { command = "a" } }\n', CODEX_EDIT, STDIO),
    );
    expect(closed.message).toContain("inline table");
  });

  test("parse errors carry line and column", () => {
    const err = parseError(() => upsertEntry('a = 1\nb = "x\n', CODEX_EDIT, STDIO));
    expect(err.line).toBe(2);
    expect(err.column).toBeGreaterThanOrEqual(1);
  });
});

describe("hostile corpus", () => {
  const cases: Case[] = generateCorpus(20240611, 1000);
  const r = prng(7);

  test("1,000 generated files: upsert, read back, others untouched, exact round trip", () => {
    const failures: string[] = [];
    for (const [i, c] of cases.entries()) {
      try {
        const before = reference(c.text, c.edit.format);
        const next = changed(upsertEntry(c.text, c.edit, c.value));
        const after = reference(next, c.edit.format);
        expect(readEntry(next, c.edit)).toEqual(c.value);
        expect(withoutEntry(after, before, c.edit)).toEqual(before);
        expect(upsertEntry(next, c.edit, c.value)).toEqual({ status: "unchanged" });
        const back = changed(removeEntry(next, c.edit));
        if (back !== c.text)
          throw new Error(`round trip differs:\n${JSON.stringify(c.text)}\n${JSON.stringify(back)}`);
      } catch (e) {
        failures.push(
          `#${i} ${c.edit.format} ${c.edit.keyPath.join(".")}: ${(e as Error).message}\n${JSON.stringify(c.text)}`,
        );
      }
    }
    expect({ count: failures.length, first: failures.slice(0, 3) }).toEqual({ count: 0, first: [] });
  }, 60_000);

  test("truncated files are refused with a position, never treated as empty", () => {
    let refused = 0;
    for (const c of cases) {
      const cut = c.text.slice(0, Math.floor(c.text.length * (0.2 + 0.6 * r())));
      let broken = false;
      try {
        reference(cut, c.edit.format);
      } catch {
        broken = true;
      }
      if (!broken) continue;
      refused++;
      for (const run of [
        () => upsertEntry(cut, c.edit, c.value),
        () => removeEntry(cut, c.edit),
        () => readEntry(cut, c.edit),
      ]) {
        const err = parseError(run);
        expect(err.line).toBeGreaterThanOrEqual(1);
        expect(err.column).toBeGreaterThanOrEqual(1);
      }
    }
    expect(refused).toBeGreaterThan(100);
  }, 60_000);
});
