import type { ServerResponse } from "node:http";
import { ERROR_CATALOGUE, type ErrorCode } from "../../core/errors.ts";

/** JSON-RPC's code for errors the server defines (the catalogue code goes in `data.code`). */
const SERVER_ERROR = -32000;

/**
 * Answers an HTTP request with a JSON-RPC error body: the catalogue code, its message and its fix,
 * so an MCP client shows something actionable whatever the HTTP status.
 */
export function sendRpcError(
  res: ServerResponse,
  status: number,
  code: ErrorCode,
  message: string,
  opts: { readonly headers?: Record<string, string>; readonly rpcCode?: number; readonly id?: unknown } = {},
): void {
  const body = {
    jsonrpc: "2.0",
    id: opts.id ?? null,
    error: {
      code: opts.rpcCode ?? SERVER_ERROR,
      message: `${code}: ${message}`,
      data: { code, fix: ERROR_CATALOGUE[code].fix },
    },
  };
  sendJson(res, status, body, opts.headers);
}

/** Writes a JSON answer unless one was sent already (a timed-out request answered earlier). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}
