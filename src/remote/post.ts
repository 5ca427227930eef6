import { ERROR_CATALOGUE, type ErrorCode, OrchestratorError } from "../core/errors.ts";
import { redactUrl } from "./target.ts";

/**
 * One JSON-RPC message POSTed to a Streamable HTTP endpoint (MCP 2025-06-18 §Transports), every
 * message the server answers with passed to `onMessage` as it arrives (a JSON body, or the events
 * of an SSE stream: progress notifications before the result), and every failure turned into an
 * OrchestratorError naming the fix. The token goes only into the Authorization header; no message
 * built here contains it.
 */
export interface PostOptions {
  readonly url: string;
  readonly token: string | undefined;
  readonly timeoutMs: number;
  readonly protocolVersion?: string | undefined;
  readonly sessionId?: string | undefined;
}

export interface PostResult {
  readonly status: number;
  /** The session the server assigned (stateful servers only; ours is stateless). */
  readonly sessionId: string | undefined;
}

export async function postMessage(
  body: string,
  opts: PostOptions,
  onMessage: (msg: Record<string, unknown>) => void,
): Promise<PostResult> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
  };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.protocolVersion) headers["mcp-protocol-version"] = opts.protocolVersion;
  if (opts.sessionId) headers["mcp-session-id"] = opts.sessionId;
  const signal = AbortSignal.timeout(opts.timeoutMs);
  let res: Response;
  try {
    res = await fetch(opts.url, { method: "POST", headers, body, signal });
  } catch (e) {
    throw networkFailure(e, opts);
  }
  const sessionId = res.headers.get("mcp-session-id") ?? undefined;
  if (res.status === 202 || res.status === 204) {
    await res.body?.cancel().catch(() => {});
    return { status: res.status, sessionId };
  }
  const type = (res.headers.get("content-type") ?? "").toLowerCase();
  try {
    if (!res.ok) throw await httpFailure(res, opts);
    if (type.startsWith("text/event-stream")) await readSse(res, onMessage);
    else if (type.startsWith("application/json")) {
      for (const m of asMessages(JSON.parse(await res.text()))) onMessage(m);
    } else {
      throw new OrchestratorError(
        "REMOTE_BAD_ANSWER",
        `${redactUrl(opts.url)} answered ${res.status} with ${type || "no content type"}, not MCP (JSON or an event stream).`,
      );
    }
  } catch (e) {
    await res.body?.cancel().catch(() => {});
    if (e instanceof OrchestratorError) throw e;
    if (isTimeout(e)) throw timeoutFailure(opts);
    throw new OrchestratorError(
      "REMOTE_BAD_ANSWER",
      `${redactUrl(opts.url)} sent an answer that is not JSON-RPC (${(e as Error).message.slice(0, 120)}).`,
    );
  }
  return { status: res.status, sessionId };
}

function asMessages(v: unknown): Record<string, unknown>[] {
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((m) => m !== null && typeof m === "object" && !Array.isArray(m)))
    throw new Error("a message is not a JSON object");
  return list as Record<string, unknown>[];
}

/** Server-sent events: each event's `data:` lines joined are one JSON-RPC message. */
async function readSse(res: Response, onMessage: (msg: Record<string, unknown>) => void): Promise<void> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  const flushEvent = (): void => {
    if (data.length > 0) for (const m of asMessages(JSON.parse(data.join("\n")))) onMessage(m);
    data = [];
  };
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    buffer += decoder.decode(value ?? new Uint8Array(), { stream: !done });
    let nl = buffer.indexOf("\n");
    while (nl >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, "");
      buffer = buffer.slice(nl + 1);
      if (line === "") flushEvent();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      nl = buffer.indexOf("\n");
    }
    if (done) break;
  }
  if (buffer.startsWith("data:")) data.push(buffer.slice(5).replace(/^ /, ""));
  flushEvent();
}

/** What the server said in a JSON-RPC error body (ours always sends one), and its catalogue code. */
async function serverSays(res: Response): Promise<{ message?: string; code?: ErrorCode }> {
  try {
    const body = JSON.parse(await res.text()) as { error?: { message?: unknown; data?: { code?: unknown } } };
    const message = typeof body.error?.message === "string" ? body.error.message.slice(0, 300) : undefined;
    const code = body.error?.data?.code;
    return {
      ...(message ? { message } : {}),
      ...(typeof code === "string" && Object.hasOwn(ERROR_CATALOGUE, code)
        ? { code: code as ErrorCode }
        : {}),
    };
  } catch {
    return {};
  }
}

async function httpFailure(res: Response, opts: PostOptions): Promise<OrchestratorError> {
  const where = redactUrl(opts.url);
  const said = await serverSays(res);
  const tail = said.message ? `: ${said.message}` : "";
  const data = { data: { status: res.status } };
  switch (res.status) {
    case 401: {
      const why = /error_description="([^"]{0,200})"/.exec(res.headers.get("www-authenticate") ?? "")?.[1];
      return new OrchestratorError(
        "REMOTE_AUTH_FAILED",
        opts.token
          ? `${where} refused the token (401${why ? `: ${why}` : ""}).`
          : `${where} needs a token (401) and none was sent: name the variable holding it with --token-env VAR.`,
        data,
      );
    }
    case 403:
      return new OrchestratorError("REMOTE_FORBIDDEN", `${where} refused the request (403${tail}).`, data);
    case 413:
      return new OrchestratorError(
        "REQUEST_TOO_LARGE",
        `${where} refused the request as too large (413${tail}).`,
        data,
      );
    case 408:
    case 504:
      return new OrchestratorError("REMOTE_TIMEOUT", `${where} timed out (${res.status}${tail}).`, data);
    default:
      // Our server names its failure (REQUEST_TIMEOUT on a 503, ...): keep its code and fix.
      if (said.code && said.message)
        return new OrchestratorError(said.code, `${where} answered ${res.status}: ${said.message}`, data);
      return new OrchestratorError(
        "REMOTE_BAD_ANSWER",
        `${where} answered ${res.status}${tail || ` ${res.statusText}`} (not an MCP endpoint?).`,
        data,
      );
  }
}

function isTimeout(e: unknown): boolean {
  const name = (e as { name?: unknown })?.name;
  return name === "TimeoutError" || name === "AbortError";
}

function timeoutFailure(opts: PostOptions): OrchestratorError {
  return new OrchestratorError(
    "REMOTE_TIMEOUT",
    `${redactUrl(opts.url)} did not answer within ${Math.round(opts.timeoutMs / 1000)} s; the call's outcome is unknown.`,
  );
}

const TLS_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME|TLS|SSL|HANDSHAKE|certificate/i;

/** fetch's own failures (Bun, Node and Deno name them differently) sorted into what to do. */
function networkFailure(e: unknown, opts: PostOptions): OrchestratorError {
  if (isTimeout(e)) return timeoutFailure(opts);
  const err = e as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const code = String(err.code ?? err.cause?.code ?? "");
  const message = String(err.cause?.message ?? err.message ?? "");
  const where = redactUrl(opts.url);
  if (TLS_CODES.test(code) || TLS_CODES.test(message)) {
    return new OrchestratorError(
      "REMOTE_TLS",
      `the TLS connection to ${where} failed (${code || message.slice(0, 120)}).`,
      { data: { reason: code || message.slice(0, 120) } },
    );
  }
  return new OrchestratorError(
    "REMOTE_UNREACHABLE",
    `cannot reach ${where} (${code || message.slice(0, 120) || "connection failed"}).`,
    { data: { reason: code || message.slice(0, 120) } },
  );
}
