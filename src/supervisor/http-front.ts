import { mkdtempSync, rmSync } from "node:fs";
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HttpRestartRequest } from "../protocol/http-worker.ts";
import { type HttpWorker, retireHttpWorker, spawnHttpWorker } from "./http-workers.ts";

/** How the front runs: where it listens and how to start a worker. */
export interface HttpFrontOptions {
  /** The server to listen with: plain HTTP, or HTTPS with the certificate (--tls-cert). */
  readonly listener?: Server | undefined;
  readonly host: string;
  readonly port: number;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: (line: string) => void;
}

/** Crash restarts allowed within CRASH_WINDOW_MS before the front gives up and exits. */
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 60_000;
/** How long a new worker has to start listening before a restart is abandoned. */
const START_TIMEOUT_MS = 30_000;
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
]);

/**
 * `serve --http`'s front process (docs/reboot.md, "HTTP"): it owns the listening socket for the
 * server's whole life and hands each request, unread, to the current worker over that worker's
 * Unix socket. A restart (SIGHUP, orchestrator_restart_server) starts a new worker, sends new
 * requests to it as soon as it listens, and retires the old one once it answered what it had, so
 * no client connection is closed and no request is refused. The worker does everything else
 * (authentication, Host/Origin checks, limits, the log). Resolves with the exit code.
 */
export async function runHttpFront(o: HttpFrontOptions): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "orchestrator-http-"));
  const server = o.listener ?? createServer();
  // The worker enforces --http-timeout; the front must not cut a longer call short.
  server.requestTimeout = 0;
  let port = o.port;
  let generation = 0;
  let active: HttpWorker | undefined;
  let activeReady: Promise<HttpWorker>;
  let restarting: Promise<Record<string, unknown>> | undefined;
  let stopping = false;
  /** Set once the first worker listens: before that an exit is a refusal to start, not a crash. */
  let serving = false;
  const crashes: number[] = [];

  const spawnNext = (): HttpWorker => {
    const w = spawnHttpWorker(++generation, {
      command: o.command,
      args: o.args,
      env: o.env,
      dir,
      port,
      onRestart: (r) => restart(r, "tool"),
      log: o.log,
    });
    void w.exit.then((code) => {
      if (w === active && !w.retiring && !stopping && serving) onCrash(w, code);
    });
    return w;
  };

  const onCrash = (w: HttpWorker, code: number): void => {
    const now = Date.now();
    crashes.push(now);
    while (crashes.length > 0 && (crashes[0] ?? now) < now - CRASH_WINDOW_MS) crashes.shift();
    if (crashes.length > MAX_CRASHES) {
      o.log(`orchestrator: the HTTP worker crashed ${crashes.length} times within a minute; stopping\n`);
      void stop(1);
      return;
    }
    o.log(`orchestrator: the HTTP worker ${w.pid} exited (${code}); starting another\n`);
    const delay = Math.min(200 * 2 ** (crashes.length - 1), 5_000);
    activeReady = new Promise<HttpWorker>((resolve) => {
      setTimeout(() => {
        // A restart or a stop since the crash already decided what serves next.
        if (stopping || (active !== w && active !== undefined)) {
          if (active) resolve(active);
          return;
        }
        const next = spawnNext();
        active = next;
        next.ready.then(
          () => resolve(next),
          () => resolve(next),
        );
      }, delay);
    });
  };

  const restart = (r: HttpRestartRequest, trigger: "tool" | "signal"): Promise<Record<string, unknown>> => {
    restarting ??= (async () => {
      const startedAt = new Date();
      const old = active;
      const next = spawnNext();
      const timeout = Math.max(START_TIMEOUT_MS, r.timeout * 1000);
      const base = {
        restart_reason: r.reason,
        graceful: r.graceful,
        preserve_state: true,
        timeout: r.timeout,
        started_at: startedAt.toISOString(),
        old_worker: { pid: old?.pid ?? null, version: old?.version ?? null },
      };
      const started = await Promise.race([
        next.ready.then(() => "ok"),
        new Promise<string>((resolve) => setTimeout(() => resolve("timeout"), timeout).unref()),
      ]).catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
      if (started !== "ok") {
        next.retiring = true;
        next.child.kill("SIGKILL");
        o.log(`orchestrator: restart failed, the old worker keeps serving: ${started}\n`);
        return {
          ...base,
          success: false,
          phase: "failed",
          message: `The new worker did not start (${started}); the old one keeps serving.`,
          duration_ms: Date.now() - startedAt.getTime(),
          new_worker: { pid: next.pid, version: null },
          requests_finished: 0,
          requests_left_running: 0,
        };
      }
      active = next;
      activeReady = Promise.resolve(next);
      const left = old?.inflight ?? 0;
      if (old) {
        void retireHttpWorker(old, r.timeout * 1000).then(() =>
          o.log(
            `orchestrator: the old HTTP worker ${old.pid} exited (it answered ${old.answered} requests)\n`,
          ),
        );
      }
      o.log(
        `orchestrator: restarted the HTTP worker (${trigger}, ${r.reason}): ${old?.pid ?? "-"} → ${next.pid} in ${Date.now() - startedAt.getTime()} ms\n`,
      );
      return {
        ...base,
        success: true,
        phase: "completed",
        message: `New requests go to worker ${next.pid}; worker ${old?.pid ?? "-"} finishes the ${left} it has, then exits.`,
        duration_ms: Date.now() - startedAt.getTime(),
        new_worker: { pid: next.pid, version: next.version },
        requests_finished: old?.answered ?? 0,
        requests_left_running: left,
      };
    })().finally(() => {
      restarting = undefined;
    });
    return restarting;
  };

  /** The worker for a new request: the current one once it listens (after a crash, the next one). */
  const pick = async (): Promise<HttpWorker> => {
    let w = await activeReady;
    // A crashed worker is replaced a few microtasks after its exit is seen: wait for that.
    for (let i = 0; i < 100 && w.exited && !stopping; i++) w = await activeReady;
    return w;
  };
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    void pick().then((w) => relay(w, req, res));
  });

  let resolveStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => {
    resolveStopped = resolve;
  });
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections?.();
    setTimeout(() => server.closeAllConnections?.(), 5_000).unref();
    await closed;
    if (active) await retireHttpWorker(active, 5_000);
    rmSync(dir, { recursive: true, force: true });
    resolveStopped(code);
  };

  // Installed first: SIGHUP's default action would kill the front while its first worker starts.
  process.on("SIGHUP", () => {
    if (serving) void restart({ graceful: true, timeout: 30, reason: "SIGHUP" }, "signal");
  });
  // Also from the start: whoever started the server may stop it as soon as it reads the
  // "listening" line, which the first worker writes before the front hears it is ready.
  process.once("SIGINT", () => void stop(0));
  process.once("SIGTERM", () => void stop(0));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(o.port, o.host, () => resolve());
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  port = (server.address() as AddressInfo).port;
  const first = spawnNext();
  active = first;
  // Requests wait for it; when it fails to start they are never relayed (the front exits).
  activeReady = first.ready.then(
    () => first,
    () => first,
  );
  const firstCode = await first.ready.then(
    () => 0,
    () => first.exit,
  );
  if (stopping) return stopped;
  if (firstCode !== 0 || first.exited) {
    // The worker said why on stderr (a usage error, an insecure bind): exit as it did.
    server.close();
    rmSync(dir, { recursive: true, force: true });
    return firstCode || 1;
  }
  serving = true;
  return stopped;
}

