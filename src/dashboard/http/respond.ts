import type { ServerResponse } from "node:http";
import type { ErrorCode } from "../../core/errors.ts";

/**
 * What the dashboard may load: its own scripts, styles and fonts, data: images (sanitised
 * Markdown), fetches and the event stream to itself; nothing inline, no frames, no base, forms
 * only to itself (the sign-in page). An artifact an agent wrote that slipped past the sanitiser
 * still cannot run or call out.
 */
export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Set on every dashboard answer, errors and redirects included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "x-frame-options": "DENY",
};

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
}

/** A JSON answer that no cache keeps (`body` omitted for HEAD). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  opts: { readonly head?: boolean; readonly headers?: Record<string, string> } = {},
): void {
  if (res.headersSent || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    "cache-control": "no-store",
    ...opts.headers,
  });
  res.end(opts.head ? undefined : text);
}

/** The API's error shape (contract.ts ApiError): a stable code and a message; never a stack. */
export function sendApiError(
  res: ServerResponse,
  status: number,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { code, message } }, { headers });
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text made safe to place in HTML text and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * A small HTML page (errors, sign-in): no script, no style, so the CSP holds for it too.
 * `bodyHtml` must already be escaped.
 */
export function sendPage(
  res: ServerResponse,
  status: number,
  title: string,
  bodyHtml: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.writableEnded) return;
  const html = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>\n<body><h1>${escapeHtml(title)}</h1>\n${bodyHtml}\n</body></html>\n`;
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": String(Buffer.byteLength(html)),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(html);
}

/** An error as JSON for API paths, as a page for the rest (what a browser tab shows). */
export function sendError(
  res: ServerResponse,
  rel: string,
  status: number,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (rel.startsWith("api/")) sendApiError(res, status, code, message, headers);
  else sendPage(res, status, `${status} ${code}`, `<p>${escapeHtml(message)}</p>`, headers);
}
