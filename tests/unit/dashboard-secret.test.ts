import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadUiSecret, stateDir } from "../../src/dashboard/http/secret-file.ts";
import { createSecretGate, readCookie } from "../../src/dashboard/http/secret-gate.ts";
import { type Env, readEnv } from "../../src/platform/env.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function envAt(vars: Record<string, string> = {}, platform: NodeJS.Platform = "linux"): Env {
  const home = mkdtempSync(join(tmpdir(), "orch-secret-"));
  dirs.push(home);
  return { ...readEnv(), platform, homedir: home, vars };
}

describe("the ui secret file", () => {
  test("its folder per platform: XDG_STATE_HOME only when absolute, macOS and Windows folders", () => {
    const env = envAt();
    expect(stateDir(env)).toBe(join(env.homedir, ".local", "state", "orchestrator"));
    expect(stateDir({ ...env, vars: { XDG_STATE_HOME: "/x/state" } })).toBe("/x/state/orchestrator");
    expect(stateDir({ ...env, vars: { XDG_STATE_HOME: "relative" } })).toBe(
      join(env.homedir, ".local", "state", "orchestrator"),
    );
    expect(stateDir({ ...env, platform: "darwin" })).toBe(
      join(env.homedir, "Library", "Application Support", "orchestrator"),
    );
    expect(stateDir({ ...env, platform: "win32", vars: { LOCALAPPDATA: "/la" } })).toBe(
      join("/la", "orchestrator"),
    );
  });

  test("made once (0600 in a 0700 folder), then the same on every start", () => {
    const env = envAt();
    const first = loadUiSecret(env, false);
    expect(first.renewed).toBe("first run");
    expect(first.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir(env)).mode & 0o777).toBe(0o700);
    const again = loadUiSecret(env, false);
    expect(again).toEqual({ secret: first.secret, file: first.file, renewed: null });
    const rotated = loadUiSecret(env, true);
    expect(rotated.renewed).toBe("--new-secret");
    expect(rotated.secret).not.toBe(first.secret);
  });

  test("a symlink, a readable file or garbage is replaced by a new secret", () => {
    const env = envAt();
    const { file, secret } = loadUiSecret(env, false);
    const elsewhere = join(env.homedir, "planted");
    writeFileSync(elsewhere, `${secret}\n`, { mode: 0o600 });
    rmSync(file);
    symlinkSync(elsewhere, file);
    const afterLink = loadUiSecret(env, false);
    expect(afterLink.renewed).toContain("not a regular file");
    expect(afterLink.secret).not.toBe(secret);
    // The planted target is untouched; the link itself was replaced.
    expect(readFileSync(elsewhere, "utf8").trim()).toBe(secret);
    writeFileSync(file, "short\n", { mode: 0o600 });
    expect(loadUiSecret(env, false).renewed).toBe("the stored secret was not one");
  });
});

describe("the ui secret gate", () => {
  const secret = "s".repeat(43);
  const gate = createSecretGate(secret, 7717);
  const req = (url: string, headers: Record<string, string> = {}, method = "GET") =>
    ({ url, headers, method }) as unknown as IncomingMessage;

  test("a page with the secret signs in and loses the secret; the API takes it as it is", () => {
    const d = gate.decide(req(`/?secret=${secret}&a=1`), "");
    expect(d.kind).toBe("sign-in");
    if (d.kind !== "sign-in") return;
    expect(d.location).toBe("/?a=1");
    expect(d.cookie).toStartWith("orchestrator_ui_7717=");
    expect(d.cookie).not.toContain(secret);
    const value = readCookie(d.cookie.split(";")[0], "orchestrator_ui_7717") ?? "";
    expect(
      gate.decide(req("/api/overview", { cookie: `x=1; orchestrator_ui_7717=${value}` }), "api/overview"),
    ).toEqual({
      kind: "ok",
    });
    expect(gate.decide(req(`/api/overview?secret=${secret}`), "api/overview")).toEqual({ kind: "ok" });
  });

  test("a wrong secret or cookie is refused, even beside a right cookie", () => {
    expect(gate.decide(req("/"), "").kind).toBe("refused");
    expect(gate.decide(req(`/?secret=${"t".repeat(43)}`), "").kind).toBe("refused");
    expect(gate.decide(req("/", { cookie: "orchestrator_ui_7717=nope" }), "").kind).toBe("refused");
    const own = gate.decide(req(`/?secret=${secret}`), "");
    const right = own.kind === "sign-in" ? (own.cookie.split(";")[0] ?? "") : "";
    expect(gate.decide(req("/", { cookie: right }), "").kind).toBe("ok");
    expect(gate.decide(req(`/?secret=${"t".repeat(43)}`, { cookie: right }), "").kind).toBe("refused");
    // Another port's dashboard cookie is not this one's.
    const other = createSecretGate(secret, 7718).decide(req(`/?secret=${secret}`), "");
    const cookie = other.kind === "sign-in" ? (other.cookie.split(";")[0] ?? "") : "";
    expect(gate.decide(req("/", { cookie }), "").kind).toBe("refused");
  });
});
