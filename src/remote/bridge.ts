import type { Readable, Writable } from "node:stream";
import { OrchestratorError } from "../core/errors.ts";
import { classify, errorResponse, type Id, oversizedReply } from "../protocol/jsonrpc.ts";
import { readLines } from "../protocol/line-reader.ts";
import { postMessage } from "./post.ts";
import { redactUrl } from "./target.ts";

/** JSON-RPC's code for errors the implementation defines (the catalogue code goes in `data.code`). */
const SERVER_ERROR = -32000;

export interface BridgeOptions {
  readonly url: string;
  /** The token, or the failure that explains why there is none (every request is answered with it). */
  readonly token: string | OrchestratorError;
  readonly timeoutMs: number;
  readonly maxLineBytes: number;
  readonly input: Readable;
  readonly output: Writable;
  /** One line per problem that is not any single request's (a notification the server refused). */
  readonly log: (line: string) => void;
}

/**
 * `orchestrator connect`: a stdio MCP server for the client, relaying each line to a Streamable
 * HTTP endpoint and each answer back. A hand-written relay rather than the SDK's
 * StreamableHTTPClientTransport: that transport reports a failed POST as one transport error with
 * no request id, so a client would see a closed connection instead of an answer; here every
 * request gets its own JSON-RPC error (401, 403, 413, timeout, server down) naming the fix, and
 * the relay needs no SDK, zod or server code, so it starts fast. Requests run concurrently once
 * `initialize` is answered (its protocol version goes into every later request's header).
 * Resolves when the input ends and every request in flight is answered.
 */
export async function runBridge(opts: BridgeOptions): Promise<void> {
  let protocolVersion: string | undefined;
  let sessionId: string | undefined;
  let initialized: Promise<void> = Promise.resolve();
  const inFlight = new Set<Promise<void>>();
  const write = (msg: unknown): void => {
    opts.output.write(`${JSON.stringify(msg)}\n`);
  };

  const relay = async (line: string, id: Id | undefined, isInitialize: boolean): Promise<void> => {
    if (!isInitialize) await initialized;
    if (opts.token instanceof OrchestratorError) {
      if (id !== undefined) write(failureReply(id, opts.token));
      return;
    }
    try {
      const r = await postMessage(
        line,
        {
          url: opts.url,
          token: opts.token,
          timeoutMs: opts.timeoutMs,
          protocolVersion,
          sessionId,
        },
        (msg) => {
          if (isInitialize && msg.id === id) {
            const v = (msg.result as { protocolVersion?: unknown } | undefined)?.protocolVersion;
            if (typeof v === "string") protocolVersion = v;
          }
          write(msg);
        },
      );
      sessionId = r.sessionId ?? sessionId;
    } catch (e) {
      const err =
        e instanceof OrchestratorError
          ? e
          : new OrchestratorError("REMOTE_BAD_ANSWER", `relaying to ${redactUrl(opts.url)} failed`);
      if (id !== undefined) write(failureReply(id, err));
      else opts.log(`orchestrator connect: a notification was not delivered: ${err.code}: ${err.message}`);
    }
  };

  const track = (p: Promise<void>): void => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  await new Promise<void>((resolve) => {
    readLines(opts.input, {
      maxLineBytes: opts.maxLineBytes,
      onLine: (line) => {
        if (line.trim() === "") return;
        const c = classify(line);
        if (c.kind === "invalid") {
          if (c.reply) write(c.reply);
          return;
        }
        const id = c.kind === "request" ? c.id : undefined;
        const isInitialize = c.kind === "request" && c.method === "initialize";
        const p = relay(line, id, isInitialize);
        if (isInitialize) initialized = p;
        track(p);
      },
      onOversized: (line) => write(oversizedReply(line, opts.maxLineBytes)),
      onEnd: resolve,
    });
  });
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
}

/** The JSON-RPC error a request gets for a failure: the code, the message and the fix. */
export function failureReply(id: Id, err: OrchestratorError): Record<string, unknown> {
  return errorResponse(id, SERVER_ERROR, `${err.code}: ${err.message} Fix: ${err.fix}`, err.code, {
    ...(err.data ?? {}),
  });
}
