import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { call, callOk, connectInMemory, localCopiesWritten, textOf } from "../helpers/client.ts";
import { fingerprint } from "../helpers/fingerprint.ts";
import { makeProject } from "../helpers/temp.ts";
import { storeExec } from "../helpers/test-store.ts";

let project: { dir: string; cleanup: () => void };
let conn: Awaited<ReturnType<typeof connectInMemory>>;
let clock = Date.parse("2026-11-01T10:00:00Z");
const later = (hours: number) => {
  clock += hours * 3_600_000;
};

beforeEach(async () => {
  project = makeProject("orch-maint-");
  clock = Date.parse("2026-11-01T10:00:00Z");
  conn = await connectInMemory({
    cwd: project.dir,
    now: () => new Date(clock).toISOString(),
    settings: { leaseMs: 30 * 60_000 },
  });
});
afterEach(async () => {
  await conn.close();
  project.cleanup();
});

const maint = (args: Record<string, unknown>) =>
  callOk(conn.client, "orchestrator_maintenance_coordinator", args);
const kinds = (r: Record<string, any>) => (r.findings as { kind: string }[]).map((f) => f.kind).sort();

/** A store with a stale task, an expired lease, an orphaned task, a missing and a tampered artifact, and an orphan file. */
async function seed(): Promise<{ done: string[]; artifacts: { path: string }[] }> {
  const plan = await callOk(conn.client, "orchestrator_plan_task", {
    description: "seeded",
    subtasks: [
      { title: "a", specialist_type: "tester", task_id: "a" },
      { title: "b", specialist_type: "tester", task_id: "b" },
      { title: "stale", specialist_type: "tester", task_id: "stale" },
      { title: "leased", specialist_type: "tester", task_id: "leased" },
    ],
  });
  const artifacts = [];
  for (const id of ["a", "b"]) {
    await callOk(conn.client, "orchestrator_execute_subtask", { task_id: id });
    const r = await callOk(conn.client, "orchestrator_complete_subtask", {
      task_id: id,
      summary: `did ${id}`,
      detailed_work: `work ${id}`,
    });
    artifacts.push(r.artifact);
  }
  await callOk(conn.client, "orchestrator_execute_subtask", { task_id: "leased", agent_id: "gone-agent" });
  const orphanPlan = await callOk(conn.client, "orchestrator_plan_task", {
    description: "abandoned",
    subtasks: [{ title: "left behind", specialist_type: "tester", task_id: "orphan" }],
  });
  // The plan is cancelled behind the orchestrator's back, as an old version or a manual edit might.
  await storeExec(
    project.dir,
    ["update plans set status = 'cancelled' where id = ?"],
    [orphanPlan.parent_task_id],
  );
  await localCopiesWritten();
  rmSync(join(project.dir, artifacts[0]!.path));
  appendFileSync(join(project.dir, artifacts[1]!.path), "tampered");
  const orphanDir = join(project.dir, ".task_orchestrator", "artifacts", plan.parent_task_id, "ghost");
  mkdirSync(orphanDir, { recursive: true });
  writeFileSync(join(orphanDir, "artifact_deadbeef.md"), "no row");
  later(48);
  return { done: ["a", "b"], artifacts };
}

/** Runs SQL on the workspace's database behind the server's back (the test store: SQLite or PostgreSQL). */
const sql = (statement: string, params: (string | number)[] = []): Promise<void> =>
  storeExec(project.dir, [statement], params);

