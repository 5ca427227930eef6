import { ERROR_CATALOGUE, type ErrorCode } from "../core/errors.ts";
import type { OversizedLine } from "./line-reader.ts";

/**
 * The JSON-RPC 2.0 envelope check shared by the supervisor and the worker's transport (no SDK
 * import): every line a client sends is a request, a notification or a response, or it gets the
 * error JSON-RPC 2.0 prescribes (-32700 for invalid JSON, -32600 for anything else, with the id
 * when it is a valid MCP id, else null). MCP ids are strings or integers, params an object, and
 * batches were removed in MCP 2025-06-18, so an array is one -32600 too.
 */

type Json = Record<string, unknown>;
export type Id = string | number;

export type Classified =
  | { readonly kind: "request"; readonly msg: Json; readonly id: Id; readonly method: string }
  | { readonly kind: "notification"; readonly msg: Json; readonly method: string }
  | { readonly kind: "response"; readonly msg: Json; readonly id: Id }
  /** `reply` is what to send back; null when nothing can be (a malformed response). */
  | { readonly kind: "invalid"; readonly reply: Json | null; readonly why: string };

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const INVALID_PARAMS = -32602;

/**
 * What the params of an `initialize` lack of the shape MCP requires (protocolVersion, the
 * capabilities object, clientInfo's name and version), or null. The supervisor answers
 * initialize itself and replays it into every worker, so one it accepted that the workers'
 * SDK refuses would fail every worker start.
 */
export function initializeParamsProblem(params: unknown): string | null {
  const isMap = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isMap(params)) return "params must be an object";
  if (typeof params.protocolVersion !== "string") return "params.protocolVersion must be a string";
  if (!isMap(params.capabilities)) return "params.capabilities must be an object";
  const info = params.clientInfo;
  if (!isMap(info) || typeof info.name !== "string" || typeof info.version !== "string")
    return "params.clientInfo must be an object with a string name and version";
  return null;
}

const REQUEST_KEYS = new Set(["jsonrpc", "id", "method", "params"]);
const RESPONSE_KEYS = new Set(["jsonrpc", "id", "result", "error"]);

export function isValidId(id: unknown): id is Id {
  return typeof id === "string" || (typeof id === "number" && Number.isSafeInteger(id));
}

/** A JSON-RPC error response; `code` names the catalogue entry whose fix goes into `data`. */
export function errorResponse(
  id: Id | null,
  rpcCode: number,
  message: string,
  code?: ErrorCode,
  data?: Json,
): Json {
  const extra = code ? { code, fix: ERROR_CATALOGUE[code].fix, ...data } : data;
  return {
    jsonrpc: "2.0",
    id,
    error: { code: rpcCode, message, ...(extra ? { data: extra } : {}) },
  };
}

function invalid(id: unknown, why: string): Classified {
  return {
    kind: "invalid",
    reply: errorResponse(isValidId(id) ? id : null, INVALID_REQUEST, `Invalid Request: ${why}`),
    why,
  };
}

/** Sorts one line into what it is, or the error answer it deserves. */
export function classify(line: string): Classified {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    const why = `the line is not valid JSON (${(e as Error).message})`;
    return { kind: "invalid", reply: errorResponse(null, PARSE_ERROR, `Parse error: ${why}`), why };
  }
  if (Array.isArray(value))
    return invalid(
      null,
      "batches are not supported (MCP 2025-06-18 removed JSON-RPC batching); send one message per line",
    );
  if (typeof value !== "object" || value === null) return invalid(null, "a message must be a JSON object");
  const msg = value as Json;
  const id = msg.id;
  const isResponse = !("method" in msg) && ("result" in msg || "error" in msg);
  if (isResponse) {
    // A client's answer to a server request: nothing may be sent back for it, right or wrong.
    const bad = responseProblem(msg);
    return bad ? { kind: "invalid", reply: null, why: bad } : { kind: "response", msg, id: id as Id };
  }
  if (msg.jsonrpc !== "2.0") return invalid(id, `"jsonrpc" must be "2.0", got ${show(msg.jsonrpc)}`);
  if (typeof msg.method !== "string")
    return invalid(id, `"method" must be a string, got ${show(msg.method)}`);
  if ("id" in msg && !isValidId(id))
    return invalid(id, `"id" must be a string or an integer, got ${show(id)}`);
  if ("params" in msg && (typeof msg.params !== "object" || msg.params === null || Array.isArray(msg.params)))
    return invalid(id, `"params" must be an object, got ${show(msg.params)}`);
  const extra = Object.keys(msg).filter((k) => !REQUEST_KEYS.has(k));
  if (extra.length > 0) return invalid(id, `unknown member(s) ${extra.map((k) => `"${k}"`).join(", ")}`);
  return "id" in msg
    ? { kind: "request", msg, id: id as Id, method: msg.method }
    : { kind: "notification", msg, method: msg.method };
}

