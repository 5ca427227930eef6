import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { BINARY, call, callOk, textOf } from "../helpers/client.ts";
import { connectHttp, type HttpServer, startHttpServer } from "../helpers/http-server.ts";
import { makeProject } from "../helpers/temp.ts";
import { testDbUrl } from "../helpers/test-store.ts";

// JWT validation of `serve --http` (issue 14) through the compiled binary: the test is the
// identity provider, serving its own JWKS over local HTTP with keys it generated.

const ISSUER = "https://idp.test.example";
const AUDIENCE = "https://orchestrator.test.example/mcp";

let project: { dir: string; cleanup: () => void };
let dataDir: string;
let db: string;
let staticToken: string;
let server: HttpServer;
let jwks: ReturnType<typeof Bun.serve>;
let jwksFetches = 0;
const keys: Record<string, { privateKey: CryptoKey; jwk: JWK }> = {};

async function makeKey(kid: string, alg: "ES256" | "RS256"): Promise<void> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  keys[kid] = { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

/** A JWT signed with key `kid` (header kid `headerKid`, default the same), with these claims over good defaults. */
function sign(
  claims: Record<string, unknown> = {},
  opts: { kid?: string; headerKid?: string; alg?: string } = {},
): Promise<string> {
  const kid = opts.kid ?? "k1";
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: "dana", iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 600, ...claims })
    .setProtectedHeader({ alg: opts.alg ?? (kid === "k2" ? "RS256" : "ES256"), kid: opts.headerKid ?? kid })
    .sign(keys[kid]!.privateKey);
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");

async function postAs(token: string, url = server.url): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
  });
}

function jwtFlags(jwksUrl: string): string[] {
  return ["--auth-jwks-url", jwksUrl, "--auth-issuer", ISSUER, "--auth-audience", AUDIENCE];
}

