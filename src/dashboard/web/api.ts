import type { ApiError } from "../contract.ts";

/*
 * Every request goes to the serving origin, relative to the page (the dashboard lives at `/` or
 * `/ui/`). Failures become one ApiFailure with the server's code and message for the banner.
 */
export class ApiFailure extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status: number) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

async function failure(r: Response): Promise<ApiFailure> {
  try {
    const body = (await r.json()) as Partial<ApiError>;
    if (body.error && typeof body.error.code === "string" && typeof body.error.message === "string") {
      return new ApiFailure(body.error.code, body.error.message, r.status);
    }
  } catch {
    // not JSON: fall through to the status line
  }
  return new ApiFailure(`HTTP_${r.status}`, `${r.status} ${r.statusText || "request failed"}`, r.status);
}

async function send(url: string, init: RequestInit): Promise<unknown> {
  let r: Response;
  try {
    r = await fetch(url, { credentials: "same-origin", cache: "no-store", ...init });
  } catch {
    throw new ApiFailure(
      "UNREACHABLE",
      "The dashboard server cannot be reached; retrying when it is back.",
      0,
    );
  }
  if (!r.ok) throw await failure(r);
  return r.json();
}

export function getJson<T>(url: string): Promise<T> {
  return send(url, { headers: { accept: "application/json" } }) as Promise<T>;
}

/** A write: JSON body and the header a cross-site form cannot send. */
export function postJson<T>(url: string, body: unknown): Promise<T> {
  return send(url, {
    method: "POST",
    headers: {
      accept: "application/json",
      "content-type": "application/json",
      "X-Orchestrator-Dashboard": "1",
    },
    body: JSON.stringify(body),
  }) as Promise<T>;
}
