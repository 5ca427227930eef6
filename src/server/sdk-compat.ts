import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { errorResult } from "../protocol/error-result.ts";

/**
 * The one place that leans on SDK internals (@modelcontextprotocol/sdk 1.x): `McpServer`'s private
 * `createToolError`, through which every tools/call failure the SDK catches passes, and the text of
 * its input-validation message. tests/unit/sdk-compat.test.ts fails when an SDK upgrade moves either.
 */
export const SDK_INPUT_ERROR =
  /^MCP error -32602: Input validation error: Invalid arguments for tool (\S+): ([\s\S]*)$/;

interface WithToolError {
  createToolError(message: string): CallToolResult;
}

/**
 * The SDK checks tool arguments against the input schema before our handler runs and answers
 * "MCP error -32602: Input validation error: ... at task_id". Rewritten here into the same shape
 * as every other refusal: the INVALID_INPUT code, each problem as "field: what", what to do, and
 * the code in _meta, so a model (and a script) handles one error format.
 */
export function reportInvalidArguments(server: McpServer): void {
  const sdk = server as unknown as WithToolError;
  if (typeof sdk.createToolError !== "function") {
    // Fail at startup, not silently per call, if the SDK renamed its private hook.
    throw new Error("@modelcontextprotocol/sdk: McpServer.createToolError is gone; update sdk-compat.ts");
  }
  const original = sdk.createToolError.bind(server);
  sdk.createToolError = (message: string): CallToolResult => {
    const m = SDK_INPUT_ERROR.exec(message);
    if (!m) return original(message);
    const problems = (m[2] ?? "")
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const at = / at (\S+)$/.exec(line);
        return at ? `${at[1]}: ${line.slice(0, at.index)}` : line;
      });
    return errorResult("INVALID_INPUT", `${m[1]}: ${problems.join("; ")}.`);
  };
}
