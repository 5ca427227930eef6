import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, callOk } from "../helpers/client.ts";
import { connectHttp, type HttpServer, startHttpServer } from "../helpers/http-server.ts";
import { makeProject } from "../helpers/temp.ts";

// Direct TLS of `serve --http` (issue 14) through the compiled binary: a self-signed certificate
// made here with openssl, and clients that trust exactly that certificate.

let project: { dir: string; cleanup: () => void };
let dir: string;
let ca: string;
let token: string;
let server: HttpServer;

function openssl(args: string[]): void {
  const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr}`);
}

function serve(args: string[], bind = "127.0.0.1:0") {
  return spawnSync(BINARY, ["serve", "--http", bind, ...args], {
    cwd: project.dir,
    encoding: "utf8",
    input: "",
  });
}

/** fetch that trusts the test's certificate (and nothing else new). */
const trusting: typeof fetch = ((url: string | URL | Request, init?: RequestInit) =>
  fetch(url, { ...init, tls: { ca } } as RequestInit)) as typeof fetch;

beforeAll(async () => {
  project = makeProject("orch-tls-");
  dir = realpathSync(mkdtempSync(join(tmpdir(), "orch-tls-")));
  const cert = ["-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2"];
  const names = ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"];
  openssl(["req", ...cert, ...names, "-keyout", "key.pem", "-out", "cert.pem"]);
  openssl(["req", ...cert, ...names, "-keyout", "other-key.pem", "-out", "other-cert.pem"]);
  ca = readFileSync(join(dir, "cert.pem"), "utf8");
  const created = spawnSync(BINARY, ["token", "create", "--name", "tess", "--db", join(dir, "team.db")], {
    cwd: project.dir,
    encoding: "utf8",
  });
  expect(created.status).toBe(0);
  token = created.stdout.trim();
  server = await startHttpServer({
    cwd: project.dir,
    args: [
      "--db",
      join(dir, "team.db"),
      "--tls-cert",
      join(dir, "cert.pem"),
      "--tls-key",
      join(dir, "key.pem"),
    ],
  });
});
afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  project.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe("serve --http --tls-cert --tls-key", () => {
  test("HTTPS: handshake, a tool call and the metadata, for a client that trusts the certificate", async () => {
    expect(server.url).toStartWith("https://127.0.0.1:");
    const client = await connectHttp(server.url, token, "tls-e2e", trusting);
    try {
      const plan = await callOk(client, "orchestrator_plan_task", {
        working_directory: project.dir,
        description: "Over TLS",
        subtasks: [{ title: "One", description: "One thing", specialist_type: "implementer" }],
      });
      expect(plan.subtasks).toHaveLength(1);
    } finally {
      await client.close();
    }
    const meta = (await (await trusting(`${server.base}/.well-known/oauth-protected-resource`)).json()) as {
      resource: string;
    };
    expect(meta.resource).toBe(server.url);
    // An https origin of the server itself is its own; its http twin is not.
    const own = await trusting(`${server.base}/healthz`, { headers: { origin: server.base } });
    expect(own.status).toBe(200);
    const twin = await trusting(`${server.base}/healthz`, {
      headers: { origin: server.base.replace("https", "http") },
    });
    expect(twin.status).toBe(403);
  });

  test("a client that does not trust the certificate cannot connect; plain HTTP gets no answer", async () => {
    await expect(fetch(`${server.base}/healthz`)).rejects.toThrow();
    await expect(fetch(`${server.base.replace("https", "http")}/healthz`)).rejects.toThrow();
  });

  test("bad files: exit 2 with one line naming them; both flags or neither", () => {
    writeFileSync(join(dir, "garbage.pem"), "not a certificate\n");
    const cases: [string[], string][] = [
      [["--tls-cert", join(dir, "missing.pem"), "--tls-key", join(dir, "key.pem")], "ENOENT"],
      [["--tls-cert", join(dir, "garbage.pem"), "--tls-key", join(dir, "key.pem")], "garbage.pem"],
      [["--tls-cert", join(dir, "cert.pem"), "--tls-key", join(dir, "other-key.pem")], "other-key.pem"],
    ];
    for (const [args, says] of cases) {
      const r = serve(args);
      expect({ args, status: r.status }).toEqual({ args, status: 2 });
      expect(r.stderr).toMatch(/cannot be read|are not a PEM certificate and its private key/);
      expect(r.stderr).toContain(says);
      expect(r.stderr).not.toContain("    at ");
    }
    const alone = serve(["--tls-cert", join(dir, "cert.pem")]);
    expect(alone.status).toBe(2);
    expect(alone.stderr).toContain("--tls-key");
  });

  test("TLS is no authentication: a non-loopback bind without any is still refused", () => {
    const r = serve(
      ["--db", join(dir, "open.db"), "--tls-cert", join(dir, "cert.pem"), "--tls-key", join(dir, "key.pem")],
      "0.0.0.0:0",
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Refusing to serve 0.0.0.0 without authentication");
  });
});
