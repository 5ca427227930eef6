import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { DoctorReportSchema } from "../../src/doctor/report.ts";
import { call, callOk, connectBinary, textOf } from "../helpers/client.ts";
import { type Unprivileged, unprivileged } from "../helpers/unprivileged.ts";

// The compiled binary against files it may not write, run as a user that permission bits apply
// to (as root, `nobody`: see helpers/unprivileged.ts). Each case starts from a workspace the
// server itself created and then takes one permission away, as a user or an older version did.
let user: Unprivileged;
beforeAll(() => {
  user = unprivileged();
});
afterAll(() => user.cleanup());

let root: string;
let project: string;
let data: string;
let db: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "orch-perm-")));
  project = join(root, "project");
  data = join(project, ".task_orchestrator");
  db = join(data, "orchestrator.db");
  mkdirSync(join(project, ".git"), { recursive: true });
  chmodSync(root, 0o755);
  user.handOver(root);
});
afterEach(() => {
  // root may have lost its write bit in a test; give it back so the folder can be removed
  if (existsSync(data)) chmodSync(data, 0o700);
  rmSync(root, { recursive: true, force: true });
});

const env = () => ({ PATH: process.env.PATH ?? "", HOME: root, NO_COLOR: "1" });
const connect = () => connectBinary({ cwd: project, env: env(), launch: user.argv });
const modeOf = (p: string) => `0${(statSync(p).mode & 0o777).toString(8)}`;

function doctor() {
  const r = user.run(["doctor", "--json"], { cwd: project, env: env() });
  const report = DoctorReportSchema.parse(JSON.parse(String(r.stdout)));
  const check = (id: string) => {
    const c = report.checks.find((k) => k.id === id);
    if (!c) throw new Error(`no check ${id} in ${report.checks.map((k) => k.id).join(", ")}`);
    return c;
  };
  return { status: r.status, report, check };
}

async function planOne(client: Awaited<ReturnType<typeof connect>>["client"]) {
  return callOk(client, "orchestrator_plan_task", {
    working_directory: project,
    description: "Keep my plans",
    subtasks_json: JSON.stringify([
      { title: "Write", description: "write it", specialist_type: "implementer" },
    ]),
  });
}

function errorOf(r: CallToolResult): { code: string; message: string } {
  expect(r.isError).toBe(true);
  return (r._meta as Record<string, { code: string; message: string }>)["orchestrator/error"] as {
    code: string;
    message: string;
  };
}

