import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, call, callOk } from "../helpers/client.ts";
import { connectHttp, type HttpServer, startHttpServer } from "../helpers/http-server.ts";
import { type Exposition, parseExposition, sample } from "../helpers/prometheus.ts";
import { makeProject } from "../helpers/temp.ts";
import { testDbUrl } from "../helpers/test-store.ts";

// /metrics of `serve --http` (issue 14) through the compiled binary: the exposition parses, and
// its counts move with the calls made.

let project: { dir: string; cleanup: () => void };
let dataDir: string;
let db: string;
let token: string;
let server: HttpServer;

async function scrape(base = server.base, headers: Record<string, string> = {}): Promise<Exposition> {
  const r = await fetch(`${base}/metrics`, { headers });
  expect(r.status).toBe(200);
  expect(r.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
  return parseExposition(await r.text());
}

const reqs = (tool: string, outcome: string) =>
  `orchestrator_http_requests_total{tool="${tool}",outcome="${outcome}"}`;

beforeAll(async () => {
  project = makeProject("orch-metrics-");
  dataDir = realpathSync(mkdtempSync(join(tmpdir(), "orch-metrics-db-")));
  // The test store's PostgreSQL database under test:pg; else a shared SQLite file.
  db = testDbUrl() ?? join(dataDir, "team.db");
  const created = spawnSync(BINARY, ["token", "create", "--name", "mia", "--db", db], {
    cwd: project.dir,
    encoding: "utf8",
  });
  expect(created.status).toBe(0);
  token = created.stdout.trim();
  server = await startHttpServer({ cwd: project.dir, args: ["--db", db] });
});
afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  project.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("serve --http: /metrics", () => {
  test("every family is declared with TYPE and HELP; counts move with calls", async () => {
    const before = await scrape();
    for (const [name, type] of [
      ["orchestrator_http_requests_total", "counter"],
      ["orchestrator_http_request_duration_seconds", "histogram"],
      ["orchestrator_claims_held", "gauge"],
      ["orchestrator_store_errors_total", "counter"],
      ["orchestrator_restarts_total", "counter"],
    ]) {
      expect({ name, type: before.types.get(name!) }).toEqual({ name, type });
      expect(before.helps.get(name!)).toBeTruthy();
    }
    expect(sample(before, "orchestrator_restarts_total")).toBe(0);
    expect(sample(before, "orchestrator_claims_held")).toBe(0);

    const client = await connectHttp(server.url, token);
    const ws = { working_directory: project.dir };
    try {
      const plan = await callOk(client, "orchestrator_plan_task", {
        ...ws,
        description: "Measured",
        subtasks: [{ title: "One", description: "One thing", specialist_type: "implementer" }],
      });
      await callOk(client, "orchestrator_execute_subtask", { ...ws, task_id: plan.subtasks[0].task_id });
      const missing = await call(client, "orchestrator_get_task", { ...ws, task_id: "task_00000000" });
      expect(missing.isError).toBe(true);
    } finally {
      await client.close();
    }
    const refused = await fetch(server.url, { method: "POST", body: "{}" });
    expect(refused.status).toBe(401);

    const after = await scrape();
    const moved = (key: string) => sample(after, key) - sample(before, key);
    expect(moved(reqs("orchestrator_plan_task", "ok"))).toBe(1);
    expect(moved(reqs("orchestrator_execute_subtask", "ok"))).toBe(1);
    expect(moved(reqs("orchestrator_get_task", "tool_error"))).toBe(1);
    expect(moved(reqs("initialize", "ok"))).toBe(1);
    expect(moved(reqs("none", "auth_failed"))).toBe(1);
    const plan = 'tool="orchestrator_plan_task"';
    expect(moved(`orchestrator_http_request_duration_seconds_count{${plan}}`)).toBe(1);
    expect(sample(after, `orchestrator_http_request_duration_seconds_bucket{${plan},le="+Inf"}`)).toBe(1);
    expect(sample(after, `orchestrator_http_request_duration_seconds_sum{${plan}}`)).toBeGreaterThan(0);
    // Buckets are cumulative: each at least the one below it.
    const buckets = [...after.samples]
      .filter(([k]) => k.startsWith(`orchestrator_http_request_duration_seconds_bucket{${plan}`))
      .map(([, v]) => v);
    expect(buckets.length).toBeGreaterThan(5);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    expect(sample(after, "orchestrator_claims_held")).toBe(1);
  });

  test("made-up tool names are escaped in labels and cannot break the format", async () => {
    const client = await connectHttp(server.url, token);
    try {
      const r = await call(client, 'weird"tool\\name\nx', {});
      expect(r.isError).toBe(true);
    } finally {
      await client.close();
    }
    const text = await (await fetch(`${server.base}/metrics`)).text();
    expect(() => parseExposition(text)).not.toThrow();
    expect(text).toContain('tool="weird\\"tool\\\\name\\nx"');
  });

  test("off loopback: /metrics needs a token, unless --metrics-public", async () => {
    const open = await startHttpServer({ cwd: project.dir, args: ["--db", db], bind: "0.0.0.0:0" });
    const pub = await startHttpServer({
      cwd: project.dir,
      args: ["--db", db, "--metrics-public"],
      bind: "0.0.0.0:0",
    });
    try {
      const local = (s: HttpServer) => s.base.replace("0.0.0.0", "127.0.0.1");
      const anonymous = await fetch(`${local(open)}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toStartWith("Bearer resource_metadata=");
      expect(((await anonymous.json()) as { error: { message: string } }).error.message).toContain(
        "--metrics-public",
      );
      await scrape(local(open), { authorization: `Bearer ${token}` });
      await scrape(local(pub));
    } finally {
      expect(await open.stop()).toBe(0);
      expect(await pub.stop()).toBe(0);
    }
  });
});
