import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** The prefix of every token this program issues, so a leaked one is recognisable (secret scanners). */
export const TOKEN_PREFIX = "orch_";

/** A new bearer token: 32 random bytes (256 bits), base64url, behind the prefix. */
export function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/**
 * The digest a token is stored and looked up by. A plain SHA-256 is enough here, unlike for
 * passwords: the secret has 256 random bits, so there is no dictionary to try and a slow hash
 * would only slow every request down.
 */
export function tokenDigest(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Constant-time equality of two hex digests (false when their lengths differ). */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
