import type { IncomingMessage } from "node:http";
import { verifyToken } from "../../app/tokens.ts";
import type { StorePort } from "../../store/port.ts";

/**
 * Bearer-token authentication of /mcp (MCP authorization, RFC 6750, RFC 9728). Tokens live in one
 * database; authentication is on when `--auth tokens` says so or as soon as that database holds
 * any token (revoked ones too: revoking the last token must not open the server).
 */
export interface Authenticator {
  /** The caller's identity, why not (the 401 to send), or `open` when no authentication is configured. */
  authenticate(req: IncomingMessage, now: string): Promise<AuthOutcome>;
}

export type AuthOutcome =
  | { readonly kind: "open" }
  | { readonly kind: "ok"; readonly name: string }
  | { readonly kind: "refused"; readonly why: string; readonly invalidToken: boolean };

/** The authenticator over the token database (`undefined`: the server has none, so never on). */
export function createAuthenticator(opts: {
  readonly tokenStore: (() => Promise<StorePort>) | undefined;
  readonly required: boolean;
}): Authenticator {
  let tokensSeen = false;
  return {
    async authenticate(req, now) {
      const store = opts.tokenStore ? await opts.tokenStore() : undefined;
      if (!tokensSeen && store) tokensSeen = (await store.direct.countTokens()) > 0;
      const header = req.headers.authorization;
      if (!opts.required && !tokensSeen) return { kind: "open" };
      if (header === undefined) {
        return { kind: "refused", why: "this server needs a bearer token", invalidToken: false };
      }
      const m = /^Bearer +([A-Za-z0-9._~+/=-]{1,512})\s*$/i.exec(header);
      if (!m || !store) {
        return {
          kind: "refused",
          why: "the Authorization header is not a bearer token this server issued",
          invalidToken: true,
        };
      }
      const r = await verifyToken(store, m[1]!, now);
      if (r.ok) return { kind: "ok", name: r.name };
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
 * OAuth authorization server, so `authorization_servers` (optional in RFC 9728) is left out: a
 * client has to be given its token, it cannot fetch one.
 */
export function resourceMetadata(resource: string): Record<string, unknown> {
  return {
    resource,
    bearer_methods_supported: ["header"],
    resource_name: "orchestrator",
  };
}
