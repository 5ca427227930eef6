import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { BINARY, callOk, connectBinary } from "../helpers/client.ts";
import { readEvents, seedPlan, startUi, tempHome, type UiProcess } from "../helpers/dashboard.ts";
import { makeProject } from "../helpers/temp.ts";
import { storeEnv, testDbUrl } from "../helpers/test-store.ts";

/*
 * `orchestrator ui` over HTTP (issue 15), the compiled binary with real fetch: the secret and its
 * cookie, Host/Origin checks, security headers, the API against a store seeded through MCP over
 * stdio, the live event stream, actions, the secret file. The browser tests are elsewhere.
 */

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

let project: { dir: string; cleanup: () => void };
let home: { dir: string; cleanup: () => void };
let mcp: { client: Client; close: () => Promise<void> };
let ui: UiProcess;
let cookie = "";
let planId = "";
let ids = new Map<string, string>();
let projectKey = "";

const get = (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${ui.origin}${path}`, { redirect: "manual", ...init, headers: { cookie, ...init.headers } });

beforeAll(async () => {
  project = makeProject("orch-ui-http-");
  home = tempHome();
  mcp = await connectBinary({ cwd: project.dir });
  ({ planId, ids } = await seedPlan(mcp.client, project.dir, "Ship the search service", [
    { title: "Design", specialist_type: "architect" },
    { title: "Build", specialist_type: "implementer", dependencies: ["Design"] },
    { title: "Docs", specialist_type: "documenter", dependencies: ["Design"] },
  ]));
  await callOk(mcp.client, "orchestrator_execute_subtask", { task_id: ids.get("Design"), agent_id: "ada" });
  ui = await startUi({ cwd: project.dir, home: home.dir });
  const signIn = await fetch(ui.url, { redirect: "manual" });
  cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const overview = (await (await get("/api/overview")).json()) as { projects: { id: string }[] };
  projectKey = overview.projects[0]?.id ?? "";
}, 60_000);

afterAll(async () => {
  await ui?.stop();
  await mcp?.close();
  project?.cleanup();
  home?.cleanup();
});

describe("orchestrator ui: access", () => {
  const routes = [
    "/",
    "/index.html",
    "/app.js",
    "/api/overview",
    `/api/plan?project=x&plan=y`,
    "/api/events",
  ];

  test("every route refuses a missing or wrong secret (403), the action too", async () => {
    for (const path of routes) {
      const r = await fetch(`${ui.origin}${path}`, { redirect: "manual" });
      expect([path, r.status]).toEqual([path, 403]);
      await r.body?.cancel();
    }
    for (const path of ["/?secret=", `/?secret=${"A".repeat(43)}`, `/api/overview?secret=${ui.secret}x`]) {
      const r = await fetch(`${ui.origin}${path}`, { redirect: "manual" });
      expect([path, r.status]).toEqual([path, 403]);
      await r.body?.cancel();
    }
    const wrongCookie = await fetch(`${ui.origin}/api/overview`, {
      headers: { cookie: `orchestrator_ui_${ui.port}=${"B".repeat(43)}` },
    });
    expect(wrongCookie.status).toBe(403);
    expect(((await wrongCookie.json()) as { error: { code: string } }).error.code).toBe(
      "DASHBOARD_SECRET_REQUIRED",
    );
    const post = await fetch(`${ui.origin}/api/action`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-orchestrator-dashboard": "1" },
      body: "{}",
    });
    expect(post.status).toBe(403);
  });

  test("the printed URL sets an HttpOnly, SameSite=Strict cookie named for the port and drops the secret", async () => {
    const r = await fetch(`${ui.url}&view=x`, { redirect: "manual" });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/?view=x");
    const set = r.headers.get("set-cookie") ?? "";
    expect(set).toStartWith(`orchestrator_ui_${ui.port}=`);
    expect(set).toContain("HttpOnly");
    expect(set).toContain("SameSite=Strict");
    expect(set).toContain("Path=/");
    // The cookie is not the secret itself.
    expect(set).not.toContain(ui.secret);
    expect((await get("/api/overview")).status).toBe(200);
    // Scripts may use the secret on API calls directly.
    expect((await fetch(`${ui.origin}/api/agents?secret=${ui.secret}`)).status).toBe(200);
  });

  test("a foreign Host or Origin is refused even with the cookie (DNS rebinding)", async () => {
    const host = await get("/api/overview", { headers: { host: `evil.example:${ui.port}` } });
    expect(host.status).toBe(403);
    expect(((await host.json()) as { error: { code: string } }).error.code).toBe("ORIGIN_FORBIDDEN");
    const origin = await get("/api/overview", { headers: { origin: "http://evil.example" } });
    expect(origin.status).toBe(403);
    expect((await get("/api/overview", { headers: { origin: ui.origin } })).status).toBe(200);
  });

  test("security headers on every answer; no-store on the API; errors are {error:{code,message}}", async () => {
    for (const r of [
      await get("/api/overview"),
      await fetch(`${ui.origin}/`),
      await get("/api/nothing"),
      await get("/api/overview", { method: "DELETE" }),
    ]) {
      expect(r.headers.get("content-security-policy")).toBe(CSP);
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect(r.headers.get("referrer-policy")).toBe("no-referrer");
      expect(r.headers.get("cross-origin-opener-policy")).toBe("same-origin");
      expect(r.headers.get("cross-origin-resource-policy")).toBe("same-origin");
      await r.body?.cancel();
    }
    const api = await get("/api/overview");
    expect(api.headers.get("cache-control")).toBe("no-store");
    const head = await get("/api/overview", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const missing = await get("/api/nothing");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: "DASHBOARD_NOT_FOUND", message: expect.any(String) },
    });
    const del = await get("/api/overview", { method: "DELETE" });
    expect(del.status).toBe(405);
    expect(del.headers.get("allow")).toBe("GET, HEAD");
    const bad = await get(`/api/plan?project=${"p".repeat(600)}&plan=x`);
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("INVALID_INPUT");
    expect(body.error.message).not.toContain("    at ");
  });

  test("the start page is the embedded index.html (never cached); scripts revalidate by ETag", async () => {
    const r = await get("/");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type") ?? "").toContain("text/html");
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(await r.text()).toContain("app.js");
    const js = await get("/app.js", { headers: { "accept-encoding": "gzip" } });
    expect(js.status).toBe(200);
    const etag = js.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"/);
    await js.arrayBuffer();
    const again = await get("/app.js", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect((await get("/nothing.js")).status).toBe(404);
    expect((await get("/../../etc/passwd")).status).toBe(404);
  });
});

describe("orchestrator ui: data", () => {
  test("the API answers what was seeded through MCP", async () => {
    const overview = (await (await get("/api/overview")).json()) as {
      actions: { allowed: boolean };
      projects: {
        id: string;
        plans: { id: string; title: string; counts: { total: number; active: number } }[];
      }[];
    };
    expect(overview.actions.allowed).toBe(false);
    expect(overview.projects.map((p) => p.id)).toEqual([projectKey]);
    const plan = overview.projects[0]?.plans.find((p) => p.id === planId);
    expect(plan?.title).toBe("Ship the search service");
    expect(plan?.counts.total).toBe(3);
    expect(plan?.counts.active).toBe(1);

    const q = `project=${encodeURIComponent(projectKey)}`;
    const view = (await (await get(`/api/plan?${q}&plan=${planId}`)).json()) as {
      tasks: { id: string; title: string; dependencies: string[]; claim: { agentId: string } | null }[];
    };
    expect(view.tasks.map((t) => t.title)).toEqual(["Design", "Build", "Docs"]);
    expect(view.tasks[1]?.dependencies).toEqual([ids.get("Design") ?? ""]);
    expect(view.tasks[0]?.claim?.agentId).toBe("ada");

    const task = (await (await get(`/api/task?${q}&task=${ids.get("Build")}`)).json()) as {
      task: { title: string; status: string };
      dependencies: { id: string }[];
      actions: string[];
    };
    expect(task.task).toMatchObject({ title: "Build", status: "pending" });
    expect(task.dependencies.map((d) => d.id)).toEqual([ids.get("Design") ?? ""]);
    expect(task.actions).toEqual([]);

    const agents = (await (await get("/api/agents")).json()) as { agents: { agentId: string }[] };
    expect(agents.agents.map((a) => a.agentId)).toContain("ada");

    const exported = await get(`/api/export?${q}&plan=${planId}&format=json`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-disposition") ?? "").toStartWith("attachment;");
    expect(await exported.text()).toContain(planId);

    const unknown = await get(`/api/plan?${q}&plan=plan_nope`);
    expect(unknown.status).toBe(404);
    const other = await get(`/api/plan?project=github.com%2Fsomeone%2Felse&plan=${planId}`);
    expect(other.status).toBe(404);
  });

  test("the event stream says it is connected, then delivers a change within 1 s of complete_subtask", async () => {
    const r = await get("/api/events");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type") ?? "").toStartWith("text/event-stream");
    const events = readEvents(r);
    const first = await events.next();
    expect(first.event).toBe("change");
    expect(events.preamble).toContain("retry: 1000");
    const before = (JSON.parse(first.data) as { version: number }).version;
    await callOk(mcp.client, "orchestrator_complete_subtask", {
      task_id: ids.get("Design"),
      summary: "Designed",
      detailed_work: "The design.",
      agent_id: "ada",
    });
    const done = Date.now();
    const change = await events.next(5_000);
    const latency = Date.now() - done;
    expect(change.event).toBe("change");
    expect((JSON.parse(change.data) as { version: number }).version).toBeGreaterThan(before);
    expect(latency).toBeLessThan(1_000);
    await events.cancel();
  }, 20_000);

  test("actions are refused by a read-only dashboard", async () => {
    const r = await get("/api/action", {
      method: "POST",
      headers: { "content-type": "application/json", "x-orchestrator-dashboard": "1", origin: ui.origin },
      body: JSON.stringify({ project: projectKey, taskId: ids.get("Docs"), action: "cancel" }),
    });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("DASHBOARD_READ_ONLY");
  });
});

describe("orchestrator ui: actions, secret file, refusals", () => {
  test("--allow-actions --as NAME: a cancel is recorded under the name; a forged request is refused", async () => {
    const acting = await startUi({
      cwd: project.dir,
      home: home.dir,
      args: ["--allow-actions", "--as", "Alice Example"],
    });
    try {
      expect(acting.secret).toBe(ui.secret);
      const c = `orchestrator_ui_${acting.port}=${
        ((await fetch(acting.url, { redirect: "manual" })).headers.get("set-cookie") ?? "")
          .split(";")[0]
          ?.split("=")[1]
      }`;
      const post = (headers: Record<string, string>) =>
        fetch(`${acting.origin}/api/action`, {
          method: "POST",
          headers: { cookie: c, "content-type": "application/json", ...headers },
          body: JSON.stringify({
            project: projectKey,
            taskId: ids.get("Docs"),
            action: "cancel",
            note: "not needed",
          }),
        });
      expect((await post({})).status).toBe(403);
      expect((await post({ "x-orchestrator-dashboard": "1", "sec-fetch-site": "cross-site" })).status).toBe(
        403,
      );
      const ok = await post({ "x-orchestrator-dashboard": "1", origin: acting.origin });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ action: "cancel", to: "cancelled", actor: "Alice Example" });
      const task = (await (
        await fetch(
          `${acting.origin}/api/task?project=${encodeURIComponent(projectKey)}&task=${ids.get("Docs")}`,
          { headers: { cookie: c } },
        )
      ).json()) as { task: { status: string }; history: { to: string | null; agentId: string | null }[] };
      expect(task.task.status).toBe("cancelled");
      expect(task.history.at(-1)).toMatchObject({ to: "cancelled", agentId: "Alice Example" });
    } finally {
      expect(await acting.stop()).toBe(0);
    }
  }, 30_000);

  test("the secret is kept 0600 across restarts, replaced when others could read it, rotated by --new-secret", async () => {
    const file = join(home.dir, "state", "orchestrator", "ui-secret");
    expect(readFileSync(file, "utf8").trim()).toBe(ui.secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    chmodSync(file, 0o644);
    const loose = await startUi({ cwd: project.dir, home: home.dir });
    expect(await loose.stop()).toBe(0);
    expect(loose.secret).not.toBe(ui.secret);
    expect(loose.output()).toContain("could be read by other users");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const rotated = await startUi({ cwd: project.dir, home: home.dir, args: ["--new-secret"] });
    expect(await rotated.stop()).toBe(0);
    expect(rotated.secret).not.toBe(loose.secret);
    expect(rotated.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    writeFileSync(file, `${ui.secret}\n`, { mode: 0o600 });
  }, 30_000);

  test("a non-loopback --host is refused (exit 2) pointing at serve --http; bad flags are usage errors", () => {
    const run = (args: string[]) =>
      spawnSync(BINARY, ["ui", "--no-open", ...args], {
        cwd: project.dir,
        encoding: "utf8",
        env: {
          PATH: process.env.PATH ?? "",
          HOME: home.dir,
          XDG_STATE_HOME: join(home.dir, "state"),
          ...storeEnv(),
        },
      });
    const remote = run(["--host", "0.0.0.0"]);
    expect(remote.status).toBe(2);
    expect(remote.stderr).toContain("serve --http");
    expect(remote.stderr).not.toContain("    at ");
    expect(run(["--port", "70000"]).status).toBe(2);
    expect(run(["--as", "bob"]).status).toBe(2);
  });

  test("--db shows every project of that database, from any folder", async () => {
    const other = makeProject("orch-ui-http-other-");
    try {
      const db = testDbUrl() ?? join(project.dir, ".task_orchestrator", "orchestrator.db");
      const all = await startUi({ cwd: other.dir, home: home.dir, args: ["--db", db] });
      try {
        expect(all.output()).toContain("every project of");
        const c =
          ((await fetch(all.url, { redirect: "manual" })).headers.get("set-cookie") ?? "").split(";")[0] ??
          "";
        const overview = (await (
          await fetch(`${all.origin}/api/overview`, { headers: { cookie: c } })
        ).json()) as {
          projects: { id: string }[];
        };
        expect(overview.projects.map((p) => p.id)).toContain(projectKey);
      } finally {
        expect(await all.stop()).toBe(0);
      }
    } finally {
      other.cleanup();
    }
  }, 30_000);

  test("the default port, when taken, gives way to a free one (said so); a taken --port is PORT_IN_USE", async () => {
    // Held here for the test (or by someone else already: the fallback is the same).
    const holder = createServer();
    await new Promise<void>((resolve) => {
      holder.once("error", () => resolve());
      holder.listen(7717, "127.0.0.1", () => resolve());
    });
    try {
      const fallback = await startUi({ cwd: project.dir, home: home.dir, defaultPort: true });
      expect(await fallback.stop()).toBe(0);
      expect(fallback.port).not.toBe(7717);
      expect(fallback.output()).toContain("port 7717 is taken");
      const taken = spawnSync(BINARY, ["ui", "--no-open", "--port", "7717"], {
        cwd: project.dir,
        encoding: "utf8",
        env: {
          PATH: process.env.PATH ?? "",
          HOME: home.dir,
          XDG_STATE_HOME: join(home.dir, "state"),
          ...storeEnv(),
        },
      });
      expect(taken.status).toBe(1);
      expect(taken.stderr).toContain("Port 7717");
    } finally {
      holder.close();
    }
  }, 30_000);

  test("without a display no browser is started, and it says to open the URL", async () => {
    const headless = await startUi({ cwd: project.dir, home: home.dir, open: true });
    await new Promise<void>((resolve) => {
      const seen = (): void => {
        if (headless.output().includes("no display")) resolve();
      };
      headless.child.stderr?.on("data", seen);
      seen();
    });
    expect(await headless.stop()).toBe(0);
    expect(headless.output()).toContain("open the URL above yourself");
  }, 20_000);

  test("SIGTERM ends open event streams and exits 0", async () => {
    const other = await startUi({ cwd: project.dir, home: home.dir });
    const c =
      ((await fetch(other.url, { redirect: "manual" })).headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const events = readEvents(await fetch(`${other.origin}/api/events`, { headers: { cookie: c } }));
    await events.next();
    const code = other.stop();
    await events.end(5_000);
    expect(events.ended).toBe(true);
    expect(await code).toBe(0);
  }, 20_000);
});
