import type { IncomingMessage, ServerResponse } from "node:http";
import { isOrchestratorError } from "../../core/errors.ts";
import type { Authenticator } from "../../server/http/auth.ts";
import type { DashboardSource } from "../contract.ts";
import { createDashboardHandler, type Viewer } from "./handler.ts";
import { sendError, setSecurityHeaders } from "./respond.ts";
import { readCookie } from "./secret-gate.ts";
import { sendSignInPage, sendSignOutPage, signIn } from "./sign-in.ts";

/** Paths of `serve --http` the dashboard answers: /ui and everything below /ui/. */
export function isDashboardPath(path: string): boolean {
  return path === "/ui" || path.startsWith("/ui/");
}

/** The event stream, which outlives any request timeout. */
export function isDashboardStream(path: string): boolean {
  return path === "/ui/api/events";
}

/** Who is served without a credential when the server has no authentication (as /mcp does). */
const ANONYMOUS = "anonymous";

export interface UiMountOptions {
  /** The server's authenticator: the same tokens and JWTs as /mcp. */
  readonly auth: Authenticator;
  readonly https: boolean;
  /** The port clients reach (the cookie's name carries it: cookies are not port-isolated). */
  readonly port: number;
  /** --ui-actions. */
  readonly actionsAllowed: boolean;
  /** Opens the source over the server's store; undefined when the server has no database. */
  readonly openSource: (() => Promise<DashboardSource>) | undefined;
  readonly sameOrigin: (origin: string) => boolean;
  readonly log: (line: string) => void;
}

export interface UiMount {
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  /** Ends the event streams at once (a stop, or a worker retiring). */
  endStreams(): void;
  /** Closes the source, when one was opened. */
  close(): Promise<void>;
}

/**
 * The dashboard under `serve --http` at /ui/ (issue 15): the credential is the identity. A token
 * (or JWT) is signed in once through /ui/sign-in and kept in an HttpOnly, SameSite=Strict cookie
 * scoped to /ui, checked again on every request (revoking it signs out); its name is the actor,
 * its project limit the scope. /mcp never reads this cookie, so it stays bearer-only and immune
 * to cross-site requests. Without authentication (a loopback bind) the dashboard is open, as /mcp is.
 */
export function createUiMount(o: UiMountOptions): UiMount {
  const cookieName = `orchestrator_ui_${o.port}`;
  const cookie = (value: string, maxAge?: number): string =>
    `${cookieName}=${value}; HttpOnly; SameSite=Strict; Path=/ui${o.https ? "; Secure" : ""}${maxAge === undefined ? "" : `; Max-Age=${maxAge}`}`;
  let source: DashboardSource | undefined;
  let opening: Promise<DashboardSource> | undefined;
  const handler = createDashboardHandler({
    source: () => {
      if (!source) throw new Error("the dashboard's source is not open");
      return source;
    },
    actionsAllowed: o.actionsAllowed,
    log: o.log,
  });
  const verify = (token: string | undefined) =>
    o.auth.authenticate(
      { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } } as IncomingMessage,
      new Date().toISOString(),
    );

  return {
    async handle(req, res, path) {
      setSecurityHeaders(res);
      if (path === "/ui") {
        req.resume();
        const query = (req.url ?? "").split("?")[1];
        res.writeHead(308, { location: `/ui/${query ? `?${query}` : ""}`, "cache-control": "no-store" });
        res.end();
        return;
      }
      const rel = path.slice("/ui/".length);
      const method = req.method ?? "GET";
      if (rel === "sign-in" || rel === "sign-out") {
        if (method === "GET" || method === "HEAD") {
          if (rel === "sign-in") sendSignInPage(res, 200);
          else sendSignOutPage(res);
          return;
        }
        if (method !== "POST") {
          req.resume();
          sendError(res, rel, 405, "DASHBOARD_METHOD_NOT_ALLOWED", `/ui/${rel} takes GET or POST.`, {
            allow: "GET, HEAD, POST",
          });
          return;
        }
        // A form another site posts would sign the browser in as the attacker (login CSRF).
        const site = req.headers["sec-fetch-site"];
        if (site !== undefined && site !== "same-origin" && site !== "none") {
          req.resume();
          sendError(res, rel, 403, "ORIGIN_FORBIDDEN", "Sign in from this server's own page.");
          return;
        }
        if (rel === "sign-in") {
          await signIn(req, res, { verify, cookie: (t) => cookie(t) });
          return;
        }
        req.resume();
        res.writeHead(303, { location: "sign-in", "set-cookie": cookie("", 0), "cache-control": "no-store" });
        res.end();
        return;
      }
      if (!o.openSource) {
        req.resume();
        sendError(
          res,
          rel,
          503,
          "WORKSPACE_UNRESOLVED",
          "This server has no database to show: start it with --db FILE|URL or --workspace DIR.",
        );
        return;
      }
      const given = readCookie(req.headers.cookie, cookieName);
      const who = await verify(given === "" ? undefined : given);
      if (who.kind === "refused") {
        req.resume();
        if (who.unavailable) {
          sendError(res, rel, 503, "AUTH_UNAVAILABLE", `${who.why}; static tokens still work.`, {
            "retry-after": "30",
          });
          return;
        }
        const clear: Record<string, string> = given ? { "set-cookie": cookie("", 0) } : {};
        if (rel.startsWith("api/")) {
          sendError(res, rel, 401, "AUTH_REQUIRED", `${who.why}; sign in at /ui/sign-in.`, clear);
          return;
        }
        res.writeHead(303, { location: `${"../".repeat(rel.split("/").length - 1)}sign-in`, ...clear });
        res.end();
        return;
      }
      const viewer: Viewer =
        who.kind === "ok"
          ? { scope: who.projects ? { all: false, projects: who.projects } : { all: true }, actor: who.name }
          : { scope: { all: true }, actor: ANONYMOUS };
      if (!source) {
        opening ??= o.openSource();
        try {
          source = await opening;
        } catch (e) {
          opening = undefined;
          const known = isOrchestratorError(e);
          o.log(
            `orchestrator: the dashboard's store did not open: ${e instanceof Error ? e.message : String(e)}\n`,
          );
          sendError(
            res,
            rel,
            503,
            known ? e.code : "STORE_UNAVAILABLE",
            known ? e.message : "The store did not open; see the server's log.",
          );
          return;
        }
      }
      await handler.handle(req, res, rel, viewer, o.sameOrigin);
    },
    endStreams: () => handler.close(),
    async close() {
      handler.close();
      await source?.close();
    },
  };
}
