import { createRemoteJWKSet, errors, jwtVerify } from "jose";
import { isValidTokenName, TOKEN_NAME_RULE } from "../../core/token.ts";

/** `--auth-jwks-url`, `--auth-issuer`, `--auth-audience`, `--auth-identity-claim`: an identity provider's JWTs. */
export interface JwtConfig {
  readonly jwksUrl: string;
  readonly issuer: string;
  /** This server's resource identifier: a token issued for another resource is refused (MCP authorization). */
  readonly audience: string;
  /** The claim naming the agent (default `sub`). */
  readonly identityClaim: string;
}

/** A JWT's verdict: the agent it names, a refusal (401), or the key set could not be had (503). */
export type JwtOutcome =
  | { readonly kind: "ok"; readonly name: string }
  | { readonly kind: "refused"; readonly why: string }
  | { readonly kind: "unavailable"; readonly why: string };

/**
 * Asymmetric algorithms only: with keys from a public JWKS, an HS* token would be "signed" with a
 * public key anyone can read, and `none` is no signature at all (jose refuses it in jwtVerify too).
 */
const ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];
/** Seconds of clock difference allowed on exp/nbf/iat between the provider and this machine. */
const LEEWAY_SECONDS = 30;

/** Whether a bearer value has the shape of a compact JWS (three base64url parts). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

/**
 * A verifier over the provider's key set. jose's remote set caches the keys (10 minutes), fetches
 * again when a token names an unknown `kid` (at most once per 30 s cooldown, so forged kids cannot
 * make this server hammer the provider), and times a fetch out after 5 s.
 */
export function createJwtVerifier(config: JwtConfig): (token: string) => Promise<JwtOutcome> {
  const keys = createRemoteJWKSet(new URL(config.jwksUrl), {
    cooldownDuration: 30_000,
    cacheMaxAge: 600_000,
    timeoutDuration: 5_000,
  });
  return async (token) => {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: ALGORITHMS,
        clockTolerance: LEEWAY_SECONDS,
      }));
    } catch (e) {
      return judge(e);
    }
    const name = payload[config.identityClaim];
    if (typeof name !== "string" || !isValidTokenName(name)) {
      return {
        kind: "refused",
        why: `the token's '${config.identityClaim}' claim is not an agent name (${TOKEN_NAME_RULE})`,
      };
    }
    return { kind: "ok", name };
  };
}

/** Sorts a failure into the token's fault (401) and the key set's (503), with a reason safe to send. */
function judge(e: unknown): JwtOutcome {
  if (e instanceof errors.JWTExpired) return { kind: "refused", why: "the JWT expired" };
  if (e instanceof errors.JWTClaimValidationFailed) {
    const claim = ["aud", "iss", "nbf", "iat"].includes(e.claim) ? e.claim : "a claim";
    const why =
      claim === "aud"
        ? "the JWT is for another audience (resource), not this server"
        : claim === "iss"
          ? "the JWT comes from another issuer"
          : claim === "nbf"
            ? "the JWT is not valid yet"
            : `the JWT's ${claim} is not acceptable`;
    return { kind: "refused", why };
  }
  if (e instanceof errors.JWKSNoMatchingKey) {
    return { kind: "refused", why: "the JWT's key (kid) is not in the provider's key set" };
  }
  if (e instanceof errors.JWSSignatureVerificationFailed) {
    return { kind: "refused", why: "the JWT's signature does not verify" };
  }
  if (e instanceof errors.JOSEAlgNotAllowed || e instanceof errors.JOSENotSupported) {
    return { kind: "refused", why: "the JWT's algorithm is not accepted (asymmetric signatures only)" };
  }
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) {
    return { kind: "refused", why: "the bearer value is not a valid signed JWT" };
  }
  if (e instanceof errors.JWKSMultipleMatchingKeys) {
    return { kind: "refused", why: "the JWT names no kid and the key set holds several keys" };
  }
  // Timeouts, refused connections, non-200 answers, a malformed key set: not the caller's fault.
  return {
    kind: "unavailable",
    why: `the identity provider's key set (JWKS) cannot be fetched (${e instanceof errors.JWKSTimeout ? "timeout" : e instanceof errors.JOSEError ? e.code : "connection failed"})`,
  };
}