describe("maintenance on a seeded store", () => {
  test("rows that hold their text: a missing or edited local copy is no damage and repair writes it again; a text altered in the database is an error", async () => {
    const { artifacts } = await seed();
    const ids = artifacts.map((a) => (a as unknown as { artifact_id: string }).artifact_id);
    const basic = await maint({ action: "validate_structure" });
    expect(kinds(basic)).toEqual(["local_copy_changed", "local_copy_missing", "orphan_file"]);
    const missing = basic.findings.find((f: { kind: string }) => f.kind === "local_copy_missing");
    expect(missing).toMatchObject({ severity: "info", path: artifacts[0]!.path });
    expect(missing.message).toContain("repair: true writes the copy again");
    expect(basic.findings.filter((f: { severity: string }) => f.severity === "error")).toEqual([]);

    const repaired = await maint({ action: "validate_structure", repair: true });
    expect(
      repaired.actions_taken
        .filter((a: { action: string }) => a.action === "restore_local_copy")
        .map((a: { path: string }) => a.path)
        .sort(),
    ).toEqual(artifacts.map((a) => a.path).sort());
    for (const [i, a] of artifacts.entries()) {
      const art = await callOk(conn.client, "orchestrator_get_artifact", { artifact_id: ids[i] });
      expect(readFileSync(join(project.dir, a.path), "utf8")).toBe(art.content);
    }
    const clean = await maint({ action: "validate_structure", validation_level: "comprehensive" });
    expect(kinds(clean)).toEqual(["orphan_file"]);

    // Same length, other bytes: only the sha256 tells, so comprehensive finds it; reads refuse it.
    await sql("update artifacts set content = replace(content, 'work a', 'WORK A') where id = ?", [ids[0]!]);
    expect(kinds(await maint({ action: "validate_structure" }))).toEqual(["orphan_file"]);
    const deep = await maint({ action: "validate_structure", validation_level: "comprehensive" });
    const altered = deep.findings.find((f: { kind: string }) => f.kind === "artifact_changed");
    expect(altered).toMatchObject({ severity: "error", path: artifacts[0]!.path });
    expect(altered.message).toContain("the text stored in the database does not match its recorded sha256");
    const read = await call(conn.client, "orchestrator_get_artifact", { artifact_id: ids[0] });
    expect(read.isError).toBe(true);
    expect(textOf(read)).toStartWith("STORE_ROW_INVALID");
    expect(textOf(read)).toContain("does not match the size and sha256 recorded");
  });

  test("scan_cleanup dry run reports stale, orphaned and expired-lease tasks and changes nothing", async () => {
    await seed();
    const before = fingerprint(project.dir);
    const r = await maint({ action: "scan_cleanup", validation_level: "comprehensive", dry_run: true });
    expect(kinds(r)).toEqual(["expired_lease", "orphaned_task", "stale_task", "stale_task"]);
    expect(r.actions_taken).toEqual([]);
    expect(r.summary).toContain("Dry run");
    expect(fingerprint(project.dir)).toBe(before);
  });

  test("scan_cleanup releases expired leases, and archives stale and orphaned tasks only at comprehensive", async () => {
    await seed();
    const basic = await maint({ action: "scan_cleanup" });
    expect(basic.actions_taken.map((a: { action: string }) => a.action)).toEqual(["release_lease"]);
    const leased = await callOk(conn.client, "orchestrator_get_task", { task_id: "leased" });
    expect(leased.task.status).toBe("pending");
    expect(leased.claim).toBeNull();

    const deep = await maint({ action: "scan_cleanup", validation_level: "comprehensive" });
    const archived = deep.actions_taken.map((a: { task_id: string }) => a.task_id).sort();
    // "leased" was released a moment ago, which counts as activity: it is not stale any more.
    expect(archived).toEqual(["orphan", "stale"]);
    for (const id of archived) {
      expect((await callOk(conn.client, "orchestrator_get_task", { task_id: id })).task.status).toBe(
        "archived",
      );
    }
    // Archived, never deleted: a restore brings the task back exactly.
    await callOk(conn.client, "orchestrator_delete_task", { task_id: "stale", restore: true });
    expect((await callOk(conn.client, "orchestrator_get_task", { task_id: "stale" })).task.status).toBe(
      "pending",
    );
  });

  test("rows written before artifacts were kept in the store: validate_structure finds the missing and the tampered file and the orphan file; repair moves the file aside", async () => {
    const { artifacts } = await seed();
    // Their file is the only copy.
    await sql("update artifacts set content = null");
    const basic = await maint({ action: "validate_structure" });
    expect(kinds(basic)).toEqual(["artifact_changed", "artifact_missing", "orphan_file"]);
    expect(basic.summary).toContain("repair: true");
    // Same size, different bytes: only the checksum (comprehensive) sees it.
    const path = join(project.dir, artifacts[1]!.path);
    const text = readFileSync(path, "utf8").replace("tampered", "").replace("work b", "WORK B");
    writeFileSync(path, text);
    const deep = await maint({ action: "validate_structure", validation_level: "comprehensive" });
    expect(deep.findings.find((f: { kind: string }) => f.kind === "artifact_changed").message).toContain(
      "sha256",
    );

    // The orphan file was written moments ago, so repair leaves it (it may be a write in flight).
    const fresh = await maint({ action: "validate_structure", repair: true });
    expect(fresh.actions_taken).toEqual([]);
    const orphan = basic.findings.find((f: { kind: string }) => f.kind === "orphan_file").path as string;
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(join(project.dir, orphan), old, old);
    const repaired = await maint({ action: "validate_structure", repair: true });
    expect(repaired.actions_taken.map((a: { action: string }) => a.action)).toEqual(["move_orphan_file"]);
    expect(existsSync(join(project.dir, orphan))).toBe(false);
    const moved = join(
      project.dir,
      ".task_orchestrator",
      "orphaned",
      orphan.replace(".task_orchestrator/artifacts/", ""),
    );
    expect(readFileSync(moved, "utf8")).toBe("no row");
  });

  test("files another tool left in artifacts/ (the Python orchestrator's layout) are reported and never moved", async () => {
    await seed();
    const legacy = join(
      project.dir,
      ".task_orchestrator",
      "artifacts",
      "task_12345678",
      "artifact_1a2b3c4d.md",
    );
    const flat = join(project.dir, ".task_orchestrator", "artifacts", "task_12345678_artifact_1a2b3c4d.txt");
    mkdirSync(join(legacy, ".."), { recursive: true });
    writeFileSync(legacy, "old work");
    writeFileSync(flat, "older work");
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(legacy, old, old);
    utimesSync(flat, old, old);
    const r = await maint({ action: "validate_structure", repair: true });
    const foreign = r.findings.filter((f: { kind: string }) => f.kind === "foreign_file");
    expect(foreign.map((f: { path: string; severity: string }) => [f.path, f.severity]).sort()).toEqual([
      [".task_orchestrator/artifacts/task_12345678/artifact_1a2b3c4d.md", "info"],
      [".task_orchestrator/artifacts/task_12345678_artifact_1a2b3c4d.txt", "info"],
    ]);
    expect(readFileSync(legacy, "utf8")).toBe("old work");
    expect(readFileSync(flat, "utf8")).toBe("older work");
  });

  test("validate_structure repairs dangling dependencies and drifted plan counters when asked", async () => {
    await callOk(conn.client, "orchestrator_plan_task", {
      description: "deps",
      subtasks: [
        { title: "x", specialist_type: "tester", task_id: "x" },
        { title: "y", specialist_type: "tester", task_id: "y", dependencies: ["x"] },
      ],
    });
    await storeExec(project.dir, ["delete from tasks where id = 'x'", "update plans set n_pending = 42"]);
    const report = await maint({ action: "validate_structure" });
    expect(kinds(report)).toEqual(["dangling_dependency", "plan_counters"]);
    expect(report.actions_taken).toEqual([]);
    const fixed = await maint({ action: "validate_structure", repair: true });
    expect(fixed.actions_taken.map((a: { action: string }) => a.action).sort()).toEqual([
      "remove_dangling_dependency",
      "repair_counters",
    ]);
    expect((await maint({ action: "validate_structure" })).findings).toEqual([]);
    const y = await callOk(conn.client, "orchestrator_get_task", { task_id: "y" });
    expect(y.task.dependencies).toEqual([]);
  });

  test("update_documentation and prepare_handover write readable files with artifact links", async () => {
    await callOk(conn.client, "orchestrator_plan_task", {
      description: "Docs job",
      subtasks: [
        { title: "Done one", specialist_type: "tester", task_id: "d1" },
        { title: "Blocked one", specialist_type: "tester", task_id: "b1" },
        { title: "Next one", specialist_type: "tester", task_id: "n1", dependencies: ["d1"] },
      ],
    });
    await callOk(conn.client, "orchestrator_execute_subtask", { task_id: "d1" });
    const done = await callOk(conn.client, "orchestrator_complete_subtask", {
      task_id: "d1",
      summary: "finished d1",
      detailed_work: "x",
    });
    await callOk(conn.client, "orchestrator_execute_subtask", { task_id: "b1" });
    await callOk(conn.client, "orchestrator_complete_subtask", {
      task_id: "b1",
      summary: "needs an API key",
      detailed_work: "x",
      next_action: "blocked",
    });

    const docs = await maint({ action: "update_documentation" });
    expect(docs.files_written).toEqual([".task_orchestrator/PLANS.md"]);
    const plans = readFileSync(join(project.dir, ".task_orchestrator", "PLANS.md"), "utf8");
    expect(plans).toContain("Docs job");
    expect(plans).toContain("finished d1");

    const handover = await maint({ action: "prepare_handover" });
    const text = readFileSync(join(project.dir, handover.files_written[0]), "utf8");
    expect(text).toMatch(/### Done\n\n- `d1` Done one/);
    expect(text).toContain(`(${done.artifact.path.replace(".task_orchestrator/", "")})`);
    expect(text).toMatch(/### Blocked\n\n- `b1` Blocked one \(tester\): needs an API key/);
    expect(text).toMatch(/### Next \(ready to start\)\n\n- `n1` Next one/);
    // The link's target: the local copy, written once the server is quiet after the answer.
    await localCopiesWritten();
    expect(
      existsSync(
        join(project.dir, ".task_orchestrator", done.artifact.path.replace(".task_orchestrator/", "")),
      ),
    ).toBe(true);
  });

  test("bad arguments are refused clearly", async () => {
    const r = await call(conn.client, "orchestrator_maintenance_coordinator", {
      action: "scan_cleanup",
      scope: "specific_subtask",
    });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("target_task_id");
    const bad = await call(conn.client, "orchestrator_maintenance_coordinator", { action: "explode" });
    expect(bad.isError).toBe(true);
  });
});