function responseProblem(msg: Json): string | null {
  if (msg.jsonrpc !== "2.0") return `a response's "jsonrpc" must be "2.0"`;
  if (!isValidId(msg.id)) return "a response needs a string or integer id";
  if ("result" in msg === "error" in msg) return "a response has either result or error";
  if (Object.keys(msg).some((k) => !RESPONSE_KEYS.has(k))) return "a response has unknown members";
  return null;
}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return "an array";
  return JSON.stringify(v)?.slice(0, 40) ?? String(v);
}

/**
 * The id of a line too long to read, from its two ends when that is cheap: a top-level "id"
 * near the start (most clients), or a last member "id" (the SDK writes id last).
 */
export function recoverId(line: Pick<OversizedLine, "head" | "tail">): Id | null {
  return idNearStart(line.head) ?? idAtEnd(line.tail);
}

const ID_AT_END = /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")\s*(?:,\s*"jsonrpc"\s*:\s*"2\.0"\s*)?\}\s*$/;

function idAtEnd(tail: string): Id | null {
  const m = ID_AT_END.exec(tail);
  return m ? parseId(m[1] as string) : null;
}

/** Scans the start of an object for a member "id" at depth 1, skipping strings and nested values. */
function idNearStart(head: string): Id | null {
  let depth = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head[i];
    if (c === '"') {
      const end = stringEnd(head, i);
      if (end < 0) return null;
      if (depth === 1 && head.slice(i, end + 1) === '"id"') {
        const m = /^\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")\s*[,}]/.exec(head.slice(end + 1));
        if (m) return parseId(m[1] as string);
      }
      i = end;
    } else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
  }
  return null;
}

function stringEnd(s: string, open: number): number {
  for (let i = open + 1; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}

function parseId(raw: string): Id | null {
  try {
    const v = JSON.parse(raw) as unknown;
    return isValidId(v) ? v : null;
  } catch {
    return null;
  }
}

/** The answer to a line longer than the request limit, which was dropped unread. */
export function oversizedReply(line: OversizedLine, maxLineBytes: number): Json {
  return errorResponse(
    recoverId(line),
    INVALID_REQUEST,
    `REQUEST_TOO_LARGE: the request is ${line.bytes} bytes, over the limit of ${maxLineBytes} (6 × ORCHESTRATOR_MAX_ARTIFACT_BYTES + 1 MiB); it was not read.`,
    "REQUEST_TOO_LARGE",
    { size: line.bytes, limit: maxLineBytes },
  );
}

const RESULT_HEAD = '{"result":';
/** The end of a result the SDK writes (`{ result, jsonrpc, id }` stringified): an integer id last. */
const RESULT_END = /,"jsonrpc":"2\.0","id":(0|-?[1-9]\d{0,14})\}\n?$/;
/** The longest RESULT_END: 22 bytes, a sign, 15 digits, the brace and the newline. */
const RESULT_END_BYTES = 41;

/**
 * The id of a line (its "\n" or not) that is a result as the worker's SDK writes it, read off its two ends
 * without decoding the rest, so a relay can pass the bytes on as they came; null for any other
 * line, which takes the full parse. For a line of valid JSON this is what JSON.parse would say: it
 * starts `{"result":`, so it is an object and its last `}` closes it; the number before that brace
 * is outside any string, so the `"id"` before it is a member name (its quotes unescaped), and the
 * object's last member, the one JSON.parse keeps. The worker writes "result" only in answers (the
 * SDK's `{ result, jsonrpc, id }`), never with a "method"; string ids take the full parse.
 */
export function resultAnswerId(line: Uint8Array): number | null {
  for (let i = 0; i < RESULT_HEAD.length; i++) if (line[i] !== RESULT_HEAD.charCodeAt(i)) return null;
  const from = Math.max(RESULT_HEAD.length, line.length - RESULT_END_BYTES);
  const end = Buffer.from(line.buffer, line.byteOffset + from, line.length - from).toString("latin1");
  const m = RESULT_END.exec(end);
  return m ? Number(m[1]) : null;
}
