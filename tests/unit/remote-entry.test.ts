// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the clients' own variable syntax, written literally
import { describe, expect, test } from "bun:test";
import {
  bridgeTarget,
  buildBridgeEntry,
  isOurRemote,
  type RemoteShape,
  shapeRemoteEntry,
  unshapeRemoteEntry,
} from "../../src/install/remote-entry.ts";

// Every remote shape install writes reads back as the same URL and variable (validate and doctor
// rely on it), and the forms clients write themselves are read too.

const SHAPES: RemoteShape[] = ["claude", "vscode", "cursor", "windsurf", "gemini", "codex", "opencode"];
const target = { url: "https://mcp.example.com/mcp", tokenEnv: "ORCH_TOKEN" };

describe("remote entries", () => {
  test.each(SHAPES.map((s) => [s]))("%s round-trips", (shape) => {
    expect(unshapeRemoteEntry(shapeRemoteEntry(shape, target))).toEqual({ ...target, literalToken: false });
    expect(unshapeRemoteEntry(shapeRemoteEntry(shape, { url: target.url }))).toEqual({
      url: target.url,
      tokenEnv: undefined,
      literalToken: false,
    });
  });

  test("a literal token is seen as one; a stdio entry is not remote", () => {
    const literal = { type: "http", url: target.url, headers: { authorization: "Bearer orch_abc" } };
    expect(unshapeRemoteEntry(literal)).toMatchObject({ tokenEnv: undefined, literalToken: true });
    expect(unshapeRemoteEntry({ command: "/bin/x", args: [], url: target.url })).toBeUndefined();
    expect(
      unshapeRemoteEntry({
        type: "streamable_http",
        uri: target.url,
        headers: { Authorization: "Bearer $ORCH_TOKEN" },
      }),
    ).toMatchObject(target);
  });

  test("ours: a variable-read token at any path, or an /mcp endpoint", () => {
    expect(
      isOurRemote(
        unshapeRemoteEntry({ url: "https://x.example/other", headers: { Authorization: "Bearer ${env:T}" } }),
      ),
    ).toBe(true);
    expect(isOurRemote(unshapeRemoteEntry({ url: "https://x.example/mcp" }))).toBe(true);
    expect(isOurRemote(unshapeRemoteEntry({ url: "https://x.example/sse" }))).toBe(false);
  });

  test("the bridge's arguments read back", () => {
    const e = buildBridgeEntry({
      command: "/usr/local/bin/orchestrator",
      commandArgs: ["/src/bin.ts"],
      target,
    });
    expect(e.args).toEqual(["/src/bin.ts", "connect", target.url, "--token-env", "ORCH_TOKEN"]);
    expect(bridgeTarget(e.args)).toEqual(target);
    expect(bridgeTarget(["connect", target.url, "--token-env=X"])).toEqual({
      url: target.url,
      tokenEnv: "X",
    });
    expect(bridgeTarget(["serve"])).toBeUndefined();
  });
});
