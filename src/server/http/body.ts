import type { IncomingMessage } from "node:http";

/** A request body as read: whole, over the limit (the rest drained and dropped), or cut off. */
export type BodyResult =
  | { readonly kind: "ok"; readonly body: Buffer }
  | { readonly kind: "too_large"; readonly bytes: number }
  | { readonly kind: "aborted" };

/**
 * Reads a request body up to `limit` bytes. A longer one is not kept: the rest is read and
 * dropped so the client can finish sending and read the 413 (a server that stops reading makes
 * clients fail with a reset instead of the answer). The request timeout bounds the draining.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers["content-length"]);
    let bytes = 0;
    let over = Number.isFinite(declared) && declared > limit;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) over = true;
      if (!over) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on("end", () =>
      resolve(
        over
          ? { kind: "too_large", bytes: Math.max(bytes, declared || 0) }
          : { kind: "ok", body: Buffer.concat(chunks) },
      ),
    );
    req.on("error", () => resolve({ kind: "aborted" }));
    req.on("aborted", () => resolve({ kind: "aborted" }));
  });
}
