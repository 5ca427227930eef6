import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { BINARY, call, callOk, connectBinary, textOf } from "../helpers/client.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { makeProject } from "../helpers/temp.ts";

/*
 * Issue 13, "Done means": two `orchestrator serve` processes started as two machines would (two
 * checkouts of one repository at different absolute paths, each with its own HOME) share one
 * plan on one PostgreSQL database: one plans, both claim and complete subtasks with no double
 * work, each reads the other's artifacts, and `status` on either checkout shows the same truth.
 * Through the compiled binary.
 */
const REMOTE = "git@github.com:acme/team-shop.git";
const PROJECT = "github.com/acme/team-shop";

let database: TestDatabase;
const cleanups: (() => void)[] = [];
beforeAll(async () => {
  database = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  for (const c of cleanups) c();
  await database?.drop();
});

/** A checkout of the shared repository (its own folder, its own HOME), as on one machine. */
function machine(name: string): { dir: string; home: string } {
  const p = makeProject(`orch-machine-${name}-`);
  cleanups.push(p.cleanup);
  writeFileSync(
    join(p.dir, ".git", "config"),
    `[core]\n\tbare = false\n[remote "origin"]\n\turl = ${REMOTE}\n`,
  );
  const home = join(p.dir, "..", `${p.dir.split("/").pop()}-home`);
  mkdirSync(home);
  cleanups.push(() => spawnSync("rm", ["-rf", home]));
  return { dir: p.dir, home };
}

const serve = (m: { dir: string; home: string }, name: string) =>
  connectBinary({
    cwd: m.dir,
    args: ["--workspace", m.dir, "--db", database.url],
    env: { HOME: m.home },
    clientName: name,
  });

