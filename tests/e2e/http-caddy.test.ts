import { afterAll, beforeAll, expect, test } from "bun:test";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, ROOT } from "../helpers/client.ts";
import { connectHttp, type HttpServer, startHttpServer, stderrMatch } from "../helpers/http-server.ts";
import { fencedBlocks } from "../helpers/markdown-blocks.ts";
import { freePort } from "../helpers/nginx.ts";

// The Caddy configuration of docs/guides/team-server.md ("TLS"), run as written with only the
// site's name and port and the upstreams' ports replaced, and a certificate file instead of an
// ACME one: Caddy forwards the client's Host, which two loopback instances accept because it is
// their --public-url (without it they answer 403, so the guide's Host rule is what this checks).
// Caddy is the distribution's package (.ci/run installs it when it can).
let dir = "";
let caddy: ChildProcess | undefined;
const servers: HttpServer[] = [];
let publicBase = "";
let token = "";
let cert = "";

function guideCaddyfile(): string {
  const guide = readFileSync(join(ROOT, "docs", "guides", "team-server.md"), "utf8");
  const block = fencedBlocks(guide).find((b) => b.code.startsWith("mcp.example.com {"));
  if (!block) throw new Error("docs/guides/team-server.md shows no Caddy site block");
  return block.code;
}

beforeAll(async () => {
  const bin = spawnSync("caddy", ["version"], { encoding: "utf8" });
  if (bin.status !== 0)
    throw new Error("caddy is not installed: apt-get install -y caddy (.ci/run does it when it can)");
  dir = mkdtempSync(join(tmpdir(), "orch-caddy-"));
  const db = join(dir, "team.db");
  const made = spawnSync(BINARY, ["token", "create", "--name", "dana", "--db", db], { encoding: "utf8" });
  expect(made.status).toBe(0);
  token = made.stdout.trim();
  const ssl = spawnSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2"]
      .concat(["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"])
      .concat(["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")]),
    { encoding: "utf8" },
  );
  expect(ssl.status).toBe(0);
  cert = readFileSync(join(dir, "cert.pem"), "utf8");

  const port = await freePort();
  publicBase = `https://localhost:${port}`;
  for (let i = 0; i < 2; i++) {
    servers.push(await startHttpServer({ cwd: dir, args: ["--db", db, "--public-url", publicBase] }));
  }
  const site = guideCaddyfile()
    .replace(
      "mcp.example.com {",
      `localhost:${port} {\n    tls ${join(dir, "cert.pem")} ${join(dir, "key.pem")}`,
    )
    .replace("127.0.0.1:8081 127.0.0.1:8082", servers.map((s) => new URL(s.base).host).join(" "));
  const global = `{\n  admin off\n  auto_https disable_redirects\n  storage file_system ${join(dir, "caddy")}\n  http_port ${await freePort()}\n}\n`;
  writeFileSync(join(dir, "Caddyfile"), global + site);
  caddy = spawn("caddy", ["run", "--config", join(dir, "Caddyfile"), "--adapter", "caddyfile"], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  caddy.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  // Caddy logs "serving initial configuration" once its listeners are up.
  await new Promise<void>((resolve, reject) => {
    caddy?.stderr?.on("data", () => {
      if (err.includes("serving initial configuration")) resolve();
    });
    caddy?.once("exit", (code) => reject(new Error(`caddy exited (${code}):\n${err}`)));
  });
}, 60_000);

afterAll(async () => {
  if (caddy && caddy.exitCode === null) {
    const gone = new Promise((r) => caddy?.once("exit", r));
    caddy.kill("SIGTERM");
    await gone;
  }
  for (const s of servers) await s.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const viaCaddy: typeof fetch = Object.assign(
  (input: string | URL | Request, init?: RequestInit) =>
    fetch(input, { ...init, tls: { ca: cert } } as RequestInit),
  { preconnect: fetch.preconnect },
);

test("through the guide's Caddy configuration, both instances answer under the public Host", async () => {
  const health = await viaCaddy(`${publicBase}/healthz`);
  expect(health.status).toBe(200);
  const client = await connectHttp(`${publicBase}/mcp`, token, "caddy-e2e", viaCaddy);
  try {
    for (let i = 0; i < 4; i++) expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  } finally {
    await client.close();
  }
  // Round robin: each instance served tools/list calls as the token's name.
  for (const s of servers) await stderrMatch(s, /"agent":"dana","rpc":"tools\/list"/g, 1);
  for (const s of servers) expect(s.stderr()).not.toContain('"outcome":"forbidden"');
}, 30_000);
