/**
 * Remote entries (issue 14, item 4) read by the real client CLIs: `install --url --token-env`
 * writes each client's own remote entry, and the client connects to a real `serve --http` with
 * the token from the variable (the server logs the token's name), or fails with a wrong one.
 * Run by `bun run test:clients` with clients.real.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { BINARY } from "../helpers/client.ts";
import { type HttpServer, startHttpServer } from "../helpers/http-server.ts";
import { makeProject } from "../helpers/temp.ts";
import { lineOf, Sandbox } from "./harness.ts";
import { binPath, isInstalled, PINNED } from "./pinned.ts";

setDefaultTimeout(300_000);
const NAME = "task-orchestrator";
const VAR = "ORCH_TEAM_TOKEN";

let project: { dir: string; cleanup: () => void };
let server: HttpServer;
let token: string;

beforeAll(async () => {
  const used = ["claude-code", "gemini-cli", "opencode"];
  const missing = PINNED.filter((c) => used.includes(c.id) && !isInstalled(c)).map(
    (c) => `${c.pkg}@${c.version} (${binPath(c)})`,
  );
  if (missing.length > 0)
    throw new Error(`pinned clients missing: ${missing.join(", ")}; run 'bun run test:clients'.`);
  project = makeProject("orch-real-remote-");
  const db = join(project.dir, "team.db");
  token = spawnSync(BINARY, ["token", "create", "--name", "alice", "--db", db], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: project.dir },
  }).stdout.trim();
  server = await startHttpServer({ cwd: project.dir, args: ["--db", db] });
});
afterAll(async () => {
  await server?.stop();
  project?.cleanup();
});

let sb: Sandbox;
afterEach(() => sb?.done());

/** Installs the remote entry, and has the client list it with the given token value. */
async function listWith(id: "claude-code" | "gemini-cli" | "opencode", value: string) {
  (sb.env as Record<string, string>)[VAR] = value;
  const list = await sb.client(id, ["mcp", "list"]);
  return lineOf(list.out, NAME) ?? list.out;
}

describe("remote entries (install --url --token-env)", () => {
  test.each([
    ["claude-code", "Connected"],
    ["gemini-cli", "Connected"],
    ["opencode", "connected"],
  ] as const)("%s connects with the token from the variable, under the token's name", async (id, word) => {
    sb = new Sandbox(`remote-${id}`);
    if (id === "gemini-cli")
      sb.write(
        join(sb.home, ".gemini", "trustedFolders.json"),
        JSON.stringify({ [sb.project]: "TRUST_FOLDER" }),
      );
    const inst = await sb.orch(["install", "--client", id, "--url", server.url, "--token-env", VAR]);
    expect({ code: inst.code, out: inst.out }).toMatchObject({ code: 0 });
    const before = server.stderr().length;
    expect(await listWith(id, token)).toContain(word);
    expect(server.stderr().slice(before)).toContain('"agent":"alice"');
    expect(await listWith(id, "orch_wrongwrongwrongwrongwrongwrongwrongwro")).not.toMatch(
      /✔ Connected|✓ .*Connected|✓ task-orchestrator connected/,
    );
  });
});
