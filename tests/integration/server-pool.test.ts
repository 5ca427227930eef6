import { afterAll, describe, expect, test } from "bun:test";
import { answerMcp } from "../../src/server/http/mcp.ts";
import { ServerPool } from "../../src/server/http/server-pool.ts";
import type { CallerIdentity } from "../../src/server/session.ts";
import { inMemoryDeps } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";

// serve --http keeps its MCP servers between requests (docs/performance.md); what a kept one may
// carry from one request to the next, and how many are kept. The binary's side:
// tests/e2e/http-server.test.ts "servers kept between requests".

const project = makeProject("orch-pool-");
afterAll(() => project.cleanup());

const caller = (name: string, projects: string[] | null = null): CallerIdentity => ({
  name,
  enforced: true,
  renewedAt: new Map(),
  projects,
});

describe("servers kept between HTTP requests", () => {
  test("the next request of the same caller gets the server back; another caller never does", () => {
    const pool = new ServerPool(inMemoryDeps({ cwd: project.dir }));
    const alice = caller("alice");
    const first = pool.take(alice);
    pool.give(first);
    expect(pool.idle).toBe(1);
    expect(pool.take(alice).server).toBe(first.server);
    pool.give(first);
    const bob = pool.take(caller("bob"));
    expect(bob.server).not.toBe(first.server);
    expect(bob.session.caller?.name).toBe("bob");
    // The same name limited to other projects is another identity.
    expect(pool.take(caller("alice", ["p1"])).server).not.toBe(first.server);
    expect(pool.idle).toBe(1);
  });

  test("a kept session starts each request unbound, acting for its caller only", () => {
    const pool = new ServerPool(inMemoryDeps({ cwd: project.dir }));
    const kept = pool.take(caller("carol"));
    kept.session.boundWorkspace = project.dir;
    expect(kept.session.agentFor("carol/helper")).toBe("carol/helper");
    pool.give(kept);
    const again = pool.take(caller("carol"));
    expect(again.session).toBe(kept.session);
    expect(again.session.boundWorkspace).toBeUndefined();
    expect(again.session.defaultAgentId).toBe("carol");
    expect(() => again.session.agentFor("dave")).toThrow(/AGENT_FORBIDDEN|not yours/);
  });

  test("at most 8 idle per caller and 64 in all, the least recently seen caller's going first", () => {
    const pool = new ServerPool(inMemoryDeps({ cwd: project.dir }));
    const many = Array.from({ length: 10 }, () => pool.take(caller("eve")));
    for (const k of many) pool.give(k);
    expect(pool.idle).toBe(8);
    for (let i = 0; i < 60; i++) pool.give(pool.take(caller(`agent-${i}`)));
    expect(pool.idle).toBe(64);
    // eve was seen first: 4 of hers went to make room.
    const eves = Array.from({ length: 8 }, () => pool.take(caller("eve")));
    expect(eves.filter((k) => many.some((m) => m.server === k.server))).toHaveLength(4);
  });

  test("a server whose request did not answer every call is not kept", async () => {
    const pool = new ServerPool(inMemoryDeps({ cwd: project.dir }));
    const body = { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} };
    const request = (accept: string) => ({
      url: "http://127.0.0.1/mcp",
      headers: { "content-type": "application/json", accept },
      body: Buffer.from(JSON.stringify(body)),
      parsed: body,
    });
    // The transport refuses a client that cannot take JSON: the call is never answered.
    const refused = await answerMcp(pool, caller("frank"), request("text/html"));
    expect(refused.status).toBe(406);
    expect(pool.idle).toBe(0);
    const ok = await answerMcp(pool, caller("frank"), request("application/json, text/event-stream"));
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).result.tools.length).toBeGreaterThan(0);
    expect(pool.idle).toBe(1);
  });
});