describe("files the server cannot write", () => {
  test("a read-only -shm (left by opening a read-only database once): named by the server and by doctor, with the chmod that fixes it", async () => {
    const first = await connect();
    const plan = await planOne(first.client);
    await first.close();

    // The database made read-only: the call is refused naming the file and its mode, and no
    // read-only -wal/-shm is left behind to break later calls.
    chmodSync(db, 0o444);
    const c = await connect();
    try {
      const e = errorOf(await call(c.client, "orchestrator_get_status", { working_directory: project }));
      expect(e.code).toBe("STORE_READ_ONLY");
      expect(e.message).toContain(`${db} is not writable (mode 0444`);
      expect(e.message).toContain(`chmod u+w ${db}`);
      for (const f of [`${db}-wal`, `${db}-shm`]) if (existsSync(f)) expect(modeOf(f)).not.toBe("0444");
    } finally {
      await c.close();
    }
    chmodSync(db, 0o600);

    // What an older version left: a 0444 -shm beside a writable database. It used to fail every
    // call with "Migrating ... cannot commit - no transaction is active" while doctor said all good.
    const shm = `${db}-shm`;
    writeFileSync(shm, Buffer.alloc(32768));
    chmodSync(shm, 0o444);
    user.handOver(shm);

    const d = doctor();
    expect(d.status).toBe(1);
    const files = d.check("data.files");
    expect(files.status).toBe("fail");
    expect(files.detail).toContain(`${shm} is not writable (mode 0444`);
    expect(files.fix).toContain(`chmod u+w ${shm}`);
    expect(d.check("data.integrity").status).toBe("skip");
    expect(JSON.stringify(d.report)).not.toMatch(/aside|new one is created/);
    expect(modeOf(shm)).toBe("0444"); // doctor only looks

    const s = await connect();
    try {
      const e = errorOf(await call(s.client, "orchestrator_get_status", { working_directory: project }));
      expect(e.code).toBe("STORE_READ_ONLY");
      expect(e.message).toContain(`${shm} is not writable (mode 0444`);
      expect(e.message).not.toContain("no transaction is active");
    } finally {
      await s.close();
    }

    // The fix doctor gave works, and every plan is still there.
    chmodSync(shm, 0o644);
    expect(doctor().check("data.files").status).toBe("ok");
    const after = await connect();
    try {
      const status = await callOk(after.client, "orchestrator_get_status", { working_directory: project });
      expect(status.plans.map((p: { parent_task_id: string }) => p.parent_task_id)).toEqual([
        plan.parent_task_id,
      ]);
    } finally {
      await after.close();
    }
  });

  test("a read-only data folder with a healthy database: permission fixes only, never 'replace the database'", async () => {
    const first = await connect();
    await planOne(first.client);
    await first.close();
    chmodSync(data, 0o555);

    const d = doctor();
    expect(d.status).toBe(1);
    expect(d.check("data.writable").fix).toContain(`chmod u+w ${data}`);
    expect(d.check("data.files").fix).toContain(`chmod u+w ${data}`);
    expect(d.check("data.files").fix).toContain("do not replace it");
    expect(d.check("data.integrity").status).toBe("skip");
    for (const c of d.report.checks)
      expect(`${c.detail} ${c.fix ?? ""}`).not.toMatch(/aside|new one is created/);

    const c = await connect();
    try {
      const e = errorOf(await call(c.client, "orchestrator_get_status", { working_directory: project }));
      expect(e.code).toBe("STORE_READ_ONLY");
      expect(e.message).toContain(`${data} is not writable (mode 0555`);
      expect(e.message).toContain(`chmod u+w ${data}`);
    } finally {
      await c.close();
    }
  });

  test("the reading commands (status, export) read a database the user cannot write, creating nothing; the server still refuses", async () => {
    const first = await connect();
    const plan = await planOne(first.client);
    await first.close();
    const read = () => {
      const status = user.run(["status", "--all", "--json"], { cwd: project, env: env() });
      const exported = user.run(["export", "--format", "json"], { cwd: project, env: env() });
      return { status, exported };
    };
    const planIds = (stdout: string | Buffer) =>
      JSON.parse(String(stdout)).plans.map((p: { plan: { id: string } }) => p.plan.id);

    // A read-only database, then a read-only data folder: nothing may appear beside the database.
    for (const [target, mode] of [
      [db, 0o444],
      [data, 0o555],
    ] as const) {
      chmodSync(target, mode);
      const before = readdirSync(data).sort();
      const { status, exported } = read();
      expect({ code: status.status, stderr: String(status.stderr) }).toEqual({ code: 0, stderr: "" });
      expect(planIds(status.stdout)).toEqual([plan.parent_task_id]);
      expect(exported.status).toBe(0);
      expect(String(exported.stdout)).toContain(plan.parent_task_id);
      expect(readdirSync(data).sort()).toEqual(before);
      chmodSync(target, target === db ? 0o600 : 0o700);
    }

    // A WAL that still holds the latest writes (a server is connected) is read too, through its -shm.
    const live = await connect();
    try {
      const second = await planOne(live.client);
      expect(statSync(`${db}-wal`).size).toBeGreaterThan(0);
      chmodSync(db, 0o444);
      const { status } = read();
      expect({ code: status.status, stderr: String(status.stderr) }).toEqual({ code: 0, stderr: "" });
      expect(planIds(status.stdout).sort()).toEqual([plan.parent_task_id, second.parent_task_id].sort());
      // A server started now still refuses the database it cannot write, as before.
      const other = await connect();
      try {
        const e = errorOf(
          await call(other.client, "orchestrator_get_status", { working_directory: project }),
        );
        expect(e.code).toBe("STORE_READ_ONLY");
      } finally {
        await other.close();
      }
    } finally {
      await live.close();
      chmodSync(db, 0o600);
    }
  });

  test("an artifacts folder that cannot be written: the completion stands (the text is in the store), health_check and the log name the folder, and repair writes the copy later", async () => {
    const c = await connect();
    try {
      const plan = await planOne(c.client);
      const id = plan.subtasks[0].task_id;
      chmodSync(join(data, "artifacts"), 0o555);
      const done = await call(c.client, "orchestrator_complete_subtask", {
        working_directory: project,
        task_id: id,
        summary: "done",
        detailed_work: "the work",
        artifact_type: "code",
      });
      expect(done.isError).toBeFalsy();
      const r = done.structuredContent as { status: string; artifact: { artifact_id: string; path: string } };
      expect(r.status).toBe("completed");
      // The copy is written after the answer: its failure is reported by health_check (which
      // waits for the copies queued before it) and on stderr, not in this answer.
      expect(textOf(done)).not.toContain("Warning");
      const health = await callOk(c.client, "orchestrator_health_check", { working_directory: project });
      expect(health.healthy).toBe(false);
      const problem = `the result is stored, but its local copy ${r.artifact.path} could not be written`;
      expect(health.problems).toContainEqual(expect.stringContaining(problem));
      expect(health.problems.join("\n")).toContain(`${join(data, "artifacts")} is not writable (mode 0555`);
      expect(c.stderr()).toContain(`orchestrator: ${problem}`);
      expect(existsSync(join(project, r.artifact.path))).toBe(false);
      const task = await callOk(c.client, "orchestrator_get_task", {
        working_directory: project,
        task_id: id,
      });
      expect(task.task.status).toBe("completed");
      const art = await callOk(c.client, "orchestrator_get_artifact", {
        working_directory: project,
        artifact_id: r.artifact.artifact_id,
      });
      expect(art.content).toContain("the work");

      chmodSync(join(data, "artifacts"), 0o700);
      const v = await callOk(c.client, "orchestrator_maintenance_coordinator", {
        working_directory: project,
        action: "validate_structure",
        repair: true,
      });
      expect(v.actions_taken).toContainEqual(
        expect.objectContaining({ action: "restore_local_copy", path: r.artifact.path }),
      );
      expect(readFileSync(join(project, r.artifact.path), "utf8")).toBe(art.content);
      expect(modeOf(join(project, r.artifact.path))).toBe("0600");
      // Repaired, so no longer a problem.
      const after = await callOk(c.client, "orchestrator_health_check", { working_directory: project });
      expect(after.problems).toEqual([]);
    } finally {
      await c.close();
    }
  });
});