beforeAll(async () => {
  await makeKey("k1", "ES256");
  await makeKey("k2", "RS256");
  await makeKey("rogue", "ES256"); // never published
  jwks = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch() {
      jwksFetches++;
      return Response.json({ keys: [keys.k1!.jwk, keys.k2!.jwk] });
    },
  });
  project = makeProject("orch-jwt-");
  dataDir = realpathSync(mkdtempSync(join(tmpdir(), "orch-jwt-db-")));
  // The test store's PostgreSQL database under test:pg; else a shared SQLite file.
  db = testDbUrl() ?? join(dataDir, "team.db");
  const created = spawnSync(BINARY, ["token", "create", "--name", "carol", "--db", db], {
    cwd: project.dir,
    encoding: "utf8",
  });
  expect(created.status).toBe(0);
  staticToken = created.stdout.trim();
  server = await startHttpServer({
    cwd: project.dir,
    args: ["--db", db, ...jwtFlags(`http://127.0.0.1:${jwks.port}/jwks.json`)],
  });
});
afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  await jwks?.stop(true);
  project.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("serve --http with JWT validation", () => {
  test("a valid JWT: the full flow under its sub; agent_id only below it", async () => {
    const client = await connectHttp(server.url, await sign());
    try {
      const ws = { working_directory: project.dir };
      const plan = await callOk(client, "orchestrator_plan_task", {
        ...ws,
        description: "JWT flow",
        subtasks: [{ title: "Build", description: "Build it", specialist_type: "implementer" }],
      });
      const id = plan.subtasks[0].task_id as string;
      const posing = await call(client, "orchestrator_execute_subtask", {
        ...ws,
        task_id: id,
        agent_id: "carol",
      });
      expect(textOf(posing)).toContain("AGENT_FORBIDDEN");
      const exec = await callOk(client, "orchestrator_execute_subtask", { ...ws, task_id: id });
      expect(exec.claim.agent_id).toBe("dana");
      await callOk(client, "orchestrator_complete_subtask", {
        ...ws,
        task_id: id,
        summary: "done",
        detailed_work: "it",
      });
      const synth = await callOk(client, "orchestrator_synthesize_results", {
        ...ws,
        parent_task_id: plan.parent_task_id,
      });
      expect(synth.all_completed).toBe(true);
    } finally {
      await client.close();
    }
    // An RS256 key of the same set works too; so does a static token beside the JWTs.
    expect((await postAs(await sign({ sub: "erin" }, { kid: "k2" }))).status).toBe(200);
    expect((await postAs(staticToken)).status).toBe(200);
    expect(server.stderr()).toContain('"agent":"dana"');
  });

  test("the metadata names the issuer as the authorization server", async () => {
    const meta = (await (await fetch(`${server.base}/.well-known/oauth-protected-resource/mcp`)).json()) as {
      authorization_servers?: string[];
    };
    expect(meta.authorization_servers).toEqual([ISSUER]);
  });

  test("every bad JWT is a 401 invalid_token saying why", async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = await sign();
    const payload = good.split(".")[1];
    const cases: Record<string, string> = {
      "another audience": await sign({ aud: "https://other.example/mcp" }),
      "another issuer": await sign({ iss: "https://evil.example" }),
      expired: await sign({ iat: now - 7200, exp: now - 3600 }),
      "not valid yet": await sign({ nbf: now + 3600 }),
      "signature does not verify": await sign({}, { kid: "rogue", headerKid: "k1" }),
      "not in the provider's key set": await sign({}, { kid: "rogue", headerKid: "nope" }),
      "algorithm is not accepted": `${b64({ alg: "none", kid: "k1" })}.${payload}.`,
      "not an agent name": await sign({ sub: "auth0|not a name" }),
    };
    // HS256 "signed" with the public key's bytes: the classic key-confusion attack.
    const hs = await new SignJWT({ sub: "dana", iss: ISSUER, aud: AUDIENCE, exp: now + 600 })
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .sign(new TextEncoder().encode(JSON.stringify(keys.k1!.jwk)));
    cases["algorithm is not accepted "] = hs;
    for (const [why, token] of Object.entries(cases)) {
      const r = await postAs(token);
      expect({ why, status: r.status }).toEqual({ why, status: 401 });
      const header = r.headers.get("www-authenticate") ?? "";
      expect(header).toContain('error="invalid_token"');
      expect(header).toContain(why.trim());
    }
  });

  test("unknown kids refresh the key set at most once per cooldown", async () => {
    const before = jwksFetches;
    for (let i = 0; i < 5; i++) {
      expect((await postAs(await sign({}, { kid: "rogue", headerKid: `unknown-${i}` }))).status).toBe(401);
    }
    expect(jwksFetches - before).toBeLessThanOrEqual(1);
  });

  test("JWKS unreachable: JWTs get 503 AUTH_UNAVAILABLE with the reason; static tokens still work", async () => {
    const gone = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const deadUrl = `http://127.0.0.1:${gone.port}/jwks.json`;
    await gone.stop(true);
    const other = await startHttpServer({ cwd: project.dir, args: ["--db", db, ...jwtFlags(deadUrl)] });
    try {
      const r = await postAs(await sign(), other.url);
      expect(r.status).toBe(503);
      const body = (await r.json()) as { error: { message: string; data: { code: string } } };
      expect(body.error.data.code).toBe("AUTH_UNAVAILABLE");
      expect(body.error.message).toContain("key set (JWKS) cannot be fetched");
      expect((await postAs(staticToken, other.url)).status).toBe(200);
    } finally {
      expect(await other.stop()).toBe(0);
    }
  });

  test("flags: all three or none; http JWKS only on loopback (exit 2)", () => {
    const usage = (args: string[]) =>
      spawnSync(BINARY, ["serve", "--http", "127.0.0.1:0", "--db", db, ...args], {
        cwd: project.dir,
        encoding: "utf8",
        input: "",
      });
    const partial = usage(["--auth-jwks-url", "https://idp.example/jwks", "--auth-issuer", ISSUER]);
    expect(partial.status).toBe(2);
    expect(partial.stderr).toContain("--auth-audience");
    const plain = usage(jwtFlags("http://idp.example/jwks"));
    expect(plain.status).toBe(2);
    expect(plain.stderr).toContain("https://");
  });
});
