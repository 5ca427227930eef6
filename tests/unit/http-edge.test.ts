import { describe, expect, test } from "bun:test";
import type { IncomingMessage } from "node:http";
import { agentBelongsTo, isValidTokenName, tokenState } from "../../src/core/token.ts";
import { sameDigest, tokenDigest } from "../../src/platform/secrets.ts";
import { isLoopback, parseBindAddress } from "../../src/server/http/address.ts";
import { challenge } from "../../src/server/http/auth.ts";
import { createOriginGuard, parseOrigin } from "../../src/server/http/guard.ts";

// The pure pieces of serve --http (issue 14); the whole server is tested end to end in
// tests/e2e/http-server.test.ts.

const req = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

describe("--http [HOST:]PORT", () => {
  test.each([
    ["8080", { host: "127.0.0.1", port: 8080 }],
    ["0", { host: "127.0.0.1", port: 0 }],
    ["0.0.0.0:80", { host: "0.0.0.0", port: 80 }],
    ["localhost:9", { host: "localhost", port: 9 }],
    ["[::1]:8080", { host: "::1", port: 8080 }],
  ])("%s", (raw, want) => {
    expect(parseBindAddress(raw)).toEqual(want);
  });
  test.each(["", "x", "70000", "1.2.3.4:", "[zz]:80", "a b:80", "host:80:90"])("refuses %p", (raw) => {
    expect(() => parseBindAddress(raw)).toThrow("--http must be");
  });
  test("loopback", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST"])
      expect(isLoopback(h)).toBe(true);
    for (const h of ["0.0.0.0", "10.0.0.1", "::", "example.com", "128.0.0.1"])
      expect(isLoopback(h)).toBe(false);
  });
});

describe("DNS-rebinding guard", () => {
  const loop = createOriginGuard({ host: "127.0.0.1", port: 8080 }, [parseOrigin("https://ui.example", "x")]);
  test("a loopback server accepts its own names and allowed origins only", () => {
    expect(loop.check(req({ host: "127.0.0.1:8080" }))).toBeUndefined();
    expect(loop.check(req({ host: "localhost:8080", origin: "http://localhost:8080" }))).toBeUndefined();
    expect(loop.check(req({ host: "[::1]:8080", origin: "https://ui.example" }))).toBeUndefined();
    // A rebound name: Host and Origin agree with each other, not with the server.
    expect(loop.check(req({ host: "evil.example:8080", origin: "http://evil.example:8080" }))).toContain(
      "Origin",
    );
    expect(loop.check(req({ host: "evil.example:8080" }))).toContain("Host");
    expect(loop.check(req({ host: "127.0.0.1:9999" }))).toContain("Host");
    expect(loop.check(req({ host: "127.0.0.1:8080", origin: "null" }))).toContain("Origin");
  });
  test("behind a proxy (non-loopback) the Host is free, the Origin is not", () => {
    const wide = createOriginGuard({ host: "0.0.0.0", port: 8080 }, ["https://mcp.example"]);
    expect(wide.check(req({ host: "mcp.example" }))).toBeUndefined();
    expect(wide.check(req({ host: "mcp.example", origin: "https://mcp.example" }))).toBeUndefined();
    expect(wide.check(req({ host: "mcp.example", origin: "https://other.example" }))).toContain("Origin");
  });
  test("a loopback server behind a local proxy accepts its --public-url's Host and Origin, nothing else", () => {
    const proxied = createOriginGuard(
      { host: "127.0.0.1", port: 8080 },
      [],
      "http",
      "https://mcp.example:8443",
    );
    expect(proxied.check(req({ host: "mcp.example:8443" }))).toBeUndefined();
    expect(
      proxied.check(req({ host: "MCP.example:8443", origin: "https://mcp.example:8443" })),
    ).toBeUndefined();
    expect(proxied.check(req({ host: "127.0.0.1:8080" }))).toBeUndefined();
    expect(proxied.check(req({ host: "mcp.example" }))).toContain("Host");
    expect(proxied.check(req({ host: "mcp.example:8443", origin: "http://mcp.example:8443" }))).toContain(
      "Origin",
    );
    expect(proxied.check(req({ host: "evil.example:8443" }))).toContain("--public-url");
  });
  test("origins given on the command line are checked", () => {
    expect(parseOrigin("https://a.example/path", "--allow-origin")).toBe("https://a.example");
    expect(() => parseOrigin("ftp://a.example", "--allow-origin")).toThrow("--allow-origin");
    expect(() => parseOrigin("not a url", "--allow-origin")).toThrow("--allow-origin");
  });
});

describe("tokens", () => {
  test("names", () => {
    for (const n of ["alice", "ci-bot.1", "A_b", "x".repeat(64)]) expect(isValidTokenName(n)).toBe(true);
    for (const n of ["", "-a", ".a", "a b", "a/b", "x".repeat(65), "é"])
      expect(isValidTokenName(n)).toBe(false);
  });
  test("agent ids a token may use: its name and sub-agents under it, nothing else", () => {
    expect(agentBelongsTo("alice", "alice")).toBe(true);
    expect(agentBelongsTo("alice/reviewer", "alice")).toBe(true);
    expect(agentBelongsTo("alice2", "alice")).toBe(false);
    expect(agentBelongsTo("bob", "alice")).toBe(false);
    expect(agentBelongsTo("ali", "alice")).toBe(false);
  });
  test("state at a time", () => {
    const t = {
      name: "a",
      createdAt: "2026-01-01T00:00:00.000Z",
      lastUsedAt: null,
      revokedAt: null,
      projects: null,
    };
    expect(tokenState({ ...t, expiresAt: null }, "2030-01-01T00:00:00.000Z")).toBe("active");
    expect(tokenState({ ...t, expiresAt: "2026-02-01T00:00:00.000Z" }, "2026-02-01T00:00:00.000Z")).toBe(
      "expired",
    );
    expect(tokenState({ ...t, expiresAt: null, revokedAt: "2026-01-02T00:00:00.000Z" }, "2026-01-01")).toBe(
      "revoked",
    );
  });
  test("digests compare equal only when equal", () => {
    const d = tokenDigest("orch_x");
    expect(d).toMatch(/^[0-9a-f]{64}$/);
    expect(sameDigest(d, tokenDigest("orch_x"))).toBe(true);
    expect(sameDigest(d, tokenDigest("orch_y"))).toBe(false);
    expect(sameDigest(d, "")).toBe(false);
  });
  test("the 401 challenge carries error=invalid_token only when a token was sent (RFC 6750 §3.1)", () => {
    const url = "http://h/.well-known/oauth-protected-resource/mcp";
    expect(challenge(url, { why: "x", invalidToken: false })).toBe(`Bearer resource_metadata="${url}"`);
    expect(challenge(url, { why: "the token expired", invalidToken: true })).toBe(
      `Bearer resource_metadata="${url}", error="invalid_token", error_description="the token expired"`,
    );
  });
});
