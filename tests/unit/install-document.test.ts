import { describe, expect, test } from "bun:test";
import { finishDocument } from "../../src/install/edit/document.ts";
import { removeEntry } from "../../src/install/edit/index.ts";
import type { ConfigFormat } from "../../src/install/types.ts";

// The last check before a config is written: it parses as its format, with a map at the root.
describe("finishDocument", () => {
  test.each([
    ["json", "", "{}\n"],
    ["json", "  \n", "{}\n"],
    ["jsonc", "// kept\n", "// kept\n{}\n"],
    ["json", "\r\n", "{}\r\n"],
    ["yaml", "", "{}\n"],
    ["yaml", "# goose\n", "# goose\n{}\n"],
    ["toml", "", ""],
    ["toml", "# codex", "# codex"],
    ["json", '{ "a": 1 }\n', '{ "a": 1 }\n'],
    ["yaml", "a: 1\n", "a: 1\n"],
  ] as [ConfigFormat, string, string][])("%s %j becomes %j", (format, text, out) => {
    expect(finishDocument(text, format)).toBe(out);
  });

  test.each([
    ["json", '{ "a": '],
    ["json", "[1, 2]"],
    ["yaml", "- a\n- b\n"],
    ["yaml", "a: [\n"],
    ["yaml", "~\n"],
    ["toml", "a = \n"],
  ] as [ConfigFormat, string][])("%s %j is refused", (format, text) => {
    expect(() => finishDocument(text, format)).toThrow();
  });

  test("removing the only entry of each format leaves a file its parser reads as an empty map", () => {
    const cases: [ConfigFormat, string, string[]][] = [
      ["json", '{\n  "mcpServers": {\n    "task-orchestrator": { "command": "x" }\n  }\n}\n', ["mcpServers"]],
      ["yaml", "extensions:\n  task-orchestrator:\n    cmd: x\n", ["extensions"]],
      ["toml", '[mcp_servers.task-orchestrator]\ncommand = "x"\n', ["mcp_servers"]],
    ];
    for (const [format, text, keyPath] of cases) {
      const out = removeEntry(text, { format, keyPath, container: "map", name: "task-orchestrator" });
      if (out.status !== "changed") throw new Error(`${format}: expected a change`);
      expect(out.text.trim()).toBe("");
      expect(["{}\n", ""]).toContain(finishDocument(out.text, format));
    }
  });
});
