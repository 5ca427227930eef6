import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { chromium } from "playwright-core";
import { BINARY, callOk, connectBinary } from "../helpers/client.ts";
import { readEvents, seedPlan } from "../helpers/dashboard.ts";
import { type HttpServer, startHttpServer, stderrMatch } from "../helpers/http-server.ts";
import { makeProject } from "../helpers/temp.ts";
import { storeEnv, testDbUrl } from "../helpers/test-store.ts";

/*
 * The dashboard under `serve --http` at /ui/ (issue 15), the compiled binary behind its front
 * process: sign-in with a token into an HttpOnly cookie, the token's name as the actor and its
 * project limit as the scope, the cookie never accepted by /mcp, and the event stream across a
 * SIGHUP restart (the old worker's streams end at once; the reconnect gets new events).
 */

let projA: { dir: string; cleanup: () => void };
let projB: { dir: string; cleanup: () => void };
let outside: string;
let db: string;
let server: HttpServer;
let mcp: { client: Client; close: () => Promise<void> };
const tokens: Record<string, string> = {};
const plans: Record<string, { planId: string; ids: Map<string, string> }> = {};

function createToken(name: string, extra: string[] = []): string {
  const r = spawnSync(BINARY, ["token", "create", "--name", name, "--db", db, ...extra], {
    cwd: outside,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...storeEnv() },
  });
  expect(r.status).toBe(0);
  return r.stdout.trim();
}

/** Signs in with `token` through the form; the cookie header to send afterwards. */
async function signIn(token: string): Promise<string> {
  const r = await fetch(`${server.base}/ui/sign-in`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: server.base },
    body: new URLSearchParams({ token }).toString(),
  });
  expect(r.status).toBe(303);
  return (r.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

const ui = (path: string, cookie: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${server.base}/ui/${path}`, { redirect: "manual", ...init, headers: { cookie, ...init.headers } });

beforeAll(async () => {
  projA = makeProject("orch-ui-serve-a-");
  projB = makeProject("orch-ui-serve-b-");
  for (const [p, id] of [
    [projA, "acme-a"],
    [projB, "acme-b"],
  ] as const) {
    mkdirSync(join(p.dir, ".task_orchestrator"), { recursive: true });
    writeFileSync(join(p.dir, ".task_orchestrator", "settings.yaml"), `project: ${id}\n`);
  }
  outside = realpathSync(mkdtempSync(join(tmpdir(), "orch-ui-serve-db-")));
  db = testDbUrl() ?? join(outside, "team.db");
  mcp = await connectBinary({ cwd: outside, args: ["--db", db] });
  plans.a = await seedPlan(mcp.client, projA.dir, "Plan of A", [
    { title: "A1", specialist_type: "implementer" },
    { title: "A2", specialist_type: "tester", dependencies: ["A1"] },
  ]);
  plans.b = await seedPlan(mcp.client, projB.dir, "Plan of B", [
    { title: "B1", specialist_type: "architect" },
  ]);
  tokens.all = createToken("alice");
  tokens.limited = createToken("limited", ["--project", "acme-a"]);
  server = await startHttpServer({ cwd: outside, args: ["--db", db, "--ui-actions"] });
}, 60_000);

afterAll(async () => {
  if (server) expect(await server.stop()).toBe(0);
  await mcp?.close();
  projA?.cleanup();
  projB?.cleanup();
  rmSync(outside, { recursive: true, force: true });
});

describe("serve --http: /ui/ sign-in", () => {
  test("/ui redirects to /ui/; without a cookie pages go to sign-in and the API answers 401", async () => {
    const bare = await fetch(`${server.base}/ui`, { redirect: "manual" });
    expect(bare.status).toBe(308);
    expect(bare.headers.get("location")).toBe("/ui/");
    const page = await ui("", "");
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("sign-in");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const api = await ui("api/overview", "");
    expect(api.status).toBe(401);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("AUTH_REQUIRED");
    const events = await ui("api/events", "");
    expect(events.status).toBe(401);
  });

  test("the sign-in page is a plain form (no script); a wrong token is refused", async () => {
    const form = await ui("sign-in", "");
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('<form method="post" action="sign-in">');
    expect(html).not.toContain("<script");
    const wrong = await fetch(`${server.base}/ui/sign-in`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `token=orch_${"x".repeat(43)}`,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    const crossSite = await fetch(`${server.base}/ui/sign-in`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "cross-site" },
      body: new URLSearchParams({ token: tokens.all ?? "" }).toString(),
    });
    expect(crossSite.status).toBe(403);
  });

  test("a token signs in: HttpOnly, SameSite=Strict cookie on /ui; /mcp never takes the cookie", async () => {
    const r = await fetch(`${server.base}/ui/sign-in`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: tokens.all ?? "" }).toString(),
    });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("./");
    const set = r.headers.get("set-cookie") ?? "";
    expect(set).toContain("HttpOnly");
    expect(set).toContain("SameSite=Strict");
    expect(set).toContain("Path=/ui");
    const cookie = set.split(";")[0] ?? "";
    expect((await ui("api/overview", cookie)).status).toBe(200);
    const mcpWithCookie = await fetch(`${server.base}/mcp`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(mcpWithCookie.status).toBe(401);
    const out = await ui("sign-out", cookie, { method: "POST" });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie") ?? "").toContain("Max-Age=0");
  });
});

describe("serve --http: /ui/ sign-in in Chromium", () => {
  // A form posted from a page answered with Referrer-Policy: no-referrer carries Origin: null,
  // which the Origin check refuses: only a real browser shows that.
  test("the form signs a browser in and out", async () => {
    const chromiumPath = process.env.ORCHESTRATOR_CHROMIUM ?? "/usr/bin/chromium";
    expect(existsSync(chromiumPath), `${chromiumPath} is missing: apt-get install -y chromium`).toBe(true);
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
      ],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.base}/ui/`);
      expect(new URL(page.url()).pathname).toBe("/ui/sign-in");
      await page.fill("#token", tokens.limited ?? "");
      await Promise.all([page.waitForURL(`${server.base}/ui/`), page.click("button[type=submit]")]);
      const overview = await page.evaluate(async () => {
        const r = await fetch("api/overview");
        return { status: r.status, body: (await r.json()) as { projects: { id: string }[] } };
      });
      expect(overview.status).toBe(200);
      expect(overview.body.projects.map((p) => p.id)).toEqual(["acme-a"]);
      await page.goto(`${server.base}/ui/sign-out`);
      await Promise.all([page.waitForURL(`${server.base}/ui/sign-in`), page.click("button[type=submit]")]);
      const after = await page.evaluate(async () => (await fetch("api/overview")).status);
      expect(after).toBe(401);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

describe("serve --http: /ui/ without authentication", () => {
  test("on loopback with no token the dashboard is open, as /mcp is, and read-only by default", async () => {
    const open = await startHttpServer({ cwd: outside, args: ["--db", join(outside, "open.db")] });
    try {
      const r = await fetch(`${open.base}/ui/api/overview`);
      expect(r.status).toBe(200);
      expect(((await r.json()) as { actions: { allowed: boolean } }).actions.allowed).toBe(false);
      const act = await fetch(`${open.base}/ui/api/action`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-orchestrator-dashboard": "1" },
        body: JSON.stringify({ project: "acme-a", taskId: "task_00000000", action: "cancel" }),
      });
      expect(act.status).toBe(403);
      const foreign = await fetch(`${open.base}/ui/api/overview`, {
        headers: { origin: "http://evil.example" },
      });
      expect(foreign.status).toBe(403);
    } finally {
      expect(await open.stop()).toBe(0);
    }
  }, 30_000);
});