function statusOf(m: { dir: string; home: string }) {
  const r = spawnSync(BINARY, ["status", "--json", "--all", "--workspace", m.dir, "--db", database.url], {
    cwd: m.dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: m.home },
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

async function rows(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

type Conn = Awaited<ReturnType<typeof serve>>;

test("two machines, one PostgreSQL plan: no double work, each reads the other's artifacts, one truth in status", async () => {
  const ma = machine("a");
  const mb = machine("b");
  expect(ma.dir).not.toBe(mb.dir);
  const a = await serve(ma, "agent-a");
  const b = await serve(mb, "agent-b");
  try {
    // Machine A plans; B sees the plan at once.
    const plan = await callOk(a.client, "orchestrator_plan_task", {
      description: "team job",
      subtasks: [
        { title: "made on a", specialist_type: "researcher", task_id: "from_a" },
        { title: "made on b", specialist_type: "researcher", task_id: "from_b" },
        { title: "used on a", specialist_type: "implementer", task_id: "use_on_a", dependencies: ["from_b"] },
        { title: "used on b", specialist_type: "implementer", task_id: "use_on_b", dependencies: ["from_a"] },
        ...Array.from({ length: 10 }, (_, i) => ({
          title: `pool ${i}`,
          specialist_type: "implementer",
          task_id: `pool_${i}`,
          dependencies: ["use_on_a", "use_on_b"],
        })),
      ],
    });
    expect(plan.workspace).toBe(ma.dir);
    const seen = await callOk(b.client, "orchestrator_get_status", {});
    expect(seen.plans.map((p: { parent_task_id: string }) => p.parent_task_id)).toEqual([
      plan.parent_task_id,
    ]);

    // Each claims one task; while a claim is held the other machine is refused it.
    await callOk(a.client, "orchestrator_execute_subtask", { task_id: "from_a" });
    await callOk(b.client, "orchestrator_execute_subtask", { task_id: "from_b" });
    for (const [other, held, holder] of [
      [b, "from_a", "agent-a"],
      [a, "from_b", "agent-b"],
    ] as const) {
      const claim = await call(other.client, "orchestrator_execute_subtask", { task_id: held });
      expect(claim.isError).toBe(true);
      expect(textOf(claim)).toContain("TASK_CLAIMED");
      expect(textOf(claim)).toContain(holder);
      const steal = await call(other.client, "orchestrator_complete_subtask", {
        task_id: held,
        summary: "stolen",
        detailed_work: "not mine",
      });
      expect(steal.isError).toBe(true);
      expect(textOf(steal)).toContain("TASK_CLAIMED");
    }
    const [doneA, doneB] = await Promise.all([
      callOk(a.client, "orchestrator_complete_subtask", {
        task_id: "from_a",
        summary: "machine A's finding",
        detailed_work: "# Found on machine A\nthe answer is 42",
      }),
      callOk(b.client, "orchestrator_complete_subtask", {
        task_id: "from_b",
        summary: "machine B's finding",
        detailed_work: "# Found on machine B\nthe question is unknown",
      }),
    ]);

    // Each reads what the other produced: get_artifact, and the dependent's specialist prompt.
    const crossReads: [Conn, { dir: string }, Record<string, any>, string, string][] = [
      [a, ma, doneB, "use_on_a", "the question is unknown"],
      [b, mb, doneA, "use_on_b", "the answer is 42"],
    ];
    for (const [reader, at, done, dependent, text] of crossReads) {
      const copy = join(at.dir, done.artifact.path);
      expect(copy.startsWith(join(at.dir, ".task_orchestrator", "artifacts"))).toBe(true);
      expect(existsSync(copy)).toBe(false); // made on the other machine: no file here yet
      const art = await callOk(reader.client, "orchestrator_get_artifact", {
        artifact_id: done.artifact.artifact_id,
      });
      expect(art.content).toContain(text);
      expect(art.checksum_ok).toBe(true);
      const exec = await callOk(reader.client, "orchestrator_execute_subtask", { task_id: dependent });
      expect(exec.prompt).toContain(text);
      expect(exec.prompt).toContain(done.artifact.artifact_id);
      // Reading it there left a local copy in this checkout, with the other machine's text.
      expect(existsSync(copy)).toBe(true);
      expect(readFileSync(copy, "utf8")).toContain(text);
    }
    await Promise.all(
      crossReads.map(([reader, , , dependent]) =>
        callOk(reader.client, "orchestrator_complete_subtask", {
          task_id: dependent,
          summary: `used on ${dependent === "use_on_a" ? "a" : "b"}`,
          detailed_work: "used it",
        }),
      ),
    );

    // Both take the next ready task as fast as they can: every one done once, by one machine.
    const got: Record<string, string[]> = { a: [], b: [] };
    await Promise.all(
      (
        [
          ["a", a],
          ["b", b],
        ] as const
      ).map(async ([name, conn]) => {
        for (;;) {
          const r = await call(conn.client, "orchestrator_execute_subtask", {});
          if (r.isError) {
            expect(textOf(r)).toContain("NO_READY_TASK");
            return;
          }
          const id = (r.structuredContent as { task_id: string }).task_id;
          got[name]?.push(id);
          await callOk(conn.client, "orchestrator_complete_subtask", {
            task_id: id,
            summary: `done on ${name}`,
            detailed_work: `work ${id} on ${name}`,
          });
        }
      }),
    );
    const pool = [...(got.a ?? []), ...(got.b ?? [])];
    expect(pool.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `pool_${i}`).sort());
    expect(a.stderr() + b.stderr()).not.toContain("internal error");

    // The same truth through either server.
    const [sa, sb] = (await Promise.all(
      [a, b].map((c) =>
        callOk(c.client, "orchestrator_get_status", {
          parent_task_id: plan.parent_task_id,
          include_completed: true,
        }),
      ),
    )) as [Record<string, any>, Record<string, any>];
    expect(sa.plans).toEqual(sb.plans);
    expect(sa.plans[0].status).toBe("completed");
  } finally {
    await a.close();
    await b.close();
  }

  // Each subtask completed exactly once, in the store itself, and nothing is left claimed.
  const completions = await rows(
    "select task_id, count(*)::int as n from events where workspace = $1 and kind = 'task_status_changed' and to_status = 'completed' group by task_id order by task_id",
    [PROJECT],
  );
  expect(completions).toHaveLength(14);
  expect(completions.every((r) => r.n === 1)).toBe(true);
  const [left] = await rows(
    "select count(*)::int as claimed, count(distinct workspace)::int as keys from tasks where claimed_by is not null or workspace <> $1",
    [PROJECT],
  );
  expect(left).toEqual({ claimed: 0, keys: 0 });

  // `status` on either checkout: one project, the same plans and counts; each its own path.
  const sa = statusOf(ma);
  const sb = statusOf(mb);
  expect(sa.project).toMatchObject({ id: PROJECT, source: "git-remote", path: ma.dir });
  expect(sb.project).toMatchObject({ id: PROJECT, source: "git-remote", path: mb.dir });
  expect(sa.project.checkouts.map((c: { path: string }) => c.path).sort()).toEqual([ma.dir, mb.dir].sort());
  expect(sa.plans).toEqual(sb.plans);
  expect(sa.plans).toHaveLength(1);
  expect(JSON.stringify(sa.plans)).toContain("team job");
  expect(sa.workspace).toBe(ma.dir);
  expect(sb.workspace).toBe(mb.dir);
  const { project: _pa, workspace: _wa, ...restA } = sa;
  const { project: _pb, workspace: _wb, ...restB } = sb;
  expect(restA).toEqual(restB);
}, 120_000);
