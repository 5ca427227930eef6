import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createSecureContext } from "node:tls";
import { OrchestratorError } from "../../core/errors.ts";

/** `--tls-cert` / `--tls-key`: PEM texts, read by the CLI, with the file names for messages. */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * The listening server: plain HTTP, or HTTPS with the given certificate. The pair is checked here,
 * before listening, so a wrong file is one clear line at start (TLS_INVALID, exit 2) and not a
 * handshake failure on every client later.
 */
export function createListener(tls: TlsFiles | undefined): Server {
  if (!tls) return createHttpServer();
  try {
    createSecureContext({ cert: tls.cert, key: tls.key });
  } catch (e) {
    const raw = e instanceof Error ? (e.message.split("\n")[0] ?? "").slice(0, 200) : String(e);
    const reason = /KEY_VALUES_MISMATCH/i.test(raw)
      ? "the private key does not belong to the certificate"
      : /NO_START_LINE|PEM/i.test(raw)
        ? `a file holds no PEM block: ${raw}`
        : raw;
    throw new OrchestratorError(
      "TLS_INVALID",
      `--tls-cert ${tls.certFile} and --tls-key ${tls.keyFile} are not a PEM certificate and its private key (${reason}).`,
    );
  }
  // node:https's Server is an http.Server with TLS underneath; the request handling is the same.
  return createHttpsServer({ cert: tls.cert, key: tls.key }) as unknown as Server;
}
