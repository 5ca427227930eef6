import { BUILD_INFO } from "../build-info.ts";
import { OrchestratorError } from "../core/errors.ts";
import { CLIENT_PROTOCOL_VERSION, initializeParams } from "../protocol/handshake.ts";
import { postMessage } from "./post.ts";
import { checkRemoteUrl } from "./target.ts";

/** What a remote check learned: the handshake and tools/list went through, or the failure with its fix. */
export type RemoteProbe =
  | {
      readonly ok: true;
      readonly ms: number;
      readonly tools: number;
      readonly server: string;
      readonly protocolVersion: string;
    }
  | {
      readonly ok: false;
      readonly ms: number;
      readonly code: string;
      readonly message: string;
      readonly fix: string;
    };

/**
 * Checks a remote server as a client would, over the same code the bridge uses: the URL's rules,
 * reachable, TLS valid, token accepted, `initialize`, `tools/list`; the round-trip time covers
 * all three requests. The token is only sent in the Authorization header and never shown.
 */
export async function probeRemote(opts: {
  readonly url: string;
  readonly token: string | undefined;
  readonly timeoutMs: number;
}): Promise<RemoteProbe> {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  try {
    const url = checkRemoteUrl(opts.url);
    const base = { url, token: opts.token, timeoutMs: opts.timeoutMs };
    const init = await call(base, "initialize", initializeParams("orchestrator-doctor", BUILD_INFO.version));
    const result = init as { protocolVersion?: unknown; serverInfo?: { name?: unknown; version?: unknown } };
    const protocolVersion =
      typeof result.protocolVersion === "string" ? result.protocolVersion : CLIENT_PROTOCOL_VERSION;
    const next = { ...base, protocolVersion };
    await postMessage(
      JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
      next,
      () => {},
    );
    const list = (await call(next, "tools/list", {})) as { tools?: unknown };
    const server =
      `${String(result.serverInfo?.name ?? "?")} ${String(result.serverInfo?.version ?? "")}`.trim();
    return {
      ok: true,
      ms: ms(),
      tools: Array.isArray(list.tools) ? list.tools.length : 0,
      server,
      protocolVersion,
    };
  } catch (e) {
    const err =
      e instanceof OrchestratorError
        ? e
        : new OrchestratorError("REMOTE_BAD_ANSWER", (e as Error).message ?? String(e));
    return { ok: false, ms: ms(), code: err.code, message: err.message, fix: err.fix };
  }
}

let nextId = 1;

async function call(
  opts: Parameters<typeof postMessage>[1],
  method: string,
  params: unknown,
): Promise<unknown> {
  const id = nextId++;
  let answer: Record<string, unknown> | undefined;
  await postMessage(JSON.stringify({ jsonrpc: "2.0", id, method, params }), opts, (msg) => {
    if (msg.id === id) answer = msg;
  });
  if (!answer)
    throw new OrchestratorError(
      "REMOTE_BAD_ANSWER",
      `${method} got no answer from the server (not an MCP endpoint?).`,
    );
  const error = answer.error as { message?: unknown } | undefined;
  if (error)
    throw new OrchestratorError(
      "REMOTE_BAD_ANSWER",
      `${method} failed on the server: ${String(error.message).slice(0, 200)}`,
    );
  return answer.result ?? {};
}
