import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { BINARY, callOk, ROOT } from "../helpers/client.ts";
import { connectHttp, type HttpServer, startHttpServer, stderrMatch } from "../helpers/http-server.ts";
import { freePort, type Nginx, nginxConf, startNginx } from "../helpers/nginx.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { runTeamLoad } from "../helpers/team-load.ts";
import { makeProject } from "../helpers/temp.ts";

// Issue 14, Proof: two `serve --http` instances on one PostgreSQL database behind a real nginx
// (the distribution's package), round-robin. 8 agents, each with its own token, claim and
// complete tasks through the proxy: none lost, none done twice; each instance restarts (SIGHUP)
// in turn in the middle, and no call fails.
// ORCHESTRATOR_TEST_NGINX_OPS sets operations per agent (bun run stress: 500).
const OPS_PER_AGENT = Number(process.env.ORCHESTRATOR_TEST_NGINX_OPS ?? 50);
const AGENTS = 8;
let database: TestDatabase;
let project: { dir: string; cleanup: () => void };
let nginx: Nginx | undefined;
const servers: HttpServer[] = [];
let publicBase = "";

function run(args: string[]) {
  return spawnSync(BINARY, args, {
    cwd: project.dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
  });
}

function startInstance(bind = "127.0.0.1:0"): Promise<HttpServer> {
  return startHttpServer({
    cwd: project.dir,
    bind,
    args: ["--db", database.url, "--public-url", publicBase],
  });
}

const tokens = new Map<string, string>();

beforeAll(async () => {
  database = await createTestDatabase();
  project = makeProject("orch-http-nginx-");
  for (let i = 0; i < AGENTS; i++) {
    const r = run(["token", "create", "--name", `agent-${i}`, "--db", database.url]);
    expect(r.status).toBe(0);
    tokens.set(`agent-${i}`, r.stdout.trim());
  }
  const port = await freePort();
  publicBase = `http://127.0.0.1:${port}`;
  servers.push(await startInstance(), await startInstance());
  nginx = await startNginx({ port, upstreams: servers.map((s) => new URL(s.base).host) });
}, 60_000);
afterAll(async () => {
  await nginx?.stop();
  for (const s of servers) expect(await s.stop()).toBe(0);
  project.cleanup();
  await database.drop();
});

/** A raw request through nginx, so Host and Origin are exactly what a browser or attacker sends. */
function raw(headers: Record<string, string>): Promise<{ status: number; body: string; headers: Headers }> {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
  return new Promise((resolve, reject) => {
    const req = request(
      `${publicBase}/mcp`,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "content-length": String(Buffer.byteLength(body)),
          ...headers,
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => {
          text += d.toString();
        });
        res.on("end", () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") h.set(k, v);
          resolve({ status: res.statusCode ?? 0, body: text, headers: h });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

test("behind nginx: the public Host and Origin pass, foreign ones get 403, the 401 names the public URL", async () => {
  const token = tokens.get("agent-0") as string;
  const auth = { authorization: `Bearer ${token}` };
  const ok = await raw({ ...auth, origin: publicBase });
  expect(ok.status).toBe(200);
  expect(JSON.parse(ok.body).result.tools.length).toBeGreaterThan(5);
  expect((await raw({ ...auth, origin: "http://evil.example" })).status).toBe(403);
  // A rebound name reaches nginx with its own Host; nginx forwards it and the instance refuses it.
  const rebound = await raw({ ...auth, host: "evil.example" });
  expect(rebound.status).toBe(403);
  expect(rebound.body).toContain("Host");
  const anonymous = await raw({});
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get("www-authenticate")).toContain(
    `resource_metadata="${publicBase}/.well-known/oauth-protected-resource/mcp"`,
  );
  const meta = (await (await fetch(`${publicBase}/.well-known/oauth-protected-resource/mcp`)).json()) as {
    resource: string;
  };
  expect(meta.resource).toBe(`${publicBase}/mcp`);
});

test(`8 agents × ${OPS_PER_AGENT} operations through nginx, each instance restarted in turn (SIGHUP): 0 failed, 0 lost, 0 double`, async () => {
  const tasks = (AGENTS * OPS_PER_AGENT) / 2;
  const [one, two] = servers as [HttpServer, HttpServer];
  const disruptions: Promise<void>[] = [];
  const result = await runTeamLoad({
    urls: [`${publicBase}/mcp`],
    tokens,
    workspace: project.dir,
    tasks,
    onProgress: (done) => {
      if (done === Math.floor(tasks / 3)) {
        disruptions.push(
          (async () => {
            const restarted = stderrMatch(one, /restarted the HTTP worker/g, 1);
            one.child.kill("SIGHUP");
            await restarted;
          })(),
        );
      }
      if (done === Math.floor((2 * tasks) / 3)) {
        // Not a stop and start: a POST nginx already sent on a connection the stopping instance had
        // not accepted fails 502 and must not be resent (the guide says to drain it from nginx first).
        disruptions.push(
          (async () => {
            const restarted = stderrMatch(two, /restarted the HTTP worker/g, 1);
            two.child.kill("SIGHUP");
            await restarted;
          })(),
        );
      }
    },
  });
  await Promise.all(disruptions);
  expect(disruptions).toHaveLength(2);
  expect(result.failures).toEqual([]);
  const all = [...result.completed.values()].flat();
  expect(all).toHaveLength(tasks);
  expect(new Set(all).size).toBe(tasks);
  // Each agent did some of the work, under its own name.
  for (const name of tokens.keys()) expect(result.completed.get(name)?.length ?? 0).toBeGreaterThan(0);
  // The database agrees: every plan completed, through whichever instance answers.
  const client = await connectHttp(`${publicBase}/mcp`, tokens.get("agent-1"));
  try {
    const status = await callOk(client, "orchestrator_get_status", { working_directory: project.dir });
    expect(status.plans_open).toBe(0);
    expect(status.plans_completed).toBe(Math.ceil(tasks / 400));
  } finally {
    await client.close();
  }
  // Both instances served: nginx spread the load (the second one before it was stopped; nginx may
  // hold the started-again one out for fail_timeout, longer than the rest of a short run).
  expect(one.stderr()).toContain('"tool":"orchestrator_complete_subtask"');
  expect(two.stderr()).toContain('"tool":"orchestrator_complete_subtask"');
}, 600_000);

test("the team guide shows the nginx directives this test runs", () => {
  const guide = readFileSync(join(ROOT, "docs", "guides", "team-server.md"), "utf8");
  const shown = new Set(guide.split("\n").map((l) => l.trim()));
  const conf = nginxConf({ prefix: "/p", port: 1, upstreams: ["127.0.0.1:8081"] });
  const location = conf.slice(conf.indexOf("location / {"), conf.indexOf("}", conf.indexOf("location / {")));
  const directives = location
    .split("\n")
    .slice(1)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  expect(directives.length).toBeGreaterThan(8);
  for (const d of directives) expect(shown.has(d), `docs/guides/team-server.md lacks: ${d}`).toBe(true);
  expect(shown.has("server 127.0.0.1:8081 max_fails=1 fail_timeout=2s;")).toBe(true);
  // One nginx configuration only: a second one (an older Host rule) would contradict this one.
  const hostRules = guide.split("\n").filter((l) => l.trim().startsWith("proxy_set_header Host "));
  expect(hostRules).toEqual(["      proxy_set_header Host $http_host;"]);
});
