import type { IncomingMessage, ServerResponse } from "node:http";
import { isOrchestratorError } from "../../core/errors.ts";
import type { DashboardAssets } from "../assets.ts";
import { sendError } from "./respond.ts";

/**
 * Serves the embedded front end: exactly the files the build embedded (a map lookup, so no path
 * reaches the disk), gzip when the client takes it, ETag revalidation for scripts and styles.
 * index.html is never cached: it names the current build's files.
 */
export async function serveAsset(
  req: IncomingMessage,
  res: ServerResponse,
  rel: string,
  load: () => Promise<DashboardAssets>,
  log: (line: string) => void,
): Promise<void> {
  let assets: DashboardAssets;
  try {
    assets = await load();
  } catch (e) {
    log(`orchestrator: dashboard assets unavailable: ${e instanceof Error ? e.message : String(e)}\n`);
    sendError(
      res,
      rel,
      503,
      "DASHBOARD_NOT_BUILT",
      `The dashboard's front end is not available in this run${isOrchestratorError(e) ? ` (${e.message})` : ""}. Run the compiled binary (bun run build → dist/orchestrator) or from source with Bun; the API under api/ still answers.`,
    );
    return;
  }
  const name = rel === "" ? "index.html" : rel;
  const asset = assets.get(name);
  if (!asset) {
    sendError(
      res,
      rel,
      404,
      "DASHBOARD_NOT_FOUND",
      `The dashboard has no file ${JSON.stringify(name.slice(0, 100))}.`,
    );
    return;
  }
  const html = name.endsWith(".html");
  const headers: Record<string, string> = {
    "content-type": asset.contentType,
    "cache-control": html ? "no-store" : "no-cache",
    etag: asset.etag,
    vary: "accept-encoding",
  };
  if (!html && req.headers["if-none-match"] === asset.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
  const body = gzip ? asset.gzip : asset.body;
  if (gzip) headers["content-encoding"] = "gzip";
  headers["content-length"] = String(body.byteLength);
  res.writeHead(200, headers);
  res.end(req.method === "HEAD" ? undefined : body);
}
