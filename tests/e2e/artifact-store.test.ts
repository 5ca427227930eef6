import { afterEach, beforeEach, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, call, callOk, connectBinary, localCopiesWrittenBy, textOf } from "../helpers/client.ts";
import { makeProject } from "../helpers/temp.ts";
import { storeEnv, storeExec } from "../helpers/test-store.ts";

// Artifacts live in the store (issue 13): the file under artifacts/ is a local copy. These tests
// drive the compiled binary and take the copy away, as on a machine that never had it.
let project: { dir: string; cleanup: () => void };
beforeEach(() => {
  project = makeProject("orch-artstore-");
});
afterEach(() => project.cleanup());

/** SQL behind the server's back, on the test store (the workspace's SQLite file or PostgreSQL). */
const sql = (statement: string, params: string[] = []): Promise<void> =>
  storeExec(project.dir, [statement], params);

/**
 * A plan "produce" → "consume", with "produce" completed; returns the ids and the stored artifact.
 * Waits for the local copy (written after the answer) unless `copied` is false.
 */
async function produced(
  client: Awaited<ReturnType<typeof connectBinary>>["client"],
  work: string,
  { copied = true } = {},
) {
  const plan = await callOk(client, "orchestrator_plan_task", {
    description: "hand over",
    subtasks: [
      { title: "produce", specialist_type: "researcher", task_id: "produce" },
      { title: "consume", specialist_type: "implementer", task_id: "consume", dependencies: ["produce"] },
    ],
  });
  const done = await call(client, "orchestrator_complete_subtask", {
    task_id: "produce",
    summary: "found it",
    detailed_work: work,
  });
  expect(done.isError).toBeFalsy();
  expect(textOf(done)).not.toContain("Warning");
  const { artifact } = done.structuredContent as { artifact: { artifact_id: string; path: string } };
  if (copied) await localCopiesWrittenBy(client);
  return { planId: plan.parent_task_id as string, artifact };
}

test("the local copy deleted: get_artifact and the dependent's prompt still show the text, and executing the dependent writes the copy again", async () => {
  const { client, close } = await connectBinary({ cwd: project.dir });
  try {
    const { artifact } = await produced(client, "the answer is 42");
    const copy = join(project.dir, artifact.path);
    const written = readFileSync(copy, "utf8");
    rmSync(copy);

    const art = await callOk(client, "orchestrator_get_artifact", { artifact_id: artifact.artifact_id });
    expect(art.content).toBe(written);
    expect(art.checksum_ok).toBe(true);
    // A reading call writes nothing.
    expect(existsSync(copy)).toBe(false);

    const exec = await callOk(client, "orchestrator_execute_subtask", { task_id: "consume" });
    expect(exec.prompt).toContain("the answer is 42");
    expect(exec.prompt).toContain(`Artifact ${artifact.artifact_id}`);
    expect(readFileSync(copy, "utf8")).toBe(written);
  } finally {
    await close();
  }
}, 60_000);

test("another machine (a new server, no artifacts folder at all): the dependent's prompt and export carry the text from the store", async () => {
  const first = await connectBinary({ cwd: project.dir });
  const { artifact } = await produced(first.client, "made on machine A");
  await first.close();
  rmSync(join(project.dir, ".task_orchestrator", "artifacts"), { recursive: true, force: true });

  // The CLI's reading command reads the text from the store and creates nothing.
  const exported = spawnSync(BINARY, ["export", "--format", "json"], {
    cwd: project.dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...storeEnv() },
  });
  expect(exported.status).toBe(0);
  const doc = JSON.parse(exported.stdout);
  expect(doc.plans[0].tasks[0].artifacts[0].content).toContain("made on machine A");
  expect(existsSync(join(project.dir, ".task_orchestrator", "artifacts"))).toBe(false);

  const second = await connectBinary({ cwd: project.dir });
  try {
    const exec = await callOk(second.client, "orchestrator_execute_subtask", { task_id: "consume" });
    expect(exec.prompt).toContain("made on machine A");
    expect(readFileSync(join(project.dir, artifact.path), "utf8")).toContain("made on machine A");
  } finally {
    await second.close();
  }
}, 60_000);

test("a text altered in the database is refused by get_artifact and flagged in the dependent's prompt, never handed on", async () => {
  const { client, close } = await connectBinary({ cwd: project.dir });
  try {
    const { artifact } = await produced(client, "pay account 1111");
    await sql("update artifacts set content = replace(content, '1111', '6666') where id = ?", [
      artifact.artifact_id,
    ]);

    const art = await call(client, "orchestrator_get_artifact", { artifact_id: artifact.artifact_id });
    expect(art.isError).toBe(true);
    expect(textOf(art)).toStartWith("STORE_ROW_INVALID");
    expect(textOf(art)).toContain(artifact.artifact_id);

    const exec = await callOk(client, "orchestrator_execute_subtask", { task_id: "consume" });
    expect(exec.prompt).not.toContain("6666");
    expect(exec.prompt).toContain("its text is not shown");
    expect(exec.prompt).toContain("does not match the size and sha256 recorded");
    // The copy is not overwritten with the altered text.
    expect(readFileSync(join(project.dir, artifact.path), "utf8")).toContain("pay account 1111");
  } finally {
    await close();
  }
}, 60_000);

