import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthOutcome } from "../../server/http/auth.ts";
import { readBody } from "../../server/http/body.ts";
import { escapeHtml, sendPage } from "./respond.ts";

/** Longest credential kept in the cookie: browsers keep about 4 KB per cookie. */
const MAX_COOKIE_TOKEN = 3800;

/** The sign-in form: plain HTML, no script (the CSP allows none), posting to itself. */
export function sendSignInPage(res: ServerResponse, status: number, problem?: string): void {
  sendPage(
    res,
    status,
    "Sign in to the orchestrator dashboard",
    `${problem ? `<p role="alert"><strong>${escapeHtml(problem)}</strong></p>\n` : ""}<p>Paste a token of this server (<code>orchestrator token create --name NAME</code>) or a JWT of its identity provider. It is kept in an HttpOnly cookie for this dashboard only; /mcp never accepts the cookie.</p>
<form method="post" action="sign-in">
<p><label for="token">Token</label><br><input id="token" type="password" name="token" autocomplete="current-password" required size="60"></p>
<p><button type="submit">Sign in</button></p>
</form>`,
  );
}

/** The sign-out page: a button posting to itself (a GET must not sign anyone out: links can be planted). */
export function sendSignOutPage(res: ServerResponse): void {
  sendPage(
    res,
    200,
    "Sign out of the orchestrator dashboard",
    `<form method="post" action="sign-out"><p><button type="submit">Sign out</button></p></form>\n<p><a href="./">Back to the dashboard</a></p>`,
  );
}

/**
 * POST sign-in: reads the urlencoded form (at most 16 KiB), checks the token with the server's
 * authenticator, and answers the cookie and a 303 to the dashboard, or the form again with why.
 */
export async function signIn(
  req: IncomingMessage,
  res: ServerResponse,
  o: {
    readonly verify: (token: string) => Promise<AuthOutcome>;
    readonly cookie: (token: string) => string;
  },
): Promise<void> {
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(String(req.headers["content-type"] ?? ""))) {
    req.resume();
    sendSignInPage(res, 415, "The sign-in form must be posted as a form.");
    return;
  }
  const body = await readBody(req, 16 * 1024);
  if (body.kind === "aborted") return;
  if (body.kind === "too_large") {
    sendSignInPage(res, 413, "That is longer than any token this server issues.");
    return;
  }
  const token = (new URLSearchParams(body.body.toString("utf8")).get("token") ?? "").trim();
  if (token === "" || token.length > MAX_COOKIE_TOKEN || !/^[A-Za-z0-9._~+/=-]+$/.test(token)) {
    sendSignInPage(res, 401, "That is not a token this server accepts.");
    return;
  }
  const who = await o.verify(token);
  if (who.kind === "refused") {
    sendSignInPage(
      res,
      who.unavailable ? 503 : 401,
      who.unavailable ? `The token could not be checked now (${who.why}).` : `Refused: ${who.why}.`,
    );
    return;
  }
  res.writeHead(303, { location: "./", "set-cookie": o.cookie(token), "cache-control": "no-store" });
  res.end();
}
