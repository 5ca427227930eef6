/** docs/reference/errors.md: the error catalogue and how errors reach MCP clients. */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ERROR_CATALOGUE, type ErrorCode } from "../../src/core/errors.ts";
import type { Capture } from "./capture.ts";
import { code, fence, md, page, table } from "./markdown.ts";

export function errorsPage(cap: Capture): string {
  const codes = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
  const overview = table(
    ["code", "exit", "when"],
    codes.map((c) => [
      `[${code(c)}](#${c.toLowerCase()})`,
      String(ERROR_CATALOGUE[c].exit),
      ERROR_CATALOGUE[c].when,
    ]),
  );
  const sections = codes.map((c) => {
    const e = ERROR_CATALOGUE[c];
    return [
      `## ${c}`,
      `**When:** ${md(e.when)}`,
      `**What to do:** ${md(e.fix)}`,
      `**CLI exit code:** ${e.exit}`,
    ].join("\n\n");
  });
  const { catalogued, schema } = cap.errorExamples;
  const rawText = (r: CallToolResult): string =>
    cap.normalize.text(r.content.map((x) => (x.type === "text" ? x.text : "")).join("\n"));
  const mcp = [
    "## How errors reach MCP clients",
    "A tool never fails the JSON-RPC request: it returns a result with `isError: true`. Its text content starts with the code, then the message, then the catalogue's advice (`<CODE>: <message>\\nWhat to do: <fix>`), and `structuredContent.error` holds `code`, `message`, `fix` and, where the raising site gives them, `data`. Unexpected failures are reported the same way with the code `INTERNAL`; their stack goes to the server's stderr, never to the client.",
    `A real example, ${code(catalogued.tool)} with ${code(JSON.stringify(catalogued.args))}:`,
    fence("json", JSON.stringify(cap.normalize.json(catalogued.result), null, 2)),
    `Arguments that do not match a tool's input schema are refused by the MCP SDK before the tool runs, so their text starts with the SDK's JSON-RPC error instead of a catalogue code. ${code(schema.tool)} with ${code(JSON.stringify(schema.args))}:`,
    fence("text", rawText(schema.result)),
    "On the command line the same codes become one line on stderr and the exit code listed for each code; see [cli.md](cli.md#exit-codes).",
  ].join("\n\n");
  return page(
    "Error codes",
    "Every failure the orchestrator reports has a stable code from the catalogue in `src/core/errors.ts`, with when it happens, what to do, and the CLI exit code it maps to.",
    [overview, mcp, ...sections],
  );
}