test("a row written before artifacts were kept in the store (content null) is still read from its file", async () => {
  const { client, close } = await connectBinary({ cwd: project.dir });
  try {
    const { artifact } = await produced(client, "old style result");
    await sql("update artifacts set content = null");
    const art = await callOk(client, "orchestrator_get_artifact", { artifact_id: artifact.artifact_id });
    expect(art.content).toContain("old style result");
    expect(art.checksum_ok).toBe(true);

    // Changed on disk: still served (it is the only copy), flagged by its checksum.
    const copy = join(project.dir, artifact.path);
    writeFileSync(copy, readFileSync(copy, "utf8").replace("old style", "OLD STYLE"));
    const changed = await callOk(client, "orchestrator_get_artifact", { artifact_id: artifact.artifact_id });
    expect(changed.content).toContain("OLD STYLE result");
    expect(changed.checksum_ok).toBe(false);
    const exec = await callOk(client, "orchestrator_execute_subtask", { task_id: "consume" });
    expect(exec.prompt).toContain("OLD STYLE result");
    expect(exec.prompt).toContain("no longer matches the sha256");

    rmSync(copy);
    const gone = await call(client, "orchestrator_get_artifact", { artifact_id: artifact.artifact_id });
    expect(textOf(gone)).toStartWith("ARTIFACT_NOT_FOUND");
    expect(textOf(gone)).toContain("ENOENT");
  } finally {
    await close();
  }
}, 60_000);

test("a hard delete still removes the local copies", async () => {
  const { client, close } = await connectBinary({ cwd: project.dir });
  try {
    const { planId, artifact } = await produced(client, "to be deleted");
    expect(existsSync(join(project.dir, artifact.path))).toBe(true);
    await callOk(client, "orchestrator_delete_task", {
      task_id: planId,
      archive_instead: false,
      force: true,
    });
    expect(existsSync(join(project.dir, artifact.path))).toBe(false);
    expect(existsSync(join(project.dir, ".task_orchestrator", "artifacts", planId))).toBe(false);
  } finally {
    await close();
  }
}, 60_000);

// The local copy is written after the answer (ORCHESTRATOR_TEST_COPY_DELAY_MS holds it back, so
// each of these catches it still queued).
test("a copy still queued when the worker is killed right after the answer: the completion stands, and repair writes the copy", async () => {
  const { client, close } = await connectBinary({
    cwd: project.dir,
    env: { ORCHESTRATOR_TEST_COPY_DELAY_MS: "60000" },
  });
  const workerPid = async (): Promise<number> =>
    (await callOk(client, "orchestrator_restart_status")).current_status.worker_pid;
  try {
    const pid = await workerPid();
    const { artifact } = await produced(client, "kept in the store", { copied: false });
    const copy = join(project.dir, artifact.path);
    expect(existsSync(copy)).toBe(false);
    process.kill(pid, "SIGKILL");
    // The supervisor starts a new worker once it has seen the old one exit.
    let current = await workerPid();
    while (current === pid) current = await workerPid();
    const task = await callOk(client, "orchestrator_get_task", { task_id: "produce" });
    expect(task.task.status).toBe("completed");
    expect(existsSync(copy)).toBe(false);
    const v = await callOk(client, "orchestrator_maintenance_coordinator", {
      action: "validate_structure",
      repair: true,
    });
    expect(v.actions_taken).toContainEqual(
      expect.objectContaining({ action: "restore_local_copy", path: artifact.path }),
    );
    expect(readFileSync(copy, "utf8")).toContain("kept in the store");
  } finally {
    await close();
  }
}, 60_000);

test("a copy still queued when the client closes: the server writes it before it exits", async () => {
  const { client, close } = await connectBinary({
    cwd: project.dir,
    env: { ORCHESTRATOR_TEST_COPY_DELAY_MS: "300" },
  });
  const { artifact } = await produced(client, "written on the way out", { copied: false });
  const copy = join(project.dir, artifact.path);
  expect(existsSync(copy)).toBe(false);
  await close();
  expect(readFileSync(copy, "utf8")).toContain("written on the way out");
}, 60_000);

test("a hard delete right after the completion waits for its queued copy, so no folder comes back", async () => {
  const { client, close } = await connectBinary({
    cwd: project.dir,
    env: { ORCHESTRATOR_TEST_COPY_DELAY_MS: "300" },
  });
  try {
    const { planId } = await produced(client, "to be deleted at once", { copied: false });
    await callOk(client, "orchestrator_delete_task", {
      task_id: planId,
      archive_instead: false,
      force: true,
    });
    await localCopiesWrittenBy(client);
    expect(existsSync(join(project.dir, ".task_orchestrator", "artifacts", planId))).toBe(false);
  } finally {
    await close();
  }
}, 60_000);
