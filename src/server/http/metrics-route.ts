import type { IncomingMessage, ServerResponse } from "node:http";
import { isOrchestratorError } from "../../core/errors.ts";
import type { StorePort } from "../../store/port.ts";
import { type Authenticator, challenge } from "./auth.ts";
import { isStoreErrorCode, type Metrics } from "./metrics.ts";
import { sendRpcError } from "./respond.ts";

/**
 * `GET /metrics`. Open on loopback (only this machine can scrape) or with --metrics-public;
 * elsewhere the counts say who works on what, so a credential as for /mcp. A database that fails
 * leaves the claims gauge out and counts the failure: a scrape must work when the store does not.
 */
export async function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  opts: {
    readonly open: boolean;
    readonly auth: Authenticator;
    readonly metrics: Metrics;
    readonly tokenStore: (() => Promise<StorePort>) | undefined;
    readonly metadataUrl: string;
  },
): Promise<void> {
  req.resume();
  const now = new Date().toISOString();
  if (!opts.open) {
    const who = await opts.auth.authenticate(req, now);
    if (who.kind === "refused") {
      sendRpcError(
        res,
        who.unavailable ? 503 : 401,
        who.unavailable ? "AUTH_UNAVAILABLE" : "AUTH_REQUIRED",
        `${who.why}; /metrics on this address needs a bearer token (or --metrics-public).`,
        who.unavailable ? {} : { headers: { "www-authenticate": challenge(opts.metadataUrl, who) } },
      );
      return;
    }
  }
  let held: number | undefined;
  try {
    held = opts.tokenStore ? await (await opts.tokenStore()).direct.countHeldClaims(now) : undefined;
  } catch (e) {
    opts.metrics.storeError(
      isOrchestratorError(e) && isStoreErrorCode(e.code) ? e.code : "STORE_UNAVAILABLE",
    );
  }
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(200, {
    "content-type": "text/plain; version=0.0.4; charset=utf-8",
    "cache-control": "no-store",
  });
  res.end(opts.metrics.render(held));
}
