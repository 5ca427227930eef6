/**
 * Dev-only (not part of the tests): serves the dashboard's front end with fixture answers that
 * follow src/dashboard/contract.ts, to work on it without the backend.
 *   bun scripts/dashboard-dev.ts [--port 4173]   then open http://127.0.0.1:4173/
 *   bun scripts/dashboard-dev.ts --shots DIR     screenshots of every view in headless Chromium,
 *                                                console errors, CSP violations, the 250-node timing
 * POST /dev/change completes a task of the small plan and sends a `change` event.
 */
import { dashboardAssets } from "../src/dashboard/assets.ts";
import { Fixtures } from "./dashboard-fixtures.ts";

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function serveDev(port: number): { url: string; stop: () => void; fixtures: Fixtures } {
  const fixtures = new Fixtures();
  const streams = new Set<ReadableStreamDefaultController<string>>();
  const json = (body: unknown, status = 200): Response =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", "content-security-policy": CSP },
    });
  const missing = (): Response =>
    json({ error: { code: "PLAN_NOT_FOUND", message: "No such plan or task." } }, 404);
  const server = Bun.serve({
    port,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const q = (k: string): string => url.searchParams.get(k) ?? "";
      const path = url.pathname.replace(/^\/(ui\/)?/, "");
      if (path === "dev/change" && req.method === "POST") {
        fixtures.advance();
        for (const s of streams) s.enqueue(`event: change\ndata: {"version":${fixtures.version}}\n\n`);
        return json({ ok: true });
      }
      if (path === "api/events") {
        let me: ReadableStreamDefaultController<string>;
        const body = new ReadableStream<string>({
          start(c) {
            me = c;
            streams.add(c);
            c.enqueue(`retry: 1000\n\n`);
          },
          cancel() {
            streams.delete(me);
          },
        });
        return new Response(body, {
          headers: { "content-type": "text/event-stream", "cache-control": "no-store" },
        });
      }
      if (path === "api/overview") return json(fixtures.overview());
      if (path === "api/plan") {
        const p = fixtures.plan(q("plan"));
        return p ? json(p) : missing();
      }
      if (path === "api/task") {
        const t = fixtures.task(q("task"));
        return t ? json(t) : missing();
      }
      if (path === "api/synthesis") {
        const s = fixtures.synthesis(q("plan"));
        return s ? json(s) : missing();
      }
      if (path === "api/agents") return json(fixtures.agents());
      if (path === "api/activity") return json(fixtures.activity());
      if (path === "api/export") {
        return new Response(JSON.stringify({ plan: q("plan") }), {
          headers: {
            "content-type": "application/json",
            "content-disposition": `attachment; filename="${q("plan")}.json"`,
          },
        });
      }
      if (path === "api/action" && req.method === "POST") {
        if (req.headers.get("x-orchestrator-dashboard") !== "1")
          return json({ error: { code: "ORIGIN_FORBIDDEN", message: "no header" } }, 403);
        const body = (await req.json()) as { taskId: string; action: string };
        fixtures.version++;
        return json({
          taskId: body.taskId,
          action: body.action,
          from: "pending",
          to: "cancelled",
          actor: "Alice Example",
        });
      }
      const assets = await dashboardAssets();
      const asset = assets.get(path === "" ? "index.html" : path);
      if (!asset) return json({ error: { code: "NOT_FOUND", message: "no such file" } }, 404);
      return new Response(asset.body, {
        headers: { "content-type": asset.contentType, "content-security-policy": CSP, etag: asset.etag },
      });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/`, stop: () => server.stop(true), fixtures };
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const shots = args.indexOf("--shots");
  const port = Number(args[args.indexOf("--port") + 1] ?? 0) || (shots >= 0 ? 0 : 4173);
  const dev = serveDev(port);
  if (shots < 0) {
    console.log(`dashboard (fixtures) on ${dev.url}`);
  } else {
    const { takeShots } = await import("./dashboard-shots.ts");
    try {
      await takeShots(dev.url, args[shots + 1] ?? ".tmp/dashboard-shots");
    } finally {
      dev.stop();
    }
  }
}
