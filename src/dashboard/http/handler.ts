import type { IncomingMessage, ServerResponse } from "node:http";
import { isOrchestratorError } from "../../core/errors.ts";
import { readBody } from "../../server/http/body.ts";
import { type DashboardAssets, dashboardAssets } from "../assets.ts";
import { ActionRequestSchema, type DashboardSource, type Overview, type ProjectScope } from "../contract.ts";
import { answerRead, isReadRoute, statusOf } from "./api.ts";
import { serveAsset } from "./assets-route.ts";
import { createEventHub, type EventHub } from "./events.ts";
import { sendApiError, sendError, sendJson } from "./respond.ts";

/** Who is looking, as the layer in front (the secret, a token) established it. */
export interface Viewer {
  readonly scope: ProjectScope;
  /** The name actions are recorded under (--as, the token's name). */
  readonly actor: string;
}

export interface DashboardHandlerOptions {
  /** The data, opened on first use (a server that never serves the dashboard opens nothing). */
  readonly source: () => DashboardSource;
  /** --allow-actions / --ui-actions: POST api/action may change tasks. */
  readonly actionsAllowed: boolean;
  readonly assets?: () => Promise<DashboardAssets>;
  readonly log: (line: string) => void;
}

/** The dashboard's routes below its base (contract.ts), for `ui` and for serve --http's /ui/. */
export interface DashboardHandler {
  /**
   * Answers one authenticated request; `rel` is the path below the base without its leading
   * slash ("" is the start page), `sameOrigin` tells whether an Origin header is this server's.
   */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    rel: string,
    viewer: Viewer,
    sameOrigin: (origin: string) => boolean,
  ): Promise<void>;
  readonly events: EventHub;
  /** Ends the event streams (stop, restart); the source is the owner's to close. */
  close(): void;
}

/** Longest api/action body: a project, a task id, an action and a note of at most 2000 characters. */
const MAX_ACTION_BYTES = 16 * 1024;
const READ_METHODS = "GET, HEAD";

export function createDashboardHandler(o: DashboardHandlerOptions): DashboardHandler {
  const events = createEventHub(o.source);
  const assets = o.assets ?? dashboardAssets;

  const action = async (
    req: IncomingMessage,
    res: ServerResponse,
    viewer: Viewer,
    sameOrigin: (origin: string) => boolean,
  ): Promise<void> => {
    const refuse = (status: number, code: Parameters<typeof sendApiError>[2], message: string): void => {
      req.resume();
      sendApiError(res, status, code, message);
    };
    if (!o.actionsAllowed) {
      return refuse(
        403,
        "DASHBOARD_READ_ONLY",
        "This dashboard is read-only; start it with --allow-actions (serve --http: --ui-actions) to allow actions.",
      );
    }
    // A page on another site can send a simple POST to this one; it cannot add a custom header
    // without CORS, which this server never grants, nor fake a same-origin Sec-Fetch-Site.
    const site = req.headers["sec-fetch-site"];
    const origin = req.headers.origin;
    if (
      req.headers["x-orchestrator-dashboard"] !== "1" ||
      (site !== undefined && site !== "same-origin") ||
      (origin !== undefined && !sameOrigin(origin))
    ) {
      return refuse(
        403,
        "ORIGIN_FORBIDDEN",
        "An action must come from the dashboard's own page (same origin, header X-Orchestrator-Dashboard: 1).",
      );
    }
    if (!/^application\/json\s*(;|$)/i.test(String(req.headers["content-type"] ?? ""))) {
      return refuse(415, "INVALID_INPUT", "api/action takes a JSON body (Content-Type: application/json).");
    }
    const body = await readBody(req, MAX_ACTION_BYTES);
    if (body.kind === "aborted") return;
    if (body.kind === "too_large") {
      return refuse(413, "REQUEST_TOO_LARGE", `api/action takes at most ${MAX_ACTION_BYTES} bytes.`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(body.body.toString("utf8"));
    } catch {
      return refuse(400, "INVALID_INPUT", "api/action: the body is not JSON.");
    }
    const parsed = ActionRequestSchema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join(".") || "body"}: ${i.message}`)
        .join("; ");
      return refuse(400, "INVALID_INPUT", `api/action: ${issues}.`);
    }
    sendJson(res, 200, await o.source().act(viewer.scope, parsed.data, viewer.actor));
  };

  const route = async (
    req: IncomingMessage,
    res: ServerResponse,
    rel: string,
    viewer: Viewer,
    sameOrigin: (origin: string) => boolean,
  ): Promise<void> => {
    const method = req.method ?? "GET";
    const head = method === "HEAD";
    const notAllowed = (allow: string): void => {
      req.resume();
      sendError(res, rel, 405, "DASHBOARD_METHOD_NOT_ALLOWED", `${rel || "/"} takes ${allow}.`, { allow });
    };
    if (rel === "api/action") {
      if (method !== "POST") return notAllowed("POST");
      return action(req, res, viewer, sameOrigin);
    }
    if (method !== "GET" && !head) return notAllowed(rel === "api/events" ? "GET" : READ_METHODS);
    if (rel === "api/events") {
      if (head) return notAllowed("GET");
      if (!events.open(res)) {
        sendApiError(res, 503, "DASHBOARD_BUSY", "Too many open event streams; try again shortly.", {
          "retry-after": "5",
        });
      }
      return;
    }
    if (rel.startsWith("api/")) {
      const name = rel.slice(4);
      if (!isReadRoute(name)) {
        sendApiError(res, 404, "DASHBOARD_NOT_FOUND", `There is no ${JSON.stringify(rel.slice(0, 100))}.`);
        return;
      }
      const params = new URL(req.url ?? "/", "http://x").searchParams;
      const answer = await answerRead(o.source(), viewer.scope, name, params);
      if (answer.kind === "json") {
        // Under serve --http each viewer acts under their own token's name, not one per source.
        const body = name === "overview" ? withActor(answer.body as Overview, viewer.actor) : answer.body;
        sendJson(res, 200, body, { head });
        return;
      }
      const filename = answer.filename.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 200) || "export";
      res.writeHead(200, {
        "content-type": answer.contentType,
        "content-length": String(Buffer.byteLength(answer.body)),
        "content-disposition": `attachment; filename="${filename}"`,
        "cache-control": "no-store",
      });
      res.end(head ? undefined : answer.body);
      return;
    }
    await serveAsset(req, res, rel, assets, o.log);
  };

  return {
    events,
    async handle(req, res, rel, viewer, sameOrigin) {
      try {
        await route(req, res, rel, viewer, sameOrigin);
      } catch (e) {
        if (isOrchestratorError(e)) {
          sendError(res, rel, statusOf(e.code), e.code, e.message);
          return;
        }
        o.log(
          `orchestrator: dashboard: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
        );
        sendError(res, rel, 500, "INTERNAL", "An unexpected failure; see the server's log.");
      }
    },
    close: () => events.closeAll(),
  };
}

function withActor(o: Overview, actor: string): Overview {
  return o.actions.allowed ? { ...o, actions: { allowed: true, actor } } : o;
}
