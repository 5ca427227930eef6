import { artifactPath } from "../core/artifact.ts";
import { ID_RULE, isValidId, showId } from "../core/ids.ts";
import type { StorePort } from "../store/port.ts";
import type { RowRef } from "../store/records.ts";
import { checkDataPath, checkStoredDataPath } from "../workspace/layout.ts";

/** A row this orchestrator would never write, and how to take it out. */
export interface InvalidRow {
  /** `path_outside_data_dir` when a path built from the row would leave .task_orchestrator/. */
  readonly kind: "invalid_row" | "path_outside_data_dir";
  readonly taskId?: string;
  readonly path?: string;
  readonly message: string;
  readonly ref: RowRef;
}

/**
 * Rows of the workspace whose ids break the id rule or whose artifact path is not the one its ids
 * give: what a crafted or hand-edited (e.g. shared) database holds. Read raw, so they are found
 * although the repositories refuse to map them (STORE_ROW_INVALID).
 */
export async function findInvalidRows(
  store: StorePort,
  ws: string,
  /** The workspace folder the artifact paths are checked against. */
  root: string,
): Promise<InvalidRow[]> {
  const out: InvalidRow[] = [];
  const escapes = (...segments: string[]): string | null => {
    const r = checkDataPath(root, ...segments);
    return "problem" in r ? r.problem : null;
  };
  const bad = (values: Record<string, unknown>): string | null => {
    const wrong = Object.entries(values).filter(([, v]) => !isValidId(v));
    return wrong.length === 0 ? null : wrong.map(([k, v]) => `${k} ${showId(v)}`).join(", ");
  };

  const rows = await store.direct.findRawRowIds(ws);
  for (const p of rows.plans) {
    const why = bad({ id: p.id });
    if (!why) continue;
    const leaves = escapes("artifacts", p.id);
    out.push({
      kind: leaves ? "path_outside_data_dir" : "invalid_row",
      message: `plan row with ${why}: breaks the id rule (${ID_RULE})${leaves ? `; its artifacts folder would be outside .task_orchestrator/ (${leaves})` : ""}`,
      ref: { table: "plans", id: p.id },
    });
  }
  for (const t of rows.tasks) {
    const why = bad({ id: t.id, plan_id: t.planId });
    if (!why) continue;
    const leaves = escapes("artifacts", t.planId, t.id);
    out.push({
      kind: leaves ? "path_outside_data_dir" : "invalid_row",
      taskId: t.id,
      message: `task row with ${why}: breaks the id rule (${ID_RULE})${leaves ? `; its artifacts folder would be outside .task_orchestrator/ (${leaves})` : ""}`,
      ref: { table: "tasks", id: t.id },
    });
  }
  for (const a of rows.artifacts) {
    const why = bad({ id: a.id, task_id: a.taskId, plan_id: a.planId });
    const expected = why ? null : artifactPath(a.planId, a.taskId, a.id);
    if (!why && a.path === expected) continue;
    const checked = checkStoredDataPath(root, a.path);
    const leaves = "problem" in checked ? checked.problem : null;
    out.push({
      kind: leaves ? "path_outside_data_dir" : "invalid_row",
      taskId: a.taskId,
      path: a.path,
      message: `artifact row ${showId(a.id)}: ${why ? `${why} break(s) the id rule` : `its path ${showId(a.path)} is not ${expected}`}${leaves ? `; the path leaves .task_orchestrator/ (${leaves})` : ""}`,
      ref: { table: "artifacts", id: a.id },
    });
  }
  for (const d of rows.dependencies) {
    const why = bad({ task_id: d.taskId, depends_on: d.dependsOn });
    if (!why) continue;
    out.push({
      kind: "invalid_row",
      taskId: d.taskId,
      message: `dependency row with ${why}: breaks the id rule (${ID_RULE})`,
      ref: { table: "task_dependencies", taskId: d.taskId, dependsOn: d.dependsOn },
    });
  }
  return out;
}

/**
 * Removes the rows (a plan's tasks and artifacts go with it, by cascade); never a file. Rows that
 * break the id rule cannot be reached through any tool, so this is the only way out for them.
 */
export async function removeInvalidRows(
  store: StorePort,
  ws: string,
  rows: readonly InvalidRow[],
): Promise<void> {
  await store.write((trx) =>
    trx.removeRows(
      ws,
      rows.map((r) => r.ref),
    ),
  );
}
