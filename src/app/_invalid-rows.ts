import { artifactPath } from "../core/artifact.ts";
import { ID_RULE, isValidId, showId } from "../core/ids.ts";
import type { Db } from "../store/database.ts";
import { writeTx } from "../store/transactions.ts";
import { checkDataPath, checkStoredDataPath } from "../workspace/layout.ts";

/** A row this orchestrator would never write, and how to take it out. */
export interface InvalidRow {
  readonly table: "plans" | "tasks" | "artifacts" | "task_dependencies";
  /** `path_outside_data_dir` when a path built from the row would leave .task_orchestrator/. */
  readonly kind: "invalid_row" | "path_outside_data_dir";
  readonly taskId?: string;
  readonly path?: string;
  readonly message: string;
  readonly key: Readonly<Record<string, string>>;
}

/**
 * Rows of the workspace whose ids break the id rule or whose artifact path is not the one its ids
 * give: what a crafted or hand-edited (e.g. shared) database holds. Read raw, so they are found
 * although the repositories refuse to map them (STORE_ROW_INVALID).
 */
export async function findInvalidRows(db: Db, ws: string): Promise<InvalidRow[]> {
  const out: InvalidRow[] = [];
  const escapes = (...segments: string[]): string | null => {
    const r = checkDataPath(ws, ...segments);
    return "problem" in r ? r.problem : null;
  };
  const bad = (values: Record<string, unknown>): string | null => {
    const wrong = Object.entries(values).filter(([, v]) => !isValidId(v));
    return wrong.length === 0 ? null : wrong.map(([k, v]) => `${k} ${showId(v)}`).join(", ");
  };

  for (const p of await db.selectFrom("plans").select("id").where("workspace", "=", ws).execute()) {
    const why = bad({ id: p.id });
    if (!why) continue;
    const leaves = escapes("artifacts", p.id);
    out.push({
      table: "plans",
      kind: leaves ? "path_outside_data_dir" : "invalid_row",
      message: `plan row with ${why}: breaks the id rule (${ID_RULE})${leaves ? `; its artifacts folder would be outside .task_orchestrator/ (${leaves})` : ""}`,
      key: { id: p.id },
    });
  }
  const tasks = await db.selectFrom("tasks").select(["id", "plan_id"]).where("workspace", "=", ws).execute();
  for (const t of tasks) {
    const why = bad({ id: t.id, plan_id: t.plan_id });
    if (!why) continue;
    const leaves = escapes("artifacts", t.plan_id, t.id);
    out.push({
      table: "tasks",
      kind: leaves ? "path_outside_data_dir" : "invalid_row",
      taskId: t.id,
      message: `task row with ${why}: breaks the id rule (${ID_RULE})${leaves ? `; its artifacts folder would be outside .task_orchestrator/ (${leaves})` : ""}`,
      key: { id: t.id },
    });
  }
  const artifacts = await db
    .selectFrom("artifacts")
    .select(["id", "task_id", "plan_id", "path"])
    .where("workspace", "=", ws)
    .execute();
  for (const a of artifacts) {
    const why = bad({ id: a.id, task_id: a.task_id, plan_id: a.plan_id });
    const expected = why ? null : artifactPath(a.plan_id, a.task_id, a.id);
    if (!why && a.path === expected) continue;
    const checked = checkStoredDataPath(ws, a.path);
    const leaves = "problem" in checked ? checked.problem : null;
    out.push({
      table: "artifacts",
      kind: leaves ? "path_outside_data_dir" : "invalid_row",
      taskId: a.task_id,
      path: a.path,
      message: `artifact row ${showId(a.id)}: ${why ? `${why} break(s) the id rule` : `its path ${showId(a.path)} is not ${expected}`}${leaves ? `; the path leaves .task_orchestrator/ (${leaves})` : ""}`,
      key: { id: a.id },
    });
  }
  const edges = await db
    .selectFrom("task_dependencies")
    .select(["task_id", "depends_on"])
    .where("workspace", "=", ws)
    .execute();
  for (const d of edges) {
    const why = bad({ task_id: d.task_id, depends_on: d.depends_on });
    if (!why) continue;
    out.push({
      table: "task_dependencies",
      kind: "invalid_row",
      taskId: d.task_id,
      message: `dependency row with ${why}: breaks the id rule (${ID_RULE})`,
      key: { task_id: d.task_id, depends_on: d.depends_on },
    });
  }
  return out;
}

/**
 * Removes the rows (a plan's tasks and artifacts go with it, by cascade); never a file. Rows that
 * break the id rule cannot be reached through any tool, so this is the only way out for them.
 */
export async function removeInvalidRows(db: Db, ws: string, rows: readonly InvalidRow[]): Promise<void> {
  await writeTx(db, async (trx) => {
    for (const r of rows) {
      let q = trx.deleteFrom(r.table).where("workspace", "=", ws);
      for (const [column, value] of Object.entries(r.key)) q = q.where(column as "workspace", "=", value);
      await q.execute();
    }
  });
}
