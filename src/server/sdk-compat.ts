import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, JSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";
import { errorResult } from "../protocol/error-result.ts";

/**
 * The one place that leans on SDK internals (@modelcontextprotocol/sdk 1.x): `McpServer`'s private
 * `createToolError`, through which every tools/call failure the SDK catches passes, the text of
 * its input-validation message, its private `validateToolOutput`, which parses every result
 * against the tool's output schema, and `Protocol`'s private `_onrequest`, where it runs a
 * request. tests/unit/sdk-compat.test.ts fails when an SDK upgrade moves one.
 */
export const SDK_INPUT_ERROR =
  /^MCP error -32602: Input validation error: Invalid arguments for tool (\S+): ([\s\S]*)$/;

interface WithToolError {
  createToolError(message: string): CallToolResult;
}

interface WithOutputCheck {
  validateToolOutput(tool: unknown, result: unknown, toolName: string): Promise<void>;
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

/**
 * The SDK parses each of our results against the tool's full zod output schema before sending it
 * (issue 16: with input validation, ~15 % of a write call's CPU in-process). Our results are built
 * by typed mappers (`server/views/`) from domain objects, not from anything a caller sent, so the
 * check only re-proves what the type checker did; clients still validate against the schema they
 * were sent. Input validation stays: arguments are hostile. The in-process test servers
 * (tests/helpers/client.ts) keep the check, so every integration test still holds each result to
 * the full schema.
 */
export function skipOwnOutputValidation(server: McpServer): void {
  const sdk = server as unknown as WithOutputCheck;
  if (typeof sdk.validateToolOutput !== "function") {
    throw new Error("@modelcontextprotocol/sdk: McpServer.validateToolOutput is gone; update sdk-compat.ts");
  }
  sdk.validateToolOutput = async () => {};
}

interface WithRequestRunner {
  _onrequest(request: JSONRPCRequest): void;
}

/**
 * Where a request goes once it is known to be one: the SDK's `Protocol` finds out for every
 * message by trying it as a result response, then as an error response, then as a request, each a
 * zod safeParse that copies the message (~4 % of the worker's CPU per tools/call at 8 in flight,
 * issue 16), and then calls this. The stdio transport sends here only what it has already proved
 * to be a request the SDK's schemas accept (a plain tools/call, line-transport.ts), so the SDK's
 * own routing would reach the same call; everything else still takes the SDK's way.
 */
export function requestRunner(server: McpServer): (request: JSONRPCRequest) => void {
  const protocol = server.server as unknown as WithRequestRunner;
  if (typeof protocol._onrequest !== "function") {
    throw new Error("@modelcontextprotocol/sdk: Protocol._onrequest is gone; update sdk-compat.ts");
  }
  return (request) => protocol._onrequest(request);
}