/** Hands one request to worker `w` and its answer back, streaming both ways. */
function relay(w: HttpWorker, req: IncomingMessage, res: ServerResponse): void {
  w.inflight++;
  let counted = true;
  const done = (): void => {
    if (!counted) return;
    counted = false;
    w.inflight--;
    w.answered++;
    w.pending.delete(up);
    if (w.inflight === 0) w.onIdle?.();
  };
  const up = httpRequest({
    socketPath: w.socket,
    agent: w.agent,
    method: req.method,
    path: req.url,
    headers: forwardable(req.headers),
  });
  w.pending.add(up);
  up.on("response", (answer) => {
    const headers = forwardable(answer.headers);
    // A worker closing the connection (a body it did not read: 408, or 503 before a call) means
    // the client's must close too: hop-by-hop, so it is said again rather than passed on.
    if (String(answer.headers.connection ?? "").toLowerCase() === "close") headers.connection = "close";
    res.writeHead(answer.statusCode ?? 502, headers);
    answer.pipe(res);
    if (/^text\/event-stream/i.test(String(answer.headers["content-type"] ?? ""))) {
      // A stream that never ends must not hold the worker's retirement: it stops counting as in
      // flight, and a retirement ends it (the browser reconnects to the next worker).
      const end = (): void => {
        answer.unpipe(res);
        res.end();
        up.destroy();
      };
      w.streams.add(end);
      res.on("close", () => w.streams.delete(end));
      done();
    }
    answer.on("end", done);
    answer.on("error", () => {
      done();
      res.destroy();
    });
  });
  let answered = false;
  up.on("response", () => {
    answered = true;
  });
  const failed = (): void => {
    if (answered) return;
    answered = true;
    done();
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Only a worker that died mid-request, or a retired one stopped at its timeout, gets here:
    // what it did is unknown.
    const code = w.retiring ? "RESTART_INTERRUPTED" : "WORKER_CRASHED";
    const why = w.retiring
      ? "a restart stopped the old worker (its timeout ran out) while it answered this request"
      : "the server's worker stopped while answering this request";
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id: null,
      error: {
        code: -32603,
        message: `${code}: ${why}; its outcome is unknown. Check with orchestrator_get_status before calling again, or retry with the same request_id.`,
        data: { code },
      },
    });
    res.writeHead(502, {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
      // The request may not have been read to its end: this connection cannot carry another.
      connection: "close",
    });
    res.end(body);
  };
  up.on("error", failed);
  // A request cut on purpose (a retired worker's timeout) may only close, without an error.
  up.on("close", failed);
  res.on("close", () => {
    if (!res.writableFinished) up.destroy();
    done();
  });
  req.pipe(up);
}

function forwardable(h: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  }
  return out;
}
