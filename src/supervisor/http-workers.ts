import { type ChildProcess, spawn } from "node:child_process";
import { Agent, type ClientRequest } from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  type FrontMessage,
  HTTP_WORKER_VAR,
  type HttpRestartRequest,
  type HttpWorkerConfig,
  parseObject,
} from "../protocol/http-worker.ts";
import { withWorkerRuntime } from "../protocol/worker-env.ts";

/** One HTTP worker process as the front sees it. */
export interface HttpWorker {
  readonly generation: number;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly socket: string;
  /** Keep-alive connections to this worker alone, destroyed when it is retired. */
  readonly agent: Agent;
  version: string | null;
  /** Requests handed to it and not yet answered (the front counts; the worker is never asked). */
  inflight: number;
  /** Those requests' connections to it, cut when a retired worker's timeout runs out. */
  readonly pending: Set<ClientRequest>;
  /**
   * Long-lived answers it is streaming (the dashboard's server-sent events): not counted in
   * `inflight`, since they never end by themselves; each entry ends its stream cleanly.
   */
  readonly streams: Set<() => void>;
  /** Requests it answered. */
  answered: number;
  /** Set once no new request may go to it. */
  retiring: boolean;
  exited: boolean;
  /** Resolves when it said it is listening; rejects with why when it exits first. */
  readonly ready: Promise<void>;
  /** Resolves with its exit code (or 1 for a signal) once it exited. */
  readonly exit: Promise<number>;
  /** Called each time `inflight` drops to 0. */
  onIdle?: () => void;
}

export interface SpawnOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The private folder holding the workers' sockets. */
  readonly dir: string;
  readonly port: number;
  /** A worker asked for a restart (orchestrator_restart_server): answer with the tool's result. */
  readonly onRestart: (request: HttpRestartRequest) => Promise<Record<string, unknown>>;
  readonly log: (line: string) => void;
}

/**
 * Starts worker `generation`: the same binary with the same `serve --http` arguments, told by
 * HTTP_WORKER_VAR to listen on a Unix socket of its own. Its stderr is the front's (the request
 * log needs no relay); its stdout and stdin carry the channel (protocol/http-worker.ts).
 */
export function spawnHttpWorker(generation: number, o: SpawnOptions): HttpWorker {
  const socket = join(o.dir, `w${generation}.sock`);
  const config: HttpWorkerConfig = { socket, port: o.port, generation };
  const child = spawn(o.command, [...o.args], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...withWorkerRuntime(o.env), [HTTP_WORKER_VAR]: JSON.stringify(config) } as NodeJS.ProcessEnv,
  });
  let markReady: () => void = () => {};
  let fail: (e: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    fail = reject;
  });
  // Nobody may be waiting yet; the rejection is still seen by whoever awaits it later.
  ready.catch(() => {});
  const exit = new Promise<number>((resolve) => {
    child.once("exit", (code) => {
      w.exited = true;
      fail(new Error(`the worker exited (${code ?? "signal"}) before it was listening`));
      resolve(code ?? 1);
    });
  });
  child.once("error", (e) => fail(e));
  child.stdin?.on("error", () => {});
  const w: HttpWorker = {
    generation,
    child,
    pid: child.pid ?? -1,
    socket,
    agent: new Agent({ keepAlive: true }),
    version: null,
    inflight: 0,
    pending: new Set(),
    streams: new Set(),
    answered: 0,
    retiring: false,
    exited: false,
    ready,
    exit,
  };
  if (child.stdout) {
    const lines = createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on("line", (line) => {
      const m = parseObject(line);
      if (m?.t === "ready") {
        w.version = typeof m.version === "string" ? m.version : null;
        markReady();
      } else if (m?.t === "restart" && typeof m.id === "number") {
        const request = restartRequest(m.request);
        void o.onRestart(request).then((result) => {
          const answer: FrontMessage = { t: "restarted", id: m.id as number, result };
          child.stdin?.write(`${JSON.stringify(answer)}\n`);
        });
      } else {
        o.log(`orchestrator: worker ${w.pid} wrote an unexpected line on its channel; ignored\n`);
      }
    });
  }
  return w;
}

function restartRequest(raw: unknown): HttpRestartRequest {
  const r = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  return {
    graceful: r.graceful !== false,
    timeout: typeof r.timeout === "number" && r.timeout > 0 ? Math.min(r.timeout, 300) : 30,
    reason: typeof r.reason === "string" ? r.reason.slice(0, 64) : "manual_request",
  };
}

/**
 * Retires a worker that gets no new request: ends its event streams, waits until it answered every request it was
 * handed (or `timeoutMs` passed), then SIGTERM (it stops listening and exits), SIGKILL if it is
 * still there 10 s later. Sending SIGTERM only when it is idle matters: a server closing idle
 * keep-alive connections can race a request being written on one, and that request would fail.
 */
export async function retireHttpWorker(w: HttpWorker, timeoutMs: number): Promise<void> {
  w.retiring = true;
  // Event streams end now, cleanly: their browsers reconnect (retry: 1000) to the new worker.
  for (const end of w.streams) end();
  w.streams.clear();
  if (w.inflight > 0 && !w.exited) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      w.onIdle = () => {
        clearTimeout(timer);
        resolve();
      };
      void w.exit.then(() => w.onIdle?.());
    });
  }
  // Past the timeout, what it still runs is cut (the front answers RESTART_INTERRUPTED); idle
  // keep-alive connections carry nothing, so closing them too lets it exit at once.
  for (const up of w.pending) up.destroy();
  w.agent.destroy();
  if (!w.exited) w.child.kill("SIGTERM");
  const kill = setTimeout(() => {
    if (!w.exited) w.child.kill("SIGKILL");
  }, 10_000);
  await w.exit;
  clearTimeout(kill);
}
