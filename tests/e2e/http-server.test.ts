import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, call, callOk, textOf } from "../helpers/client.ts";
import { connectHttp, type HttpServer, startHttpServer } from "../helpers/http-server.ts";
import { makeProject } from "../helpers/temp.ts";
import { ON_POSTGRES, storeEnv, testDbUrl } from "../helpers/test-store.ts";

// The team server (issue 14) through the compiled binary, real HTTP and the SDK's Streamable HTTP client.

let project: { dir: string; cleanup: () => void };
let dataDir: string;
let db: string;
let server: HttpServer;
const tokens: Record<string, string> = {};

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(BINARY, args, {
    cwd: project.dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...storeEnv(), ...env },
  });
}

function createToken(name: string, extra: string[] = []): string {
  const r = run(["token", "create", "--name", name, "--db", db, ...extra]);
  expect(r.status).toBe(0);
  return r.stdout.trim();
}

const jsonRpc = (id: number, method: string, params: Record<string, unknown> = {}) =>
  JSON.stringify({ jsonrpc: "2.0", id, method, params });

async function post(body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(server.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body,
  });
}

beforeAll(async () => {
  project = makeProject("orch-http-");
  dataDir = realpathSync(mkdtempSync(join(tmpdir(), "orch-http-db-")));
  // The test store's PostgreSQL database under test:pg; else a shared SQLite file.
  db = testDbUrl() ?? join(dataDir, "team.db");
  tokens.alice = createToken("alice");
  tokens.bob = createToken("bob");
  tokens.gone = createToken("gone");
  expect(run(["token", "revoke", "gone", "--db", db]).status).toBe(0);
  // 1 ms: expired by the time the server sees it.
  tokens.old = createToken("old", ["--expires", "1ms"]);
  server = await startHttpServer({
    cwd: project.dir,
    args: ["--db", db],
    // A 1 MiB artifact limit makes the body limit 7 MiB (6 × + 1 MiB), so 20 MB is refused.
    env: { ORCHESTRATOR_MAX_ARTIFACT_BYTES: String(1024 * 1024) },
  });
});
afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  project.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("serve --http: authentication", () => {
  test("no token → 401 naming the metadata, which is served", async () => {
    const r = await post(jsonRpc(1, "tools/list"));
    expect(r.status).toBe(401);
    const header = r.headers.get("www-authenticate") ?? "";
    expect(header).toStartWith("Bearer resource_metadata=");
    expect(header).not.toContain("error=");
    const body = (await r.json()) as { error: { message: string; data: { code: string } } };
    expect(body.error.data.code).toBe("AUTH_REQUIRED");
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(header)?.[1] ?? "";
    const meta = await fetch(metadataUrl);
    expect(meta.status).toBe(200);
    expect(await meta.json()).toMatchObject({ resource: server.url, bearer_methods_supported: ["header"] });
    const root = await fetch(`${server.base}/.well-known/oauth-protected-resource`);
    expect(((await root.json()) as { resource: string }).resource).toBe(server.url);
  });

  test("a wrong, a revoked and an expired token → 401 invalid_token; the SDK client cannot connect", async () => {
    const reasons: Record<string, string> = {
      orch_wrongwrongwrongwrongwrongwrongwrongwrong: "not known",
      [tokens.gone!]: "revoked",
      [tokens.old!]: "expired",
    };
    for (const [token, why] of Object.entries(reasons)) {
      const r = await post(jsonRpc(1, "tools/list"), { authorization: `Bearer ${token}` });
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toContain('error="invalid_token"');
      expect(r.headers.get("www-authenticate")).toContain(why);
    }
    await expect(connectHttp(server.url, tokens.gone)).rejects.toThrow();
    await expect(connectHttp(server.url)).rejects.toThrow();
  });

  test("a good token: plan → execute → complete → synthesize, the token's name holds the claim", async () => {
    const client = await connectHttp(server.url, tokens.alice);
    try {
      const listed = await client.listTools();
      expect(listed.tools.map((t) => t.name)).toContain("orchestrator_plan_task");
      const ws = { working_directory: project.dir };
      const plan = await callOk(client, "orchestrator_plan_task", {
        ...ws,
        description: "Ship the team server",
        subtasks: [
          { title: "Build", description: "Build it", specialist_type: "implementer" },
          { title: "Review", description: "Review it", specialist_type: "reviewer", dependencies: ["Build"] },
        ],
      });
      const ids: string[] = plan.subtasks.map((s: { task_id: string }) => s.task_id);
      const exec = await callOk(client, "orchestrator_execute_subtask", { ...ws, task_id: ids[0] });
      expect(exec.claim.agent_id).toBe("alice");
      const held = await callOk(client, "orchestrator_get_task", { ...ws, task_id: ids[0] });
      expect(held.claim.agent_id).toBe("alice");
      // Another credential cannot take it, nor act under alice's name.
      const bob = await connectHttp(server.url, tokens.bob);
      try {
        const taken = await call(bob, "orchestrator_execute_subtask", { ...ws, task_id: ids[0] });
        expect(taken.isError).toBe(true);
        expect(textOf(taken)).toContain("alice");
        const posing = await call(bob, "orchestrator_execute_subtask", {
          ...ws,
          task_id: ids[0],
          agent_id: "alice",
        });
        expect(posing.isError).toBe(true);
        expect(textOf(posing)).toContain("AGENT_FORBIDDEN");
      } finally {
        await bob.close();
      }
      await callOk(client, "orchestrator_complete_subtask", {
        ...ws,
        task_id: ids[0],
        summary: "built",
        detailed_work: "the build",
      });
      // A sub-agent under the token's name is allowed.
      const sub = await callOk(client, "orchestrator_execute_subtask", {
        ...ws,
        task_id: ids[1],
        agent_id: "alice/reviewer",
      });
      expect(sub.claim.agent_id).toBe("alice/reviewer");
      await callOk(client, "orchestrator_complete_subtask", {
        ...ws,
        task_id: ids[1],
        summary: "reviewed",
        detailed_work: "the review",
        agent_id: "alice/reviewer",
      });
      const synth = await callOk(client, "orchestrator_synthesize_results", {
        ...ws,
        parent_task_id: plan.parent_task_id,
      });
      expect(synth.all_completed).toBe(true);
      const done = await callOk(client, "orchestrator_get_task", { ...ws, task_id: ids[0] });
      const agents = new Set(done.history.map((e: { agent_id: string | null }) => e.agent_id));
      expect(agents.has("alice")).toBe(true);
    } finally {
      await client.close();
    }
    // The log has one line per request with agent and tool, and never a token.
    const log = server.stderr();
    expect(log).toContain('"agent":"alice"');
    expect(log).toContain('"tool":"orchestrator_plan_task"');
    for (const t of Object.values(tokens)) expect(log).not.toContain(t);
    expect(log).not.toContain("Ship the team server");
    // Its last use is recorded; the secret is never listed.
    const list = run(["token", "list", "--db", db, "--json"]);
    expect(list.status).toBe(0);
    const rows = JSON.parse(list.stdout) as { name: string; state: string; last_used_at: string | null }[];
    expect(rows.find((r) => r.name === "alice")?.last_used_at).not.toBeNull();
    expect(rows.map((r) => [r.name, r.state])).toEqual([
      ["alice", "active"],
      ["bob", "active"],
      ["gone", "revoked"],
      ["old", "expired"],
    ]);
    for (const t of Object.values(tokens)) expect(list.stdout).not.toContain(t);
  });

  test("a call without working_directory names the fix (no roots over stateless HTTP)", async () => {
    const client = await connectHttp(server.url, tokens.bob);
    try {
      const r = await call(client, "orchestrator_get_status", {});
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain("working_directory");
    } finally {
      await client.close();
    }
  });
});

