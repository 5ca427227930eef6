import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { OrchestratorError } from "../../core/errors.ts";
import { hostPort } from "../../server/http/address.ts";
import { createOriginGuard } from "../../server/http/guard.ts";
import type { DashboardSource } from "../contract.ts";
import { createDashboardHandler, type Viewer } from "./handler.ts";
import { sendError, setSecurityHeaders } from "./respond.ts";
import { createSecretGate } from "./secret-gate.ts";

/** `orchestrator ui`'s port when none is given (taken: any free one, said so). */
export const DEFAULT_UI_PORT = 7717;
/** Longest request line accepted; the routes need far less. */
const MAX_URL = 4096;

export interface UiServerOptions {
  readonly host: string;
  readonly port: number;
  /** --port was given: a taken port is PORT_IN_USE instead of a fallback. */
  readonly portGiven: boolean;
  readonly secret: string;
  readonly source: DashboardSource;
  readonly viewer: Viewer;
  readonly actionsAllowed: boolean;
  readonly log: (line: string) => void;
  /** Once listening: the URL to open (secret included), and whether the port is not the one asked for. */
  readonly onListening: (info: {
    readonly url: string;
    readonly port: number;
    readonly fellBack: boolean;
  }) => void;
}

/**
 * Serves the dashboard for one person on a loopback address until SIGINT or SIGTERM: the secret
 * gate, Host/Origin checks (DNS rebinding), security headers on every answer. On a signal the event
 * streams end, the server closes and the source is closed; resolves then.
 */
export async function runUiServer(o: UiServerOptions): Promise<void> {
  const server = createServer();
  let port: number;
  let fellBack = false;
  try {
    port = await listen(server, o.host, o.port);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
    if (o.portGiven) {
      throw new OrchestratorError(
        "PORT_IN_USE",
        `Port ${o.port} on ${o.host} is taken by another program; pass another --port, or --port 0 for any free one.`,
      );
    }
    port = await listen(server, o.host, 0);
    fellBack = true;
  }
  const guard = createOriginGuard({ host: o.host, port }, []);
  const gate = createSecretGate(o.secret, port);
  const handler = createDashboardHandler({
    source: () => o.source,
    actionsAllowed: o.actionsAllowed,
    log: o.log,
  });
  const sameOrigin = (origin: string): boolean => {
    try {
      return guard.origins.has(new URL(origin).origin);
    } catch {
      return false;
    }
  };

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    setSecurityHeaders(res);
    const raw = req.url ?? "/";
    const path = raw.split("?")[0] ?? "/";
    const rel = path.replace(/^\/+/, "");
    if (raw.length > MAX_URL) {
      req.resume();
      sendError(res, rel, 414, "INVALID_INPUT", `The request's URL is longer than ${MAX_URL} characters.`);
      return;
    }
    const refused = guard.check(req);
    if (refused) {
      req.resume();
      sendError(res, rel, 403, "ORIGIN_FORBIDDEN", `Refused: ${refused}.`);
      return;
    }
    const d = gate.decide(req, rel);
    if (d.kind === "refused") {
      req.resume();
      sendError(
        res,
        rel,
        403,
        "DASHBOARD_SECRET_REQUIRED",
        `Refused (${d.why}). Open the URL \`orchestrator ui\` printed in its terminal (http://${hostPort(o.host, port)}/?secret=...).`,
      );
      return;
    }
    if (d.kind === "sign-in") {
      req.resume();
      res.writeHead(303, { location: d.location, "set-cookie": d.cookie, "cache-control": "no-store" });
      res.end();
      return;
    }
    void handler.handle(req, res, rel, o.viewer, sameOrigin);
  });

  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      handler.close();
      server.close(() => resolve());
      server.closeIdleConnections?.();
      // A client holding a connection open does not hold the exit for long.
      setTimeout(() => server.closeAllConnections?.(), 3_000).unref();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  o.onListening({ url: `http://${hostPort(o.host, port)}/?secret=${o.secret}`, port, fellBack });
  await stopped;
  await o.source.close();
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
