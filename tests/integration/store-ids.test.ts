import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { isOrchestratorError } from "../../src/core/errors.ts";
import { openStore, type Store } from "../../src/store/open.ts";
import { insertArtifact } from "../../src/store/repositories/artifacts.repository.ts";
import { findPlan, insertPlan } from "../../src/store/repositories/plans.repository.ts";
import { findTask, insertTasks } from "../../src/store/repositories/tasks.repository.ts";
import { rawPlanRow } from "../helpers/raw-rows.ts";
import { makeProject } from "../helpers/temp.ts";

let project: { dir: string; cleanup: () => void };
let store: Store;
const ws = "/ws";
const at = "2026-01-01T00:00:00.000Z";
const plan = (id: string) =>
  ({
    id,
    description: "d",
    complexity: "simple",
    context: null,
    status: "active",
    createdAt: at,
    updatedAt: at,
  }) as const;
const task = (id: string, planId: string, dependencies: string[] = []) =>
  ({
    id,
    planId,
    position: 0,
    title: "t",
    description: "",
    specialistType: "tester",
    estimatedEffort: "",
    status: "pending",
    dependencies,
    createdAt: at,
    updatedAt: at,
  }) as const;
/** The same rows written straight into the tables, around the repositories. */
const planRow = (id: string) => rawPlanRow({ workspace: ws, id, at, description: "d" });
const taskRow = (id: string, planId: string) => ({
  workspace: ws,
  id,
  plan_id: planId,
  position: 0,
  title: "t",
  description: "",
  specialist_type: "tester",
  estimated_effort: "",
  status: "pending",
  created_at: at,
  updated_at: at,
});

beforeEach(async () => {
  project = makeProject("orch-store-ids-");
  store = await openStore(join(project.dir, "store.db"));
});
afterEach(async () => {
  await store.close();
  project.cleanup();
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isOrchestratorError(e)) return e.code;
    throw e;
  }
  return "stored";
}

test("no insert stores an id that breaks the rule, whoever built the row", async () => {
  expect(await code(insertPlan(store.db, ws, plan("../..")))).toBe("INVALID_INPUT");
  await insertPlan(store.db, ws, plan("task_00000001"));
  expect(await code(insertTasks(store.db, ws, [task("a\0b", "task_00000001")]))).toBe("INVALID_INPUT");
  expect(await code(insertTasks(store.db, ws, [task("t_1", "task_00000001", ["../x"])]))).toBe(
    "INVALID_INPUT",
  );
  await insertTasks(store.db, ws, [task("t_2", "task_00000001")]);
  const artifact = {
    id: "artifact_00000001",
    taskId: "t_2",
    planId: "task_00000001",
    type: "general",
    summary: "s",
    size: 1,
    sha256: "",
    filePaths: [],
    createdAt: at,
    inStore: true,
  } as const;
  expect(
    await code(
      insertArtifact(store.db, ws, { ...artifact, path: ".task_orchestrator/orchestrator.db" }, "x"),
    ),
  ).toBe("STORE_ROW_INVALID");
  expect(
    await code(
      insertArtifact(
        store.db,
        ws,
        {
          ...artifact,
          path: ".task_orchestrator/artifacts/task_00000001/t_2/artifact_00000001.md",
        },
        "x",
      ),
    ),
  ).toBe("stored");
});

test("rows written around the repositories are refused when read back (STORE_ROW_INVALID)", async () => {
  await insertPlan(store.db, ws, plan("task_00000001"));
  await store.db.insertInto("plans").values(planRow("../..")).execute();
  await store.db.insertInto("tasks").values(taskRow("t_evil", "../..")).execute();
  expect(await code(findPlan(store.db, ws, "../.."))).toBe("STORE_ROW_INVALID");
  expect(await code(findTask(store.db, ws, "t_evil"))).toBe("STORE_ROW_INVALID");
  expect((await findPlan(store.db, ws, "task_00000001"))?.id).toBe("task_00000001");
});

test("a tokens row this program could not have written is refused, not trusted as an identity", async () => {
  const row = {
    token_hash: "a".repeat(64),
    created_at: at,
    last_used_at: null,
    expires_at: null,
    revoked_at: null,
  };
  await store.db
    .insertInto("tokens")
    .values({ ...row, name: "../admin" })
    .execute();
  await store.db
    .insertInto("tokens")
    .values({ ...row, name: "ok", token_hash: "not-a-digest" })
    .execute();
  expect(await code(store.direct.findTokenByHash("a".repeat(64)))).toBe("STORE_ROW_INVALID");
  expect(await code(store.direct.findToken("ok"))).toBe("STORE_ROW_INVALID");
  expect(await code(store.direct.listTokens())).toBe("STORE_ROW_INVALID");
});