describe("serve --http: servers kept between requests", () => {
  test("a request starts afresh: a workspace bound in one is not bound in the next; each token acts as itself", async () => {
    const alice = await connectHttp(server.url, tokens.alice);
    const bob = await connectHttp(server.url, tokens.bob);
    // A project of its own: the other tests count this one's plans.
    const own = makeProject("orch-http-kept-");
    try {
      const ws = { working_directory: own.dir };
      await callOk(bob, "orchestrator_initialize_session", ws);
      // The server that answered kept nothing: the next request has no workspace again.
      const unbound = await call(bob, "orchestrator_get_status", {});
      expect(unbound.isError).toBe(true);
      expect(textOf(unbound)).toContain("working_directory");
      const plan = await callOk(alice, "orchestrator_plan_task", {
        ...ws,
        description: "Kept servers",
        subtasks: [1, 2, 3, 4].map((i) => ({ title: `Step ${i}`, specialist_type: "implementer" })),
      });
      const ids: string[] = plan.subtasks.map((s: { task_id: string }) => s.task_id);
      // Alternating callers, one after another and all at once: each claim holds its own caller.
      const one = await callOk(bob, "orchestrator_execute_subtask", { ...ws, task_id: ids[0] });
      const two = await callOk(alice, "orchestrator_execute_subtask", { ...ws, task_id: ids[1] });
      const [three, four] = await Promise.all([
        callOk(bob, "orchestrator_execute_subtask", { ...ws, task_id: ids[2] }),
        callOk(alice, "orchestrator_execute_subtask", { ...ws, task_id: ids[3] }),
      ]);
      expect([one, two, three, four].map((e) => e.claim.agent_id)).toEqual(["bob", "alice", "bob", "alice"]);
      const posing = await call(bob, "orchestrator_complete_subtask", {
        ...ws,
        task_id: ids[1],
        summary: "not mine",
        detailed_work: "x",
      });
      expect(posing.isError).toBe(true);
      expect(textOf(posing)).toContain("alice");
    } finally {
      await alice.close();
      await bob.close();
      own.cleanup();
    }
  });

  test("role prompts follow the role files of the server's project", async () => {
    const client = await connectHttp(server.url, tokens.alice);
    const file = join(project.dir, ".task_orchestrator", "roles", "kept.yaml");
    try {
      const before = (await client.listPrompts()).prompts.map((p) => p.name);
      expect(before).toContain("tester");
      expect(before).not.toContain("data_steward");
      await Bun.write(file, "data_steward:\n  summary: Keeps the data tidy\n");
      const after = (await client.listPrompts()).prompts.map((p) => p.name);
      expect(after).toContain("data_steward");
    } finally {
      rmSync(file, { force: true });
      await client.close();
    }
  });
});

