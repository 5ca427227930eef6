/**
 * The channel between `serve --http`'s front process (src/supervisor/http-front.ts) and the
 * HTTP worker it starts (src/server/http/worker-control.ts): SDK-free and zod-free, since the
 * front imports it. The worker learns where to listen from its environment; the two then speak
 * one JSON object per line, worker stdout → front and front → worker stdin. Everything else the
 * worker writes (its request log) goes to stderr, which it shares with the front.
 */

/** Set in an HTTP worker's environment (JSON of `HttpWorkerConfig`): serve behind the front. */
export const HTTP_WORKER_VAR = "ORCHESTRATOR_HTTP_WORKER";

/** Where the worker listens, and the address the front listens on for it (Host/Origin checks, URLs). */
export interface HttpWorkerConfig {
  /** A Unix socket in a folder only this user can enter. */
  readonly socket: string;
  /** The port the front bound (the real one when `--http HOST:0` let the kernel pick). */
  readonly port: number;
  /** Which worker this is: 1 for the first, +1 per restart. */
  readonly generation: number;
}

/** What a restart asks for (the orchestrator_restart_server input, or SIGHUP's defaults). */
export interface HttpRestartRequest {
  readonly graceful: boolean;
  /** Seconds the old worker has to finish its requests before it is stopped. */
  readonly timeout: number;
  readonly reason: string;
}

/** Worker → front. */
export type WorkerMessage =
  | { readonly t: "ready"; readonly pid: number; readonly version: string }
  | { readonly t: "restart"; readonly id: number; readonly request: HttpRestartRequest };

/** Front → worker: the answer to a `restart` (the orchestrator_restart_server result). */
export interface FrontMessage {
  readonly t: "restarted";
  readonly id: number;
  readonly result: Record<string, unknown>;
}

/** Reads the worker's config from its environment, or undefined when it is not an HTTP worker. */
export function readHttpWorkerConfig(
  vars: Readonly<Record<string, string | undefined>>,
): HttpWorkerConfig | undefined {
  const raw = vars[HTTP_WORKER_VAR];
  if (!raw) return undefined;
  const v = parseObject(raw);
  if (
    typeof v?.socket !== "string" ||
    typeof v.port !== "number" ||
    !Number.isInteger(v.port) ||
    typeof v.generation !== "number"
  ) {
    throw new Error(`${HTTP_WORKER_VAR} is not a worker configuration; it is set by serve --http itself.`);
  }
  return { socket: v.socket, port: v.port, generation: v.generation };
}

/** One line of the channel as an object, or undefined when it is not a JSON object. */
export function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === "object" && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
