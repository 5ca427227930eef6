import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { OrchestratorError } from "../../core/errors.ts";
import type { JwtConfig } from "../../server/http/jwt.ts";
import type { TlsFiles } from "../../server/http/tls.ts";

/** The `serve --http` flags of this file (the rest are in serve-http.ts). */
interface SecurityFlags {
  authJwksUrl?: string;
  authIssuer?: string;
  authAudience?: string;
  authIdentityClaim?: string;
  tlsCert?: string;
  tlsKey?: string;
}

/**
 * `--auth-jwks-url`, `--auth-issuer`, `--auth-audience` (all three or none) and
 * `--auth-identity-claim`. Issuer and audience are required, not optional: a JWT checked against
 * a key set alone would let a token the provider issued for any other service in.
 */
export function jwtConfig(flags: SecurityFlags): JwtConfig | undefined {
  const given = {
    "--auth-jwks-url": flags.authJwksUrl,
    "--auth-issuer": flags.authIssuer,
    "--auth-audience": flags.authAudience,
  };
  const missing = Object.entries(given).filter(([, v]) => v === undefined || String(v).trim() === "");
  if (missing.length === 3) {
    if (flags.authIdentityClaim !== undefined) {
      throw new OrchestratorError(
        "USAGE",
        "--auth-identity-claim only applies with --auth-jwks-url, --auth-issuer and --auth-audience.",
      );
    }
    return undefined;
  }
  if (missing.length > 0) {
    throw new OrchestratorError(
      "USAGE",
      `JWT validation needs --auth-jwks-url, --auth-issuer and --auth-audience together; missing ${missing.map(([k]) => k).join(", ")}.`,
    );
  }
  const jwksUrl = String(flags.authJwksUrl);
  let url: URL | undefined;
  try {
    url = new URL(jwksUrl);
  } catch {
    url = undefined;
  }
  const loopbackHttp =
    url?.protocol === "http:" && /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname);
  if (!url || (url.protocol !== "https:" && !loopbackHttp)) {
    throw new OrchestratorError(
      "USAGE",
      `--auth-jwks-url must be an https:// URL (http:// only on this machine: 127.0.0.1, localhost), got '${jwksUrl.slice(0, 100)}'.`,
    );
  }
  const claim = String(flags.authIdentityClaim ?? "sub");
  if (!/^[A-Za-z0-9_.:/-]{1,200}$/.test(claim)) {
    throw new OrchestratorError(
      "USAGE",
      `--auth-identity-claim must be a claim name such as sub or preferred_username, got '${claim.slice(0, 100)}'.`,
    );
  }
  const text = (v: unknown, flag: string): string => {
    const s = String(v);
    if (s.length > 500 || /[\s"\\]/.test(s)) {
      throw new OrchestratorError(
        "USAGE",
        `${flag} must be one value without spaces or quotes (at most 500 characters).`,
      );
    }
    return s;
  };
  return {
    jwksUrl: url.href,
    issuer: text(flags.authIssuer, "--auth-issuer"),
    audience: text(flags.authAudience, "--auth-audience"),
    identityClaim: claim,
  };
}

/** `--tls-cert FILE --tls-key FILE` (both or neither), read now: a missing file is TLS_INVALID at start. */
export function tlsFiles(flags: SecurityFlags, cwd: string): TlsFiles | undefined {
  if (flags.tlsCert === undefined && flags.tlsKey === undefined) return undefined;
  if (flags.tlsCert === undefined || flags.tlsKey === undefined) {
    throw new OrchestratorError(
      "USAGE",
      "--tls-cert and --tls-key go together: the certificate and its private key.",
    );
  }
  const read = (file: string, flag: string): string => {
    try {
      return readFileSync(resolve(cwd, file), "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "unreadable";
      throw new OrchestratorError("TLS_INVALID", `${flag} ${file} cannot be read (${code}).`);
    }
  };
  const certFile = String(flags.tlsCert);
  const keyFile = String(flags.tlsKey);
  return { cert: read(certFile, "--tls-cert"), key: read(keyFile, "--tls-key"), certFile, keyFile };
}