describe("serve --http: walls and limits", () => {
  test("a foreign Origin → 403 on every path, even with a good token", async () => {
    const headers = { origin: "http://evil.example", authorization: `Bearer ${tokens.alice}` };
    expect((await post(jsonRpc(1, "tools/list"), headers)).status).toBe(403);
    expect((await fetch(`${server.base}/healthz`, { headers })).status).toBe(403);
    // The server's own origin is fine.
    const own = await post(jsonRpc(1, "tools/list"), { ...headers, origin: server.base });
    expect(own.status).toBe(200);
  });

  test("a 20 MB body → 413 REQUEST_TOO_LARGE, and the next call works", async () => {
    const big = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "orchestrator_get_status", arguments: { pad: "x".repeat(20 * 1024 * 1024) } },
    });
    const r = await post(big, { authorization: `Bearer ${tokens.alice}` });
    expect(r.status).toBe(413);
    const body = (await r.json()) as { error: { message: string; data: { code: string } } };
    expect(body.error.data.code).toBe("REQUEST_TOO_LARGE");
    expect(body.error.message).toContain("--http-max-body");
    const client = await connectHttp(server.url, tokens.alice);
    try {
      const status = await callOk(client, "orchestrator_get_status", { working_directory: project.dir });
      expect(status.plans_open + status.plans_completed).toBe(1);
    } finally {
      await client.close();
    }
  });

  test("/healthz and /readyz answer without a token", async () => {
    const health = await fetch(`${server.base}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${server.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });
});

describe("serve --http: starting", () => {
  test("a non-loopback address without authentication is refused (exit 2); --insecure-no-auth warns", async () => {
    const fresh = join(dataDir, "fresh.db");
    const r = spawnSync(BINARY, ["serve", "--http", "0.0.0.0:0", "--db", fresh], {
      cwd: project.dir,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "" },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("without authentication");
    expect(r.stderr).toContain("token create");
    const open = await startHttpServer({
      cwd: project.dir,
      bind: "0.0.0.0:0",
      args: ["--db", fresh, "--insecure-no-auth"],
    });
    try {
      expect(open.stderr()).toContain("WARNING: --insecure-no-auth");
    } finally {
      expect(await open.stop()).toBe(0);
    }
  });

  test("bad flags are usage errors (exit 2)", () => {
    for (const args of [
      ["serve", "--http", "nope"],
      ["serve", "--http", "70000"],
      ["serve", "--http", "0", "--auth", "jwt"],
      ["serve", "--http", "0", "--allow-origin", "ftp://x"],
      ["serve", "--http-timeout", "5s"],
    ]) {
      const r = run(args);
      expect({ args, status: r.status }).toEqual({ args, status: 2 });
    }
  });
});

describe("token CLI", () => {
  test("create prints the secret once, alone on stdout; names are checked; revoke", () => {
    const created = run(["token", "create", "--name", "ci-bot.1", "--db", db, "--expires", "30d"]);
    expect(created.status).toBe(0);
    expect(created.stdout.trim()).toMatch(/^orch_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain("shown once");
    expect(created.stderr).not.toContain(created.stdout.trim());
    const list = run(["token", "list", "--db", db]);
    expect(list.stdout).toContain("ci-bot.1");
    expect(list.stdout).not.toContain(created.stdout.trim());
    for (const name of ["bad name", "-x", "a/b", "x".repeat(65), ""]) {
      const r = run(["token", "create", "--name", name, "--db", db]);
      expect({ name, status: r.status }).toEqual({ name, status: 2 });
    }
    const dup = run(["token", "create", "--name", "ci-bot.1", "--db", db]);
    expect(dup.status).toBe(2);
    expect(dup.stderr).toContain("exists already");
    expect(run(["token", "revoke", "ci-bot.1", "--db", db]).status).toBe(0);
    expect(run(["token", "revoke", "nobody", "--db", db]).status).toBe(2);
    expect(run(["token", "create", "--name", "x", "--expires", "soon", "--db", db]).status).toBe(2);
    // Eleven CLI runs, each opening the store (PostgreSQL in the test:pg run): seconds on a loaded machine.
  }, 30_000);
});

describe("serve --http: request timeout", () => {
  test("a call running past --http-timeout → 503 REQUEST_TIMEOUT; a body never finished → 408; still serving", async () => {
    const slow = await startHttpServer({
      cwd: project.dir,
      // Long enough for the token's lookup on a loaded PostgreSQL run (test:pg), which must end
      // before the timeout for the call to be running when it strikes.
      args: ["--http-timeout", "2s", "--workspace", project.dir],
      // Test hook: every tool call waits 4 s first (the server prints a line when it starts waiting).
      env: { ORCHESTRATOR_TEST_DELAY_MS: "4000" },
    });
    try {
      const headers = {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        // On the test's PostgreSQL database (test:pg) this server sees the tokens made above.
        ...(ON_POSTGRES ? { authorization: `Bearer ${tokens.alice}` } : {}),
      };
      // The store's pool opens on the first request: not the one timed.
      expect(
        (await fetch(slow.url, { method: "POST", headers, body: jsonRpc(0, "tools/list") })).status,
      ).toBe(200);
      const r = await fetch(slow.url, {
        method: "POST",
        headers,
        body: jsonRpc(1, "tools/call", { name: "orchestrator_get_status", arguments: {} }),
      });
      expect(r.status).toBe(503);
      const body = (await r.json()) as { error: { message: string; data: { code: string } } };
      expect(body.error.data.code).toBe("REQUEST_TIMEOUT");
      expect(body.error.message).toContain("outcome is unknown");
      // A body announced and never finished.
      const { connect } = await import("node:net");
      const auth = ON_POSTGRES ? `Authorization: Bearer ${tokens.alice}\r\n` : "";
      const { hostname, port } = new URL(slow.url);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), hostname, () => {
          socket.write(
            `POST /mcp HTTP/1.1\r\nHost: ${hostname}:${port}\r\n${auth}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"jsonrpc"`,
          );
        });
        let got = "";
        socket.on("data", (d) => {
          got += d.toString();
        });
        socket.on("close", () => resolve(got));
        socket.on("error", reject);
      });
      expect(answer).toStartWith("HTTP/1.1 408");
      expect(answer).toContain("REQUEST_TIMEOUT");
      // Still serving: a request that does not wait in a tool.
      const list = await fetch(slow.url, { method: "POST", headers, body: jsonRpc(2, "tools/list") });
      expect(list.status).toBe(200);
    } finally {
      expect(await slow.stop()).toBe(0);
    }
    expect(slow.stderr()).not.toContain("internal error");
    // Two timeouts of 2 s, and the stop waits for the delayed call: past bun's 5 s default.
  }, 20_000);
});

describe("serve --http: readiness and the public URL", () => {
  test("/readyz is 503 with the reason while /healthz stays 200; --public-url names the resource", async () => {
    const future = join(dataDir, "future.db");
    expect(run(["token", "list", "--db", future]).status).toBe(0);
    // A migration this binary does not know: written by a newer orchestrator.
    const { Database } = await import("bun:sqlite");
    const raw = new Database(future);
    raw.run("insert into kysely_migration (name, timestamp) values ('2099_01_01_000000_future', '2099')");
    raw.close();
    const s = await startHttpServer({
      cwd: project.dir,
      args: ["--db", future, "--public-url", "https://mcp.example.com/"],
    });
    try {
      expect((await fetch(`${s.base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${s.base}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { status: string; reason: string };
      expect(body.status).toBe("not_ready");
      // The store's own code names the cause; never the database's location.
      expect(body.reason).toMatch(/^the database cannot be used \(STORE_[A-Z_]+\)$/);
      const meta = await fetch(`${s.base}/.well-known/oauth-protected-resource/mcp`, {
        headers: { origin: "https://mcp.example.com" },
      });
      expect(meta.status).toBe(200);
      expect(((await meta.json()) as { resource: string }).resource).toBe("https://mcp.example.com/mcp");
      expect(s.stderr()).toContain("public URL https://mcp.example.com/mcp");
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });
});
