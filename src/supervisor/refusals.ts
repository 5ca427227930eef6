import type { ErrorCode } from "../core/errors.ts";
import { errorResult } from "../protocol/error-result.ts";
import { errorResponse, type Id } from "../protocol/jsonrpc.ts";
import type { InFlight } from "./calls.ts";

type Json = Record<string, unknown>;

/**
 * The answer to a request no worker will answer, with a catalogue code: an error result for a
 * tool call (what a model reads, code and fix in `_meta["orchestrator/error"]`), a JSON-RPC error
 * carrying the code and fix otherwise.
 */
export function refusal(id: Id, method: string, tool: string | null, code: ErrorCode, message: string): Json {
  if (method === "tools/call") return { jsonrpc: "2.0", id, result: errorResult(code, message, { tool }) };
  return errorResponse(id, -32603, `${code}: ${message}`, code, { method });
}

/**
 * The answer to a request a worker still ran when it exited. Its outcome is unknown, never "did
 * not complete": a retiring worker was stopped (RESTART_INTERRUPTED), any other crashed
 * (WORKER_CRASHED).
 */
export function exitRefusal(
  id: Id,
  call: InFlight,
  worker: { readonly pid: number; readonly retiring: boolean },
  why: string,
): Json {
  const what = call.tool ?? call.method;
  return worker.retiring
    ? refusal(
        id,
        call.method,
        call.tool,
        "RESTART_INTERRUPTED",
        `the retiring worker ${worker.pid} ${why} before it finished this ${what} request (a restart's timeout ran out, or the server shut down); its outcome is unknown.`,
      )
    : refusal(
        id,
        call.method,
        call.tool,
        "WORKER_CRASHED",
        `the worker ${worker.pid} ${why} while it ran this ${what} request; its outcome is unknown.`,
      );
}
