import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { BINARY, callOk } from "../helpers/client.ts";
import { type HttpServer, startHttpServer } from "../helpers/http-server.ts";
import { makeProject } from "../helpers/temp.ts";

// `orchestrator connect`: the compiled binary as a stdio MCP server for the SDK's stdio Client,
// relaying to a real `serve --http` (issue 14, item 4).

let project: { dir: string; cleanup: () => void };
let dataDir: string;
let db: string;
let server: HttpServer;
let alice: string;

const baseEnv = () => ({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" });

function run(args: string[], env: Record<string, string> = {}, input?: string) {
  return spawnSync(BINARY, args, {
    cwd: project.dir,
    encoding: "utf8",
    env: { ...baseEnv(), ...env },
    input,
  });
}

/** The SDK's stdio Client, launching `orchestrator connect URL --token-env ORCH_TOKEN`. */
async function bridged(url: string, env: Record<string, string>) {
  const transport = new StdioClientTransport({
    command: BINARY,
    args: ["connect", url, "--token-env", "ORCH_TOKEN"],
    cwd: project.dir,
    env: { ...baseEnv(), ...env },
    stderr: "pipe",
  });
  let err = "";
  transport.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const client = new Client({ name: "bridge-e2e", version: "1.0.0" });
  return { client, transport, stderr: () => err, connect: () => client.connect(transport) };
}

beforeAll(async () => {
  project = makeProject("orch-connect-");
  dataDir = realpathSync(mkdtempSync(join(tmpdir(), "orch-connect-db-")));
  db = join(dataDir, "team.db");
  const created = run(["token", "create", "--name", "alice", "--db", db]);
  expect(created.status).toBe(0);
  alice = created.stdout.trim();
  server = await startHttpServer({ cwd: project.dir, args: ["--db", db, "--http-max-body", "1m"] });
});
afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  project.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("connect: stdio ↔ Streamable HTTP", () => {
  test("plan → execute → complete through the bridge, under the token's name", async () => {
    const b = await bridged(server.url, { ORCH_TOKEN: alice });
    await b.connect();
    try {
      expect(b.client.getServerVersion()?.name).toBe("orchestrator");
      const ws = { working_directory: project.dir };
      const plan = await callOk(b.client, "orchestrator_plan_task", {
        ...ws,
        description: "Bridge it",
        subtasks: [{ title: "Build", description: "Build it", specialist_type: "implementer" }],
      });
      const id = plan.subtasks[0].task_id as string;
      const exec = await callOk(b.client, "orchestrator_execute_subtask", { ...ws, task_id: id });
      expect(exec.claim.agent_id).toBe("alice");
      await callOk(b.client, "orchestrator_complete_subtask", {
        ...ws,
        task_id: id,
        summary: "built",
        detailed_work: "through the bridge",
      });
      const synth = await callOk(b.client, "orchestrator_synthesize_results", {
        ...ws,
        parent_task_id: plan.parent_task_id,
      });
      expect(synth.all_completed).toBe(true);
      // Requests in flight together are relayed together, each answer to its own request.
      const many = await Promise.all(
        Array.from({ length: 20 }, () => callOk(b.client, "orchestrator_get_task", { ...ws, task_id: id })),
      );
      expect(many.map((t) => [t.task.task_id, t.task.status])).toEqual(many.map(() => [id, "completed"]));
    } finally {
      await b.client.close();
    }
    expect(b.stderr()).not.toContain(alice);
    expect(server.stderr()).toContain('"agent":"alice"');
  });

  test("the variable unset: initialize is answered with TOKEN_ENV_UNSET naming it, not a dead server", async () => {
    const b = await bridged(server.url, {});
    const e = await b.connect().then(
      () => null,
      (err: Error) => err,
    );
    await b.client.close().catch(() => {});
    expect(e?.message).toContain("TOKEN_ENV_UNSET");
    expect(e?.message).toContain("ORCH_TOKEN");
    expect(b.stderr()).toContain("ORCH_TOKEN");
    expect(b.stderr()).not.toContain("    at ");
  });

  test("a wrong token: REMOTE_AUTH_FAILED with the way to get one", async () => {
    const b = await bridged(server.url, { ORCH_TOKEN: "orch_not-a-real-token-at-all" });
    const e = await b.connect().then(
      () => null,
      (err: Error) => err,
    );
    await b.client.close().catch(() => {});
    expect(e?.message).toContain("REMOTE_AUTH_FAILED");
    expect(e?.message).toContain("token create");
    expect(e?.message).not.toContain("orch_not-a-real-token-at-all");
  });

  test("a body over the server's limit: that request gets REQUEST_TOO_LARGE, the next one works", async () => {
    const big = "x".repeat(2 * 1024 * 1024);
    const lines = [
      { jsonrpc: "2.0", id: 1, method: "initialize", params: init() },
      {
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "orchestrator_get_status", arguments: { agent_id: big } },
      },
      { jsonrpc: "2.0", id: 3, method: "tools/list" },
    ];
    const answers = await relay(server.url, lines, { ORCH_TOKEN: alice });
    expect(answers.get(2)?.error?.data?.code).toBe("REQUEST_TOO_LARGE");
    expect(answers.get(3)?.result?.tools?.length).toBeGreaterThan(0);
  });

  test("the server down: every request answered REMOTE_UNREACHABLE, and the bridge ends with its input", async () => {
    const gone = await startHttpServer({ cwd: project.dir, args: ["--db", db] });
    await gone.stop();
    const lines = [1, 2, 3].map((id) => ({
      jsonrpc: "2.0",
      id,
      method: id === 1 ? "initialize" : "tools/list",
      ...(id === 1 ? { params: init() } : {}),
    }));
    const answers = await relay(gone.url, lines, { ORCH_TOKEN: alice });
    for (const id of [1, 2, 3]) {
      expect(answers.get(id)?.error?.data?.code).toBe("REMOTE_UNREACHABLE");
      expect(answers.get(id)?.error?.message).toContain("serve --http");
    }
  });

  test("refused before start: plain http to another host, credentials in the URL, --token", () => {
    const plain = run(["connect", "http://mcp.example.com/mcp", "--token-env", "X"], {}, "");
    expect(plain.status).toBe(2);
    expect(plain.stderr).toContain("https://");
    const creds = run(["connect", "https://alice:secret@mcp.example.com/mcp"], {}, "");
    expect(creds.status).toBe(2);
    expect(creds.stderr).not.toContain("secret");
    const literal = run(["connect", server.url, "--token", alice], {}, "");
    expect(literal.status).toBe(2);
    expect(literal.stderr).toContain("--token-env");
    expect(literal.stderr).not.toContain(alice);
    const badName = run(["connect", server.url, "--token-env", alice], {}, "");
    expect(badName.status).toBe(2);
    expect(badName.stderr).not.toContain(alice);
  });
});

function init() {
  return { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } };
}

interface Answer {
  result?: { tools?: unknown[] };
  error?: { message?: string; data?: { code?: string } };
}

/** Writes the lines to a bridge, closes its input, and collects its answers by id as it exits. */
function relay(url: string, lines: object[], env: Record<string, string>): Promise<Map<number, Answer>> {
  const child = spawn(BINARY, ["connect", url, "--token-env", "ORCH_TOKEN"], {
    cwd: project.dir,
    env: { ...baseEnv(), ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stdin.end(lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
  return new Promise((resolve) => {
    child.once("exit", () => {
      const answers = new Map<number, Answer>();
      for (const line of out.split("\n").filter(Boolean)) {
        const m = JSON.parse(line) as Answer & { id: number };
        answers.set(m.id, m);
      }
      resolve(answers);
    });
  });
}