describe("serve --http: /ui/ data and actions", () => {
  test("a project-limited token sees only its projects", async () => {
    const limited = await signIn(tokens.limited ?? "");
    const overview = (await (await ui("api/overview", limited)).json()) as { projects: { id: string }[] };
    expect(overview.projects.map((p) => p.id)).toEqual(["acme-a"]);
    const hidden = await ui(`api/plan?project=acme-b&plan=${plans.b?.planId}`, limited);
    expect(hidden.status).toBe(404);
    const all = await signIn(tokens.all ?? "");
    const both = (await (await ui("api/overview", all)).json()) as { projects: { id: string }[] };
    expect(both.projects.map((p) => p.id).sort()).toEqual(["acme-a", "acme-b"]);
  });

  test("--ui-actions: an action is recorded under the token's name", async () => {
    const all = await signIn(tokens.all ?? "");
    const taskId = plans.b?.ids.get("B1") ?? "";
    const overview = (await (await ui("api/overview", all)).json()) as { actions: unknown };
    expect(overview.actions).toEqual({ allowed: true, actor: "alice" });
    const r = await ui("api/action", all, {
      method: "POST",
      headers: { "content-type": "application/json", "x-orchestrator-dashboard": "1", origin: server.base },
      body: JSON.stringify({ project: "acme-b", taskId, action: "cancel" }),
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ to: "cancelled", actor: "alice" });
    const task = (await (await ui(`api/task?project=acme-b&task=${taskId}`, all)).json()) as {
      history: { to: string | null; agentId: string | null }[];
    };
    expect(task.history.at(-1)).toMatchObject({ to: "cancelled", agentId: "alice" });
  });

  test("the event stream ends when SIGHUP retires its worker; the reconnect gets new events", async () => {
    const cookie = await signIn(tokens.all ?? "");
    const first = readEvents(await ui("api/events", cookie));
    expect((await first.next()).event).toBe("change");
    const restarts = [...server.stderr().matchAll(/restarted the HTTP worker/g)].length;
    const exits = [...server.stderr().matchAll(/the old HTTP worker \d+ exited/g)].length;
    const sent = Date.now();
    server.child.kill("SIGHUP");
    await stderrMatch(server, /restarted the HTTP worker/g, restarts + 1);
    await first.end(10_000);
    // The old worker did not wait out the restart's 30 s timeout for the stream.
    await stderrMatch(server, /the old HTTP worker \d+ exited/g, exits + 1);
    expect(Date.now() - sent).toBeLessThan(15_000);

    const second = readEvents(await ui("api/events", cookie));
    const hello = await second.next();
    expect(hello.event).toBe("change");
    const before = (JSON.parse(hello.data) as { version: number }).version;
    await callOk(mcp.client, "orchestrator_initialize_session", { working_directory: projA.dir });
    await callOk(mcp.client, "orchestrator_complete_subtask", {
      task_id: plans.a?.ids.get("A1"),
      summary: "Done",
      detailed_work: "Done.",
      agent_id: "bob",
    });
    const completed = Date.now();
    const change = await second.next(5_000);
    // Through the front's relay too: streamed as written, not buffered.
    expect(Date.now() - completed).toBeLessThan(1_000);
    expect(change.event).toBe("change");
    expect((JSON.parse(change.data) as { version: number }).version).toBeGreaterThan(before);
    await second.cancel();
  }, 60_000);
});
