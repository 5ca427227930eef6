import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isOrchestratorError, OrchestratorError } from "../../core/errors.ts";
import { createUiMount, isDashboardPath, isDashboardStream } from "../../dashboard/http/mount.ts";
import { openServerSource } from "../../dashboard/http/server-source.ts";
import type { HttpWorkerConfig } from "../../protocol/http-worker.ts";
import type { StorePort } from "../../store/port.ts";
import { copiesSettled, EXIT_GRACE_MS } from "../../workspace/local-copies.ts";
import type { CallerIdentity, ServerDeps } from "../session.ts";
import { type BindAddress, hostPort, isLoopback } from "./address.ts";
import { challenge, createAuthenticator, resourceMetadata } from "./auth.ts";
import { readBody } from "./body.ts";
import { createOriginGuard } from "./guard.ts";
import type { JwtConfig } from "./jwt.ts";
import { answerMcp, describeCall, outcomeOf } from "./mcp.ts";
import { createMetrics, isStoreErrorCode, type Metrics } from "./metrics.ts";
import { serveMetrics } from "./metrics-route.ts";
import { type RequestLog, readiness } from "./ops.ts";
import { sendJson, sendRpcError } from "./respond.ts";
import { ServerPool } from "./server-pool.ts";
import { createListener, type TlsFiles } from "./tls.ts";
import type { WorkerControl } from "./worker-control.ts";

/** How `serve --http` runs: where, its limits, who may call. */
export interface HttpOptions {
  readonly bind: BindAddress;
  /** Longest request body read; longer ones get 413 (REQUEST_TOO_LARGE). */
  readonly maxBodyBytes: number;
  /** Longest time from a request's arrival to its answer (REQUEST_TIMEOUT). */
  readonly timeoutMs: number;
  /** Web origins allowed besides the server's own (normalised). */
  readonly allowOrigins: readonly string[];
  /** The URL clients use when it is not the bound address (a reverse proxy), without /mcp. */
  readonly publicUrl?: string | undefined;
  /** `--auth tokens`: every /mcp request needs a token even before the first one exists. */
  readonly authRequired: boolean;
  /** `--insecure-no-auth`: a non-loopback bind without authentication is allowed (warned). */
  readonly insecureNoAuth: boolean;
  /** The database holding the tokens (`--db`, else the workspace's); none: authentication cannot be on. */
  readonly tokenDb?: string | undefined;
  /** An identity provider whose JWTs are accepted besides the static tokens. */
  readonly jwt?: JwtConfig | undefined;
  /** Serve HTTPS with this certificate (`--tls-cert`, `--tls-key`). */
  readonly tls?: TlsFiles | undefined;
  /** `--metrics-public`: /metrics without a token on a non-loopback bind. */
  readonly metricsPublic?: boolean;
  /** `--ui-actions`: the dashboard under /ui/ may release, cancel and reopen tasks. */
  readonly uiActions?: boolean;
  /** The counters /metrics shows (a restart that keeps the process passes the same ones on). */
  readonly metrics?: Metrics;
  readonly log: (line: string) => void;
  /** Behind `serve --http`'s front: listen on its Unix socket, answer as the front's address. */
  readonly worker?: { readonly config: HttpWorkerConfig; readonly control: WorkerControl } | undefined;
}

/** Agent id of callers when no authentication is configured (they tell themselves apart with agent_id). */
const ANONYMOUS = "anonymous";
const RESOURCE_METADATA_PATH = "/.well-known/oauth-protected-resource";

/**
 * Serves MCP over Streamable HTTP at /mcp, statelessly (one McpServer per request), with
 * authentication, DNS-rebinding protection, limits, /healthz, /readyz and one log line per request.
 * Resolves when a signal stopped it. Throws INSECURE_BIND before listening when it must not start.
 */
