import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isOrchestratorError } from "../../src/core/errors.ts";
import { postMessage } from "../../src/remote/post.ts";
import { checkRemoteUrl, checkTokenEnvName } from "../../src/remote/target.ts";

// The bridge's one POST against a real local HTTP server playing the answers our own server never
// gives (an SSE stream, an HTML page, silence), so each is held without a mock.

let server: Server;
let base: string;
const seen: { auth?: string | undefined; version?: string | undefined }[] = [];
const hold: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ auth: req.headers.authorization, version: req.headers["mcp-protocol-version"] as string });
    if (req.url === "/sse") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`event: message\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{}}\n\n`);
      res.end(`data: {"jsonrpc":"2.0","id":7,\ndata: "result":{}}\n\n`);
    } else if (req.url === "/html") {
      res.writeHead(404, { "content-type": "text/html" });
      res.end("<html>not here</html>");
    } else if (req.url === "/slow") {
      hold.push(res);
    } else if (req.url === "/forbidden") {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          jsonrpc: "2.0",
          id: null,
          error: { code: -32000, message: "ORIGIN_FORBIDDEN: no" },
        }),
      );
    } else if (req.url === "/busy") {
      res.writeHead(503, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          jsonrpc: "2.0",
          id: null,
          error: {
            code: -32000,
            message: "REQUEST_TIMEOUT: the call ran past 120 s",
            data: { code: "REQUEST_TIMEOUT" },
          },
        }),
      );
    } else {
      res.writeHead(202);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  for (const r of hold) r.destroy();
  server.close();
});

const opts = (path: string, timeoutMs = 5_000) => ({
  url: `${base}${path}`,
  token: "orch_secret",
  timeoutMs,
  protocolVersion: "2025-06-18",
});

async function failure(p: Promise<unknown>) {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!isOrchestratorError(e)) throw new Error(`expected an OrchestratorError, got ${String(e)}`);
  expect(e.message).not.toContain("orch_secret");
  return e;
}

describe("postMessage", () => {
  test("an SSE answer: every event's data, multi-line data joined, in order", async () => {
    const got: unknown[] = [];
    const r = await postMessage("{}", opts("/sse"), (m) => got.push(m));
    expect(r.status).toBe(200);
    expect(got).toEqual([
      { jsonrpc: "2.0", method: "notifications/progress", params: {} },
      { jsonrpc: "2.0", id: 7, result: {} },
    ]);
    expect(seen.at(-1)).toEqual({ auth: "Bearer orch_secret", version: "2025-06-18" });
  });

  test("202 for a notification: nothing to relay", async () => {
    const got: unknown[] = [];
    expect((await postMessage("{}", opts("/note"), (m) => got.push(m))).status).toBe(202);
    expect(got).toEqual([]);
  });

  test("an HTML 404 is REMOTE_BAD_ANSWER, naming the /mcp path", async () => {
    const e = await failure(postMessage("{}", opts("/html"), () => {}));
    expect(e.code).toBe("REMOTE_BAD_ANSWER");
    expect(e.fix).toContain("/mcp");
  });

  test("403 is REMOTE_FORBIDDEN with the server's own words", async () => {
    const e = await failure(postMessage("{}", opts("/forbidden"), () => {}));
    expect(e.code).toBe("REMOTE_FORBIDDEN");
    expect(e.message).toContain("ORIGIN_FORBIDDEN");
  });

  test("the server's own named failure (503 REQUEST_TIMEOUT) keeps its code and fix", async () => {
    const e = await failure(postMessage("{}", opts("/busy"), () => {}));
    expect(e.code).toBe("REQUEST_TIMEOUT");
    expect(e.fix).toContain("orchestrator_get_status");
  });

  test("no answer within the timeout is REMOTE_TIMEOUT, not a hang", async () => {
    const e = await failure(postMessage("{}", opts("/slow", 300), () => {}));
    expect(e.code).toBe("REMOTE_TIMEOUT");
  });

  test("a certificate this machine does not trust is REMOTE_TLS naming the CA fix", async () => {
    // A real TLS server with a self-signed certificate made for this test.
    const dir = mkdtempSync(join(tmpdir(), "orch-tls-"));
    const made = spawnSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "k.pem",
        "-out",
        "c.pem",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
      ],
      { cwd: dir },
    );
    expect(made.status).toBe(0);
    const tls = createHttpsServer(
      { key: readFileSync(join(dir, "k.pem")), cert: readFileSync(join(dir, "c.pem")) },
      (_req, res) => res.end("{}"),
    );
    await new Promise<void>((r) => tls.listen(0, "127.0.0.1", r));
    try {
      const port = (tls.address() as AddressInfo).port;
      const e = await failure(
        postMessage("{}", { ...opts("/"), url: `https://localhost:${port}/mcp` }, () => {}),
      );
      expect(e.code).toBe("REMOTE_TLS");
      expect(e.fix).toContain("NODE_EXTRA_CA_CERTS");
    } finally {
      tls.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("remote URL and variable rules", () => {
  test.each([
    ["https://mcp.example.com/mcp", true],
    ["http://127.0.0.1:8080/mcp", true],
    ["http://[::1]:8080/mcp", true],
    ["http://localhost:8080/mcp", true],
    ["http://10.0.0.5:8080/mcp", false],
    ["https://a:b@mcp.example.com/mcp", false],
    ["ftp://mcp.example.com/mcp", false],
    ["not a url", false],
  ])("%s → %p", (url, ok) => {
    const r = (() => {
      try {
        checkRemoteUrl(url);
        return true;
      } catch (e) {
        expect(isOrchestratorError(e, "REMOTE_URL_INVALID")).toBe(true);
        expect((e as Error).message).not.toContain(":b@");
        return false;
      }
    })();
    expect(r).toBe(ok);
  });

  test.each([
    ["ORCH_TOKEN", true],
    ["_x1", true],
    ["1ABC", false],
    ["A-B", false],
    ["$(rm -rf)", false],
    ["orch_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG-", false],
    ["orch_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", false],
  ])("--token-env %s → %p", (name, ok) => {
    let r = true;
    try {
      checkTokenEnvName(name);
    } catch {
      r = false;
    }
    expect(r).toBe(ok);
  });
});
