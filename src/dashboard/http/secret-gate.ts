import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** What the gate decided about one request of `orchestrator ui`. */
export type GateDecision =
  | { readonly kind: "ok" }
  /** A valid secret in the query of a page: set the cookie and redirect to `location` without it. */
  | { readonly kind: "sign-in"; readonly location: string; readonly cookie: string }
  | { readonly kind: "refused"; readonly why: string };

/**
 * `orchestrator ui`'s access rule (as notebook servers do): the URL it prints carries a secret;
 * a page opened with it gets an HttpOnly, SameSite=Strict cookie and is redirected to the same
 * path without the secret (out of the address bar and the history). Every request needs the
 * cookie or the secret. The cookie holds a digest of the secret, not the secret, and its name
 * carries the port: browsers share cookies between ports of one host.
 */
export function createSecretGate(secret: string, port: number) {
  const cookieName = `orchestrator_ui_${port}`;
  const cookieValue = digest(`cookie:${secret}`).toString("base64url");
  const secretDigest = digest(secret);
  const cookieDigest = digest(cookieValue);
  const matches = (given: string, expected: Buffer): boolean => timingSafeEqual(digest(given), expected);
  return {
    cookieName,
    decide(req: IncomingMessage, rel: string): GateDecision {
      const url = new URL(req.url ?? "/", "http://x");
      const given = url.searchParams.get("secret");
      if (given !== null) {
        if (!matches(given, secretDigest)) return { kind: "refused", why: "the secret in the URL is wrong" };
        // Scripts may call the API with the secret each time; a page is moved to the cookie.
        if (rel.startsWith("api/") || (req.method !== "GET" && req.method !== "HEAD")) return { kind: "ok" };
        url.searchParams.delete("secret");
        const query = url.searchParams.toString();
        return {
          kind: "sign-in",
          location: `${url.pathname}${query ? `?${query}` : ""}`,
          cookie: `${cookieName}=${cookieValue}; HttpOnly; SameSite=Strict; Path=/`,
        };
      }
      const cookie = readCookie(req.headers.cookie, cookieName);
      if (cookie === undefined) return { kind: "refused", why: "no secret and no dashboard cookie" };
      if (!matches(cookie, cookieDigest))
        return { kind: "refused", why: "the dashboard cookie is not this server's" };
      return { kind: "ok" };
    },
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** The value of cookie `name` in a Cookie header (the first one), or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.slice(0, 8192).split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
