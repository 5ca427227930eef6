import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import pg from "pg";
import { BINARY, call, callOk, textOf } from "../helpers/client.ts";
import { connectHttp, type HttpServer, startHttpServer } from "../helpers/http-server.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { tcpProxy } from "../helpers/tcp-proxy.ts";
import { makeProject } from "../helpers/temp.ts";

// Two `serve --http` instances on one PostgreSQL database (issue 14 on issue 13's store): tokens
// created once serve both, each agent works under its token's name, no task is done twice, and a
// revocation is seen by both instances on the next request.
let database: TestDatabase;
let project: { dir: string; cleanup: () => void };
const servers: HttpServer[] = [];

function run(args: string[]) {
  return spawnSync(BINARY, args, {
    cwd: project.dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  project = makeProject("orch-http-pg-");
});
afterAll(async () => {
  for (const s of servers) expect(await s.stop()).toBe(0);
  project.cleanup();
  await database.drop();
});

test("two instances, one PostgreSQL database: shared tokens, no double claim, revocation everywhere", async () => {
  const token = (name: string): string => {
    const r = run(["token", "create", "--name", name, "--db", database.url]);
    expect(r.status).toBe(0);
    return r.stdout.trim();
  };
  const alice = token("alice");
  const bob = token("bob");
  for (let i = 0; i < 2; i++) {
    servers.push(await startHttpServer({ cwd: project.dir, args: ["--db", database.url] }));
  }
  const [one, two] = servers as [HttpServer, HttpServer];
  const a = await connectHttp(one.url, alice, "agent-a");
  const b = await connectHttp(two.url, bob, "agent-b");
  try {
    const ws = { working_directory: project.dir };
    await callOk(a, "orchestrator_plan_task", {
      ...ws,
      description: "shared over HTTP",
      subtasks: Array.from({ length: 8 }, (_, i) => ({ title: `t${i}`, specialist_type: "implementer" })),
    });
    const done: Record<string, string[]> = { alice: [], bob: [] };
    const agents = [
      { name: "alice", c: a },
      { name: "bob", c: b },
    ];
    await Promise.all(
      agents.map(async ({ name, c }) => {
        for (;;) {
          const r = await call(c, "orchestrator_execute_subtask", ws);
          if (r.isError) {
            expect(textOf(r)).toContain("NO_READY_TASK");
            return;
          }
          const got = r.structuredContent as { task_id: string; claim: { agent_id: string } };
          expect(got.claim.agent_id).toBe(name);
          done[name]?.push(got.task_id);
          await callOk(c, "orchestrator_complete_subtask", {
            ...ws,
            task_id: got.task_id,
            summary: `by ${name}`,
            detailed_work: "work",
          });
        }
      }),
    );
    const all = [...(done.alice ?? []), ...(done.bob ?? [])];
    expect(all).toHaveLength(8);
    expect(new Set(all).size).toBe(8);
    // Revoked through the CLI: both instances refuse bob at once.
    expect(run(["token", "revoke", "bob", "--db", database.url]).status).toBe(0);
    for (const s of servers) {
      const r = await fetch(s.url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${bob}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
      expect(r.status).toBe(401);
    }
    const ready = await fetch(`${two.base}/readyz`);
    expect(ready.status).toBe(200);
  } finally {
    await a.close();
    await b.close();
  }
  // Neither instance logs the database password.
  const password = new URL(database.url).password;
  if (password) for (const s of servers) expect(s.stderr()).not.toContain(password);
});

test("a token store too slow for --http-timeout: 503 saying nothing was run, the call never runs, the server goes on", async () => {
  const key = run(["token", "create", "--name", "carol", "--db", database.url]);
  expect(key.status).toBe(0);
  const proxy = await tcpProxy(database.url);
  const server = await startHttpServer({
    cwd: project.dir,
    args: ["--db", proxy.url, "--http-timeout", "2s"],
  });
  const post = (body: unknown) =>
    fetch(server.url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${key.stdout.trim()}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify(body),
    });
  const description = "never run: its token check outlived --http-timeout";
  try {
    // Through the proxy while it passes bytes: the store's pool is open.
    expect((await post({ jsonrpc: "2.0", id: 1, method: "tools/list" })).status).toBe(200);
    // PostgreSQL stops answering: the token's lookup waits past the timeout. Before this fix the
    // server answered 408 ("not received"), blaming the client.
    proxy.pause();
    const r = await post({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: {
        name: "orchestrator_plan_task",
        arguments: {
          working_directory: project.dir,
          description,
          subtasks: [{ title: "one", specialist_type: "implementer" }],
        },
      },
    });
    expect(r.status).toBe(503);
    const body = (await r.json()) as { error: { message: string; data: { code: string } } };
    expect(body.error.data.code).toBe("REQUEST_TIMEOUT");
    expect(body.error.message).toContain("nothing was run");
    proxy.resume();
    // Answering again: the next request is served.
    expect((await post({ jsonrpc: "2.0", id: 3, method: "tools/list" })).status).toBe(200);
  } finally {
    proxy.resume();
    expect(await server.stop()).toBe(0);
    proxy.close();
  }
  // The answer said nothing was run: after the lookup came back, and until the server stopped,
  // the call was not run (the server skips a call whose request timed out; the runtime also drops
  // the unread body of an answered request, so this holds either way).
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const found = await client.query("select count(*)::int as n from plans where description = $1", [
      description,
    ]);
    expect(found.rows[0]).toEqual({ n: 0 });
  } finally {
    await client.end();
  }
  expect(server.stderr()).not.toContain("internal error");
}, 30_000);