describe("privacy of the data folder", () => {
  test("created owner-only: folder 0700, database and its -wal/-shm 0600", async () => {
    const c = await connect();
    try {
      await planOne(c.client);
      expect(modeOf(data)).toBe("0700");
      expect(modeOf(join(data, "artifacts"))).toBe("0700");
      expect(modeOf(db)).toBe("0600");
      // the server holds the database open, so its WAL files exist now
      expect(modeOf(`${db}-wal`)).toBe("0600");
      expect(modeOf(`${db}-shm`)).toBe("0600");
    } finally {
      await c.close();
    }
    expect(doctor().check("data.privacy").status).toBe("ok");
  });

  test("an older version's world-readable folder and database: doctor warns with the chmod, nothing is changed silently", async () => {
    mkdirSync(data, { mode: 0o755 });
    chmodSync(data, 0o755);
    user.handOver(data);
    const c = await connect();
    try {
      await planOne(c.client);
    } finally {
      await c.close();
    }
    chmodSync(db, 0o644);
    user.handOver(data);
    const privacy = doctor().check("data.privacy");
    expect(privacy.status).toBe("warn");
    expect(privacy.detail).toContain(`${data} (0755)`);
    expect(privacy.detail).toContain(`${db} (0644)`);
    expect(privacy.fix).toContain(`chmod 700 ${data}`);
    expect(privacy.fix).toContain(`chmod 600 ${db}`);
    const again = await connect();
    try {
      await callOk(again.client, "orchestrator_get_status", { working_directory: project });
    } finally {
      await again.close();
    }
    expect(modeOf(data)).toBe("0755");
    expect(modeOf(db)).toBe("0644");
  });
});

test("a project folder that cannot be written: WORKSPACE_NOT_WRITABLE, in the tool's text too", async () => {
  const c = await connect();
  try {
    chmodSync(project, 0o555);
    const r = await call(c.client, "orchestrator_plan_task", {
      working_directory: project,
      description: "x",
      subtasks_json: "[]",
    });
    expect(errorOf(r).code).toBe("WORKSPACE_NOT_WRITABLE");
    expect(textOf(r)).toContain(`Cannot create ${data}`);
  } finally {
    chmodSync(project, 0o755);
    await c.close();
  }
});
