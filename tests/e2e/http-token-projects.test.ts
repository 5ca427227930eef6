import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, call, callOk, textOf } from "../helpers/client.ts";
import { connectHttp, type HttpServer, startHttpServer } from "../helpers/http-server.ts";
import { makeProject } from "../helpers/temp.ts";
import { storeEnv, testDbUrl } from "../helpers/test-store.ts";

// Project-limited bearer tokens (issue 14): `token create --project`, held at every call of the
// compiled binary's HTTP server, through the SDK's Streamable HTTP client.

let projA: { dir: string; cleanup: () => void };
let projB: { dir: string; cleanup: () => void };
let outside: string;
let db: string;
let server: HttpServer;
const tokens: Record<string, string> = {};

function run(args: string[]) {
  return spawnSync(BINARY, args, {
    cwd: outside,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...storeEnv() },
  });
}

function createToken(name: string, extra: string[] = []): string {
  const r = run(["token", "create", "--name", name, "--db", db, ...extra]);
  expect(r.stderr).not.toContain("error");
  expect(r.status).toBe(0);
  return r.stdout.trim();
}

function withProjectId(p: { dir: string }, id: string): void {
  mkdirSync(join(p.dir, ".task_orchestrator"), { recursive: true });
  writeFileSync(join(p.dir, ".task_orchestrator", "settings.yaml"), `project: ${id}\n`);
}

const plan = (dir: string) => ({
  working_directory: dir,
  description: "Limited work",
  subtasks: [{ title: "Build", description: "Build it", specialist_type: "implementer" }],
});

beforeAll(async () => {
  projA = makeProject("orch-tokproj-a-");
  projB = makeProject("orch-tokproj-b-");
  withProjectId(projA, "acme-a");
  withProjectId(projB, "acme-b");
  outside = realpathSync(mkdtempSync(join(tmpdir(), "orch-tokproj-db-")));
  db = testDbUrl() ?? join(outside, "team.db");
  tokens.limited = createToken("limited", ["--project", "acme-a"]);
  tokens.both = createToken("both", ["--project", "acme-a,ACME-B", "--project", "acme-a"]);
  tokens.all = createToken("all");
  // No --workspace: every call names its project by working_directory.
  server = await startHttpServer({ cwd: outside, args: ["--db", db] });
});
afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  projA?.cleanup();
  projB?.cleanup();
  rmSync(outside, { recursive: true, force: true });
});

describe("token create --project", () => {
  test("token list shows each token's projects, 'all' when unlimited; --json the list or null", () => {
    const r = run(["token", "list", "--db", db]);
    expect(r.status).toBe(0);
    const rows = r.stdout.trim().split("\n");
    expect(rows[0]).toEndWith("\tPROJECTS");
    const projectsOf = (name: string) =>
      rows
        .find((l) => l.startsWith(`${name}\t`))
        ?.split("\t")
        .at(-1);
    expect(projectsOf("limited")).toBe("acme-a");
    // Canonical (lowercased) and without repeats.
    expect(projectsOf("both")).toBe("acme-a,acme-b");
    expect(projectsOf("all")).toBe("all");
    const json = JSON.parse(run(["token", "list", "--db", db, "--json"]).stdout) as {
      name: string;
      projects: string[] | null;
    }[];
    expect(json.find((t) => t.name === "limited")?.projects).toEqual(["acme-a"]);
    expect(json.find((t) => t.name === "all")?.projects).toBeNull();
  });

  test("a bad project id, or an empty --project, is a usage error (exit 2) and creates no token", () => {
    for (const bad of [
      ["--project", "../etc"],
      ["--project", "has space"],
      ["--project", "a,,b"],
    ]) {
      const r = run(["token", "create", "--name", "nope", "--db", db, ...bad]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("--project");
      expect(r.stdout).toBe("");
    }
    expect(run(["token", "list", "--db", db]).stdout).not.toContain("nope\t");
  });
});

describe("serve --http: a token limited to some projects", () => {
  test("plans, executes and reads in its project", async () => {
    const client = await connectHttp(server.url, tokens.limited);
    try {
      const p = await callOk(client, "orchestrator_plan_task", plan(projA.dir));
      const id = p.subtasks[0].task_id as string;
      const exec = await callOk(client, "orchestrator_execute_subtask", {
        working_directory: projA.dir,
        task_id: id,
      });
      expect(exec.claim.agent_id).toBe("limited");
      const task = await callOk(client, "orchestrator_get_task", {
        working_directory: projA.dir,
        task_id: id,
      });
      expect(task.task.task_id).toBe(id);
      const status = await callOk(client, "orchestrator_get_status", { working_directory: projA.dir });
      expect(status.plans.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });

  test("is refused in another project before anything is read or written", async () => {
    const client = await connectHttp(server.url, tokens.limited);
    try {
      for (const [tool, args] of [
        ["orchestrator_plan_task", plan(projB.dir)],
        ["orchestrator_get_status", { working_directory: projB.dir }],
        ["orchestrator_health_check", { working_directory: projB.dir }],
        ["orchestrator_query_tasks", { working_directory: projB.dir }],
      ] as const) {
        const r = await call(client, tool, args);
        expect(r.isError).toBe(true);
        expect(textOf(r)).toContain("PROJECT_FORBIDDEN");
        expect(textOf(r)).toContain("acme-b");
      }
    } finally {
      await client.close();
    }
    // Nothing was created in B: its data folder holds only the settings file.
    expect(readdirSync(join(projB.dir, ".task_orchestrator"))).toEqual(["settings.yaml"]);
  });

  test("an unlimited token, and one limited to both, see both projects", async () => {
    for (const token of [tokens.all, tokens.both]) {
      const client = await connectHttp(server.url, token);
      try {
        await callOk(client, "orchestrator_plan_task", plan(projB.dir));
        const a = await callOk(client, "orchestrator_get_status", { working_directory: projA.dir });
        expect(a.plans.length).toBeGreaterThan(0);
        const b = await callOk(client, "orchestrator_get_status", { working_directory: projB.dir });
        expect(b.plans.length).toBeGreaterThan(0);
      } finally {
        await client.close();
      }
    }
  });

  test("resources follow the same rule (a server whose --workspace is another project)", async () => {
    const onB = await startHttpServer({ cwd: outside, args: ["--db", db, "--workspace", projB.dir] });
    try {
      const limited = await connectHttp(onB.url, tokens.limited);
      try {
        await expect(limited.listResources()).rejects.toThrow(/PROJECT_FORBIDDEN/);
      } finally {
        await limited.close();
      }
      const all = await connectHttp(onB.url, tokens.all);
      try {
        const listed = await all.listResources();
        expect(listed.resources.length).toBeGreaterThan(0);
        const limited2 = await connectHttp(onB.url, tokens.limited);
        try {
          await expect(limited2.readResource({ uri: listed.resources[0]!.uri })).rejects.toThrow(
            /PROJECT_FORBIDDEN/,
          );
        } finally {
          await limited2.close();
        }
      } finally {
        await all.close();
      }
    } finally {
      expect(await onB.stop()).toBe(0);
    }
  });
});
