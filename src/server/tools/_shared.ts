import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { RequestKey } from "../../app/_requests.ts";
import type { AppContext } from "../../app/context.ts";
import { OrchestratorError } from "../../core/errors.ts";
import { sha256 } from "../../platform/fs.ts";
import { errorResult } from "../../protocol/error-result.ts";
import type { ResolvedWorkspace } from "../../workspace/resolve.ts";
import type { Session } from "../session.ts";

/**
 * The idempotency key of a write call, or undefined without request_id. working_directory is left
 * out of the fingerprint: the key is per workspace already, and a retry may rely on the session's.
 */
export function requestKey(tool: string, args: Record<string, unknown>): RequestKey | undefined {
  const { request_id: id, working_directory: _ws, ...rest } = args;
  if (typeof id !== "string") return undefined;
  return { tool, id, fingerprint: sha256(canonicalJson(rest)) };
}

/** JSON with object keys sorted, so equal arguments give equal text whatever their order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A successful result: typed data plus its readable rendering. */
export function ok(structured: Record<string, unknown>, text: string): CallToolResult {
  return { content: [{ type: "text", text }], structuredContent: structured };
}

/** An error result the model can act on: code, what happened, what to do. Never a stack trace. */
export function failure(e: unknown): CallToolResult {
  if (e instanceof OrchestratorError) return errorResult(e.code, e.message, e.data);
  const message = e instanceof Error ? e.message : String(e);
  // Unexpected: the stack goes to stderr (the client's log), never onto stdout.
  process.stderr.write(
    `orchestrator: internal error: ${e instanceof Error ? (e.stack ?? message) : message}\n`,
  );
  return errorResult("INTERNAL", message);
}

/**
 * Runs a tool body in a resolved workspace and maps every failure to an error result, so one bad
 * call never disturbs the connection.
 */
export async function inWorkspace(
  session: Session,
  workingDirectory: string | undefined,
  body: (ctx: AppContext, ws: ResolvedWorkspace) => Promise<CallToolResult>,
  opts: { readOnly?: boolean } = {},
): Promise<CallToolResult> {
  try {
    if (session.deps.testDelayMs) {
      // Tests wait for this line to know the call reached the worker (no guessing with sleeps).
      process.stderr.write(`orchestrator test: call waiting ${session.deps.testDelayMs} ms\n`);
      await new Promise((r) => setTimeout(r, session.deps.testDelayMs));
    }
    const call = await session.open(workingDirectory, opts);
    try {
      // best effort: a busy database must not fail the call
      if (!call.ctx.store.placeholder) await session.renewLeases(call.ctx).catch(() => {});
      return await body(call.ctx, call.ws);
    } finally {
      // Before the answer is sent: a call that starts after it takes a look of its own.
      call.end();
    }
  } catch (e) {
    return failure(e);
  }
}

/** inWorkspace for tools that only read: they create no file or folder (an empty state instead). */
export function inWorkspaceReadOnly(
  session: Session,
  workingDirectory: string | undefined,
  body: (ctx: AppContext, ws: ResolvedWorkspace) => Promise<CallToolResult>,
): Promise<CallToolResult> {
  return inWorkspace(session, workingDirectory, body, { readOnly: true });
}
