import type { Readable, Writable } from "node:stream";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  ClientRequestSchema,
  type JSONRPCMessage,
  JSONRPCNotificationSchema,
  type JSONRPCRequest,
  JSONRPCRequestSchema,
  JSONRPCResponseSchema,
  RELATED_TASK_META_KEY,
} from "@modelcontextprotocol/sdk/types.js";
import {
  classify,
  errorResponse,
  INVALID_PARAMS,
  INVALID_REQUEST,
  oversizedReply,
} from "../protocol/jsonrpc.ts";
import { readLines } from "../protocol/line-reader.ts";
import { LineWriter } from "../protocol/line-writer.ts";

/**
 * The SDK's schema of each MCP request, by method. The SDK checks params itself, but answers a
 * mismatch as -32603 Internal error with the raw issue list; checked here first, a client gets
 * -32602 Invalid params naming the field, as JSON-RPC 2.0 says.
 */
const REQUEST_SCHEMAS = new Map(ClientRequestSchema.options.map((s) => [s.shape.method.value as string, s]));

/**
 * The worker's stdio transport, in place of the SDK's StdioServerTransport, whose read buffer
 * closes the connection on any line over 10 MiB (the process then exits 0 silently) and drops
 * malformed messages without an answer. Here a line over `maxLineBytes` is answered with
 * REQUEST_TOO_LARGE and skipped, and every malformed message gets its JSON-RPC error.
 */
export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #input: Readable;
  readonly #output: LineWriter;
  readonly #maxLineBytes: number;
  readonly #log: (line: string) => void;
  /** Requests already proved to be plain tools/calls the SDK's schemas accept (isPlainToolCall). */
  readonly #checked = new WeakSet<object>();
  #closed = false;

  constructor(opts: {
    input: Readable;
    output: Writable;
    maxLineBytes: number;
    log: (line: string) => void;
  }) {
    this.#input = opts.input;
    this.#output = new LineWriter(opts.output);
    this.#maxLineBytes = opts.maxLineBytes;
    this.#log = opts.log;
  }

  async start(): Promise<void> {
    readLines(this.#input, {
      maxLineBytes: this.#maxLineBytes,
      onLine: (line) => this.#receive(line),
      onOversized: (line) => void this.#write(oversizedReply(line, this.#maxLineBytes)),
    });
    this.#input.on("error", (e: Error) => this.onerror?.(e));
  }

  #receive(line: string): void {
    if (this.#closed || line.trim() === "") return;
    const c = classify(line);
    if (c.kind === "invalid") {
      if (c.reply) void this.#write(c.reply);
      else this.#log(`orchestrator: ignored a malformed message from the client: ${c.why}\n`);
      return;
    }
    if (c.kind === "request" && isPlainToolCall(c.msg)) {
      // The hot path: both schemas below surely accept it, and would only copy it.
      this.#checked.add(c.msg);
      this.onmessage?.(c.msg as JSONRPCMessage);
      return;
    }
    // The envelope is right; the SDK's own schema also checks what it relies on (params._meta...).
    const schema =
      c.kind === "request"
        ? JSONRPCRequestSchema
        : c.kind === "notification"
          ? JSONRPCNotificationSchema
          : JSONRPCResponseSchema;
    const parsed = schema.safeParse(c.msg);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join(".") || "message"}: ${i.message}`).join("; ");
      if (c.kind === "request")
        void this.#write(errorResponse(c.id, INVALID_REQUEST, `Invalid Request: ${why}`));
      else this.#log(`orchestrator: ignored a malformed ${c.kind} from the client: ${why}\n`);
      return;
    }
    if (c.kind === "request") {
      const params = REQUEST_SCHEMAS.get(c.method)?.safeParse(parsed.data);
      if (params && !params.success) {
        const why = params.error.issues
          .map((i) => `${i.path.join(".") || "params"}: ${i.message}`)
          .join("; ");
        void this.#write(errorResponse(c.id, INVALID_PARAMS, `Invalid params for ${c.method}: ${why}`));
        return;
      }
    }
    this.onmessage?.(parsed.data as JSONRPCMessage);
  }

  /**
   * Whether `message` is a request this transport has proved to be a plain tools/call that the
   * SDK's JSON-RPC and CallTool schemas accept, so it can go straight to the SDK's request runner
   * (sdk-compat.ts requestRunner) without the SDK trying it as each kind of message first.
   */
  isCheckedToolCall(message: JSONRPCMessage): message is JSONRPCRequest {
    return this.#checked.has(message);
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.#write(message);
  }

  /**
   * Resolves once the line is written or buffered under the high-water mark ('drain'). Answers
   * ready in the same turn go out in one write (LineWriter).
   */
  #write(message: unknown): Promise<void> {
    this.#output.line(JSON.stringify(message));
    return this.#output.flushed();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#input.pause();
    this.onclose?.();
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Whether a request `classify` passed is a tools/call that JSONRPCRequestSchema and
 * CallToolRequestSchema both surely accept, each returning a copy of it (loose objects, no
 * defaults): its params hold a string name, arguments as an object or none, no task, and a
 * _meta, if any, with a string or integer progressToken or none and no related task. Such a
 * request skips the two zod parses (issue 16: they were ~5 % of the worker's CPU per state
 * change); any other shape takes them, and with them their error messages. The SDK still parses
 * it with its handler's schema.
 */
function isPlainToolCall(msg: Json): boolean {
  const params = msg.params;
  if (msg.method !== "tools/call" || !isObject(params) || typeof params.name !== "string") return false;
  if (params.arguments !== undefined && !isObject(params.arguments)) return false;
  if (params.task !== undefined) return false;
  const meta = params._meta;
  if (meta === undefined) return true;
  if (!isObject(meta) || meta[RELATED_TASK_META_KEY] !== undefined) return false;
  const token = meta.progressToken;
  return token === undefined || typeof token === "string" || Number.isSafeInteger(token);
}
