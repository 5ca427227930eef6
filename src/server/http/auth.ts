import type { IncomingMessage } from "node:http";
import { verifyToken } from "../../app/tokens.ts";
import type { StorePort } from "../../store/port.ts";
import { createJwtVerifier, type JwtConfig, looksLikeJwt } from "./jwt.ts";

/**
 * Bearer authentication of /mcp (MCP authorization, RFC 6750, RFC 9728): static tokens from one
 * database, JWTs from an identity provider, or both. Static tokens are on when `--auth tokens`
 * says so or as soon as that database holds any token (revoked ones too: revoking the last token
 * must not open the server); a configured provider always requires a credential.
 */
export interface Authenticator {
  /** The caller's identity, why not (the 401 or 503 to send), or `open` when no authentication is configured. */
  authenticate(req: IncomingMessage, now: string): Promise<AuthOutcome>;
}

export type AuthOutcome =
  | { readonly kind: "open" }
  | {
      readonly kind: "ok";
      readonly name: string;
      /** A static token's project limit (null or absent: every project; JWTs are never limited). */
      readonly projects?: readonly string[] | null;
    }
  | {
      readonly kind: "refused";
      readonly why: string;
      readonly invalidToken: boolean;
      /** The provider's keys could not be fetched: 503, not the caller's fault. */
      readonly unavailable?: boolean;
    };

/** Longest bearer value read: JWTs with many claims run to a few kilobytes. */
const BEARER = /^Bearer +([A-Za-z0-9._~+/=-]{1,8192})\s*$/i;

/** The authenticator over the token database (`undefined`: the server has none) and the JWT provider, if any. */
export function createAuthenticator(opts: {
  readonly tokenStore: (() => Promise<StorePort>) | undefined;
  readonly required: boolean;
  readonly jwt?: JwtConfig | undefined;
}): Authenticator {
  let tokensSeen = false;
  const verifyJwt = opts.jwt ? createJwtVerifier(opts.jwt) : undefined;
  return {
    async authenticate(req, now) {
      const store = opts.tokenStore ? await opts.tokenStore() : undefined;
      if (!tokensSeen && store) tokensSeen = (await store.direct.countTokens()) > 0;
      const header = req.headers.authorization;
      if (!opts.required && !tokensSeen && !verifyJwt) return { kind: "open" };
      if (header === undefined) {
        return { kind: "refused", why: "this server needs a bearer token", invalidToken: false };
      }
      const token = BEARER.exec(header)?.[1];
      // Our own tokens start with orch_ (core/token.ts), so the two kinds never compete for one value.
      if (token && verifyJwt && !token.startsWith("orch_") && looksLikeJwt(token)) {
        const r = await verifyJwt(token);
        if (r.kind === "ok") return r;
        return { kind: "refused", why: r.why, invalidToken: true, unavailable: r.kind === "unavailable" };
      }
      if (!token || !store) {
        return {
          kind: "refused",
          why: `the Authorization header is not a bearer token this server accepts${verifyJwt ? " (one of its tokens or a JWT)" : ""}`,
          invalidToken: true,
        };
      }
      const r = await verifyToken(store, token, now);
      if (r.ok) return { kind: "ok", name: r.name, projects: r.projects };
      const why = {
        unknown: "the token is not known",
        revoked: "the token was revoked",
        expired: "the token expired",
      }[r.reason];
      return { kind: "refused", why, invalidToken: true };
    },
  };
}

/** The `WWW-Authenticate` value of a 401: where the metadata is, and RFC 6750's error when a token was sent. */
export function challenge(metadataUrl: string, refused: { why: string; invalidToken: boolean }): string {
  const parts = [`Bearer resource_metadata="${metadataUrl}"`];
  // RFC 6750 §3.1: no error code when the request carried no credentials at all.
  if (refused.invalidToken) parts.push(`error="invalid_token"`, `error_description="${refused.why}"`);
  return parts.join(", ");
}

/**
 * RFC 9728 protected resource metadata. Static tokens come from `orchestrator token`, not from an
 * OAuth authorization server, so without a JWT provider `authorization_servers` (optional in
 * RFC 9728) is left out: a client has to be given its token. With one, it names the issuer, where
 * an OAuth client can get a token for this resource.
 */
export function resourceMetadata(resource: string, issuer?: string): Record<string, unknown> {
  return {
    resource,
    ...(issuer ? { authorization_servers: [issuer] } : {}),
    bearer_methods_supported: ["header"],
    resource_name: "orchestrator",
  };
}
