import type { IncomingMessage } from "node:http";
import { OrchestratorError } from "../../core/errors.ts";
import { type BindAddress, hostPort, isLoopback } from "./address.ts";

/**
 * DNS-rebinding protection (MCP Streamable HTTP: Origin MUST be validated, 403 when invalid). A
 * rebound name reaches a loopback server with the attacker's Host and Origin, which agree with
 * each other, so both are compared with what the server itself is, never with each other.
 */
export interface OriginGuard {
  /** Why the request is refused, or undefined when it may go on. */
  check(req: IncomingMessage): string | undefined;
  /** The origins accepted (the server's own plus --allow-origin / --public-url), for the docs and logs. */
  readonly origins: ReadonlySet<string>;
}

/** Normalises an origin (`scheme://host[:port]`), or throws USAGE naming the flag. */
export function parseOrigin(raw: string, flag: string): string {
  try {
    const u = new URL(raw);
    if ((u.protocol === "http:" || u.protocol === "https:") && u.origin !== "null") return u.origin;
  } catch {
    // reported below
  }
  throw new OrchestratorError(
    "USAGE",
    `${flag} must be an http(s) origin such as https://tools.example.com, got '${raw.slice(0, 100)}'.`,
  );
}

/**
 * The guard for a server bound to `bound` (with its real port), the extra origins allowed, the
 * scheme it serves (https with --tls-cert), and the `--public-url` clients reach it at (a reverse
 * proxy that forwards the client's Host).
 */
export function createOriginGuard(
  bound: BindAddress,
  allowed: readonly string[],
  scheme: "http" | "https" = "http",
  publicUrl?: string | undefined,
): OriginGuard {
  const loopback = isLoopback(bound.host);
  // Every name the server answers to on loopback; on another address, the address itself.
  const names = loopback ? new Set(["127.0.0.1", "localhost", "::1", bound.host]) : new Set([bound.host]);
  const hosts = new Set([...names].map((n) => hostPort(n, bound.port).toLowerCase()));
  const origins = new Set([...hosts].map((h) => `${scheme}://${h}`));
  // A proxy on this machine forwarding the Host it was sent (nginx: proxy_set_header Host
  // $http_host) reaches a loopback server with the public name: that name was chosen by the
  // operator, so it is as trustworthy as the server's own.
  if (publicUrl) {
    hosts.add(new URL(publicUrl).host.toLowerCase());
    origins.add(new URL(publicUrl).origin);
  }
  for (const o of allowed) origins.add(o);
  return {
    origins,
    check(req) {
      const origin = req.headers.origin;
      if (origin !== undefined && !origins.has(normalise(origin))) {
        return `the Origin ${JSON.stringify(origin.slice(0, 100))} is not this server's (DNS-rebinding protection)`;
      }
      // Behind a proxy the Host is the proxy's name: only a loopback bind can know its own.
      const host = req.headers.host?.toLowerCase();
      if (loopback && (host === undefined || !hosts.has(host))) {
        return `the Host ${JSON.stringify((host ?? "").slice(0, 100))} is not the loopback address this server is bound to nor its --public-url (DNS-rebinding protection)`;
      }
      return undefined;
    },
  };
}

function normalise(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return origin;
  }
}
