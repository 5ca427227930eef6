import type { IncomingHttpHeaders } from "node:http";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import {
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
} from "@modelcontextprotocol/sdk/types.js";
import { ERROR_META_KEY } from "../../protocol/error-result.ts";
import type { CallerIdentity } from "../session.ts";
import type { ServerPool } from "./server-pool.ts";

/** An MCP answer ready to write: status, headers, body text. */
export interface McpAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Answers one POST to /mcp the stateless way: no session id, JSON answers rather than an SSE
 * stream, a fresh transport for this request alone. The server is one kept for this caller
 * (server-pool.ts), connected to that transport for the request and given back once every
 * request in the body has its answer, so no handler of this request can still be running when
 * the next one begins. The SDK's web-standard transport is used directly, on a body this server
 * has already read within its limit, so the limits and the timeout stay here and the runtime's
 * HTTP layer does not matter.
 */
export async function answerMcp(
  pool: ServerPool,
  caller: CallerIdentity,
  request: {
    readonly url: string;
    readonly headers: IncomingHttpHeaders;
    readonly body: Buffer;
    readonly parsed: unknown;
  },
): Promise<McpAnswer> {
  const kept = pool.take(caller);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  const asked = requestsIn(request.parsed);
  let answered = 0;
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) answered++;
    return send(message, options);
  };
  let done = false;
  try {
    await kept.server.connect(transport);
    const response = await transport.handleRequest(
      new Request(request.url, { method: "POST", headers: webHeaders(request.headers), body: request.body }),
      { parsedBody: request.parsed },
    );
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const answer = { status: response.status, headers, body: await response.text() };
    done = answered >= asked;
    return answer;
  } finally {
    await kept.server.close().catch(() => {
      done = false;
    });
    if (done) pool.give(kept);
  }
}

/** The JSON-RPC requests in a body: each gets one answer. */
function requestsIn(parsed: unknown): number {
  const messages: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  return messages.filter((m) => isJSONRPCRequest(m)).length;
}

function webHeaders(h: IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [key, value] of Object.entries(h)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.append(key, v);
  }
  return out;
}

/** What a request asks for, for the log: the JSON-RPC method and, for tools/call, the tool (never arguments). */
export function describeCall(parsed: unknown): { rpc?: string; tool?: string } {
  const one = Array.isArray(parsed) ? parsed[0] : parsed;
  if (typeof one !== "object" || one === null) return {};
  const m = (one as { method?: unknown }).method;
  const params = (one as { params?: { name?: unknown } }).params;
  const method = typeof m === "string" ? m.slice(0, 64) : undefined;
  const tool =
    method === "tools/call" && typeof params?.name === "string" ? params.name.slice(0, 64) : undefined;
  return { rpc: method, tool };
}

/**
 * The outcome of an answer for the log and /metrics: ok, tool_error (an isError result, with its
 * catalogue code when it has one) or protocol_error (a JSON-RPC error).
 */
export function outcomeOf(answer: McpAnswer): { outcome: string; code?: string } {
  if (answer.status >= 400) return { outcome: "protocol_error" };
  if (answer.body === "") return { outcome: "ok" };
  try {
    const r = JSON.parse(answer.body) as {
      error?: unknown;
      result?: { isError?: unknown; _meta?: Record<string, { code?: unknown } | undefined> };
    };
    if (r.error) return { outcome: "protocol_error" };
    if (r.result?.isError !== true) return { outcome: "ok" };
    const code = r.result._meta?.[ERROR_META_KEY]?.code;
    return typeof code === "string"
      ? { outcome: "tool_error", code: code.slice(0, 64) }
      : { outcome: "tool_error" };
  } catch {
    return { outcome: "ok" };
  }
}