export async function runHttpServer(deps: ServerDeps, opts: HttpOptions): Promise<void> {
  const tokenDb = opts.tokenDb;
  const tokenStore = tokenDb ? (): Promise<StorePort> => deps.stores.get(tokenDb) : undefined;
  const loopback = isLoopback(opts.bind.host);
  if (!loopback) {
    const tokens = tokenStore ? await (await tokenStore()).direct.countTokens() : 0;
    if (!opts.authRequired && !opts.jwt && tokens === 0 && !opts.insecureNoAuth) {
      throw new OrchestratorError(
        "INSECURE_BIND",
        `Refusing to serve ${opts.bind.host} without authentication: anyone who reaches the port could read and change every plan. Create a token (orchestrator token create --name NAME${tokenDb ? "" : " --db FILE, with the same --db here"}) or pass --auth tokens; --insecure-no-auth serves everyone.`,
      );
    }
  }
  if (opts.insecureNoAuth) {
    opts.log(
      "orchestrator: WARNING: --insecure-no-auth: requests without a token are served; anyone who can reach this port can read and change every plan.\n",
    );
  }
  const worker = opts.worker;
  // Behind the front, the front terminates TLS: the worker speaks plain HTTP on its Unix socket
  // (and still writes https URLs and checks https origins).
  const listener = createListener(worker ? undefined : opts.tls);
  const auth = createAuthenticator({ tokenStore, required: opts.authRequired, jwt: opts.jwt });
  const metrics = opts.metrics ?? createMetrics();
  // Each restart behind the front is a new worker with new counters; the restart count carries on.
  for (let g = 1; g < (worker?.config.generation ?? 1); g++) metrics.restarted();
  const scheme = opts.tls ? "https" : "http";
  const renewals = new Map<string, Map<string, number>>();
  // MCP servers kept between requests, per caller (server-pool.ts).
  const mcpServers = new ServerPool(deps);
  const callerFor = (
    name: string,
    enforced: boolean,
    projects: readonly string[] | null = null,
  ): CallerIdentity => {
    let renewedAt = renewals.get(name);
    if (!renewedAt) {
      if (renewals.size > 10_000) renewals.clear();
      renewedAt = new Map();
      renewals.set(name, renewedAt);
    }
    return { name, enforced, renewedAt, projects };
  };

  const server = listener;
  // Calls still running, answered or not (one past --http-timeout goes on): the stores close only
  // after they end, else such a call reopened its store after the close and a PostgreSQL pool
  // kept the stopped process alive for good.
  const inFlight = new Set<Promise<unknown>>();
  // Signal handlers go in before the "listening" line: whoever started the server may send
  // SIGTERM as soon as it reads that line, and that must stop the server cleanly.
  let endStreams = (): void => {};
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      // The dashboard's event streams never end by themselves: a stop (or a worker's retirement)
      // ends them, and the browsers reconnect to whoever serves next.
      endStreams();
      server.close(() => resolve());
      server.closeIdleConnections?.();
      // Requests in flight finish; a stuck keep-alive client does not hold the exit forever.
      setTimeout(() => server.closeAllConnections?.(), 5_000).unref();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  // SIGHUP is the front's (it restarts this worker); a hangup of the whole group must not kill it.
  if (worker) process.on("SIGHUP", () => {});
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (worker) server.listen(worker.config.socket, () => resolve());
    else server.listen(opts.bind.port, opts.bind.host, () => resolve());
  });
  const port = worker ? worker.config.port : (server.address() as AddressInfo).port;
  const bound = { host: opts.bind.host, port };
  const guard = createOriginGuard(bound, opts.allowOrigins, scheme, opts.publicUrl);
  const ownBase = `${scheme}://${hostPort(bound.host, port)}`;
  const ui = createUiMount({
    auth,
    // Behind a proxy that terminates TLS, the public URL says whether browsers speak HTTPS.
    https: scheme === "https" || opts.publicUrl?.startsWith("https:") === true,
    port,
    actionsAllowed: opts.uiActions === true,
    openSource: tokenDb ? () => openServerSource(deps, tokenDb, opts.uiActions === true) : undefined,
    sameOrigin: (origin) => guard.origins.has(origin.toLowerCase()),
    log: opts.log,
  });
  endStreams = ui.endStreams;
  const baseFor = (req: IncomingMessage): string => {
    if (opts.publicUrl) return opts.publicUrl;
    const host = req.headers.host;
    return host && /^[A-Za-z0-9.:[\]-]{1,300}$/.test(host) ? `${scheme}://${host}` : ownBase;
  };

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const entry: RequestLog = {
      time: new Date().toISOString(),
      request_id: randomBytes(6).toString("hex"),
      method: req.method ?? "?",
      path: path.slice(0, 200),
    };
    res.setHeader("x-request-id", entry.request_id);
    res.on("close", () => {
      entry.status = res.statusCode;
      const ms = performance.now() - started;
      entry.ms = Math.round(ms);
      opts.log(`${JSON.stringify(entry)}\n`);
      if (path === "/mcp")
        metrics.request(entry.tool ?? entry.rpc ?? "none", entry.outcome ?? "other", ms / 1000);
    });
    // Where the request is when --http-timeout strikes decides the answer: 408 only while the
    // client's body is what is awaited. Before it (a token store slow to answer the lookup) the
    // call is never run (`timedOut` stops it), so the client may retry, and the connection closes
    // as after a 408 (its body is not read); during the call, its outcome is unknown.
    // Only /mcp gets as far as a call; every other path (the dashboard's actions among them)
    // counts as running from the start, so no answer says "nothing was run" of it.
    let phase: "checking" | "reading" | "calling" = path === "/mcp" ? "checking" : "calling";
    let timedOut = false;
    const timer = setTimeout(() => {
      if (isDashboardStream(path)) return;
      timedOut = true;
      entry.outcome = "timeout";
      const waiting = phase === "reading";
      const unread = phase !== "calling";
      sendRpcError(
        res,
        waiting ? 408 : 503,
        "REQUEST_TIMEOUT",
        waiting
          ? `the request was not received within ${opts.timeoutMs} ms (--http-timeout).`
          : phase === "checking"
            ? `the request could not be handled within ${opts.timeoutMs} ms (--http-timeout); nothing was run, so it is safe to send again.`
            : `the ${path === "/mcp" ? "call" : "request"} did not finish within ${opts.timeoutMs} ms (--http-timeout); its outcome is unknown.`,
        { headers: unread ? { connection: "close" } : {} },
      );
      if (unread) req.destroy();
    }, opts.timeoutMs);
    res.on("close", () => clearTimeout(timer));

    void (async () => {
      const refused = guard.check(req);
      if (refused) {
        entry.outcome = "forbidden";
        sendRpcError(res, 403, "ORIGIN_FORBIDDEN", `Refused: ${refused}.`);
        return;
      }
      const base = baseFor(req);
      if (path === RESOURCE_METADATA_PATH || path === `${RESOURCE_METADATA_PATH}/mcp`) {
        sendJson(res, 200, resourceMetadata(`${base}/mcp`, opts.jwt?.issuer));
        return;
      }
      if (path === "/healthz") {
        sendJson(res, 200, { status: "ok" });
        return;
      }
      if (path === "/readyz") {
        const r = await readiness(tokenStore);
        sendJson(
          res,
          r.ready ? 200 : 503,
          r.ready ? { status: "ready" } : { status: "not_ready", reason: r.reason },
        );
        return;
      }
      if (path === "/metrics") {
        await serveMetrics(req, res, {
          open: loopback || opts.metricsPublic === true,
          auth,
          metrics,
          tokenStore,
          metadataUrl: `${base}${RESOURCE_METADATA_PATH}/mcp`,
        });
        return;
      }
      if (isDashboardPath(path)) {
        await ui.handle(req, res, path);
        return;
      }
      if (path !== "/mcp") {
        sendJson(res, 404, {
          error: "not found",
          endpoints: ["/mcp", "/ui/", "/healthz", "/readyz", "/metrics", RESOURCE_METADATA_PATH],
        });
        return;
      }
      const who = await auth.authenticate(req, new Date().toISOString());
      if (who.kind === "refused") {
        req.resume();
        if (who.unavailable) {
          entry.outcome = "auth_unavailable";
          sendRpcError(res, 503, "AUTH_UNAVAILABLE", `${who.why}; static tokens still work.`, {
            headers: { "retry-after": "30" },
          });
          return;
        }
        entry.outcome = "auth_failed";
        sendRpcError(res, 401, "AUTH_REQUIRED", `${who.why}; send Authorization: Bearer <token>.`, {
          headers: { "www-authenticate": challenge(`${base}${RESOURCE_METADATA_PATH}/mcp`, who) },
        });
        return;
      }
      const caller =
        who.kind === "ok" ? callerFor(who.name, true, who.projects ?? null) : callerFor(ANONYMOUS, false);
      entry.agent = caller.name;
      if (req.method !== "POST") {
        req.resume();
        entry.outcome = "method_not_allowed";
        // Stateless: no session to resume, no stream to open, nothing to delete.
        sendJson(
          res,
          405,
          {
            jsonrpc: "2.0",
            id: null,
            error: {
              code: -32000,
              message: "Method not allowed: this server is stateless; POST JSON-RPC to /mcp.",
            },
          },
          { allow: "POST" },
        );
        return;
      }
      if (timedOut) return;
      phase = "reading";
      const body = await readBody(req, opts.maxBodyBytes);
      phase = "checking";
      if (body.kind === "aborted" || timedOut) return;
      if (body.kind === "too_large") {
        entry.outcome = "too_large";
        sendRpcError(
          res,
          413,
          "REQUEST_TOO_LARGE",
          `the request body is ${body.bytes} bytes, over the limit of ${opts.maxBodyBytes} (--http-max-body, default 6 × ORCHESTRATOR_MAX_ARTIFACT_BYTES + 1 MiB); it was not read. Send less in one call.`,
        );
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.body.toString("utf8"));
      } catch {
        entry.outcome = "parse_error";
        sendJson(res, 400, {
          jsonrpc: "2.0",
          id: null,
          error: { code: -32700, message: "Parse error: the body is not JSON." },
        });
        return;
      }
      Object.assign(entry, describeCall(parsed));
      phase = "calling";
      const call = answerMcp(mcpServers, caller, {
        url: `${base}/mcp`,
        headers: req.headers,
        body: body.body,
        parsed,
      });
      inFlight.add(call);
      const answer = await call.finally(() => inFlight.delete(call));
      const judged = outcomeOf(answer);
      entry.outcome ??= judged.outcome;
      if (judged.code && isStoreErrorCode(judged.code)) metrics.storeError(judged.code);
      if (res.headersSent) return;
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    })().catch((e: unknown) => {
      entry.outcome = "internal_error";
      const known = isOrchestratorError(e);
      if (known && isStoreErrorCode(e.code)) metrics.storeError(e.code);
      if (!known)
        opts.log(
          `orchestrator: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
        );
      sendRpcError(
        res,
        known ? 503 : 500,
        known ? e.code : "INTERNAL",
        known ? e.message : "an unexpected failure; see the server's log.",
      );
    });
  });

  // Behind the front, only the first worker announces the address: a restart changes nothing outside.
  if (!worker || worker.config.generation === 1) {
    opts.log(
      `orchestrator: listening on ${ownBase}/mcp${opts.publicUrl ? ` (public URL ${opts.publicUrl}/mcp)` : ""}\n`,
    );
  }
  worker?.control.ready(deps.version);
  await stopped;
  await Promise.allSettled([...inFlight]);
  await ui.close();
  await copiesSettled(undefined, EXIT_GRACE_MS);
  await deps.stores.closeAll();
}
