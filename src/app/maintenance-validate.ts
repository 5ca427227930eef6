import { type Artifact, DATA_DIR } from "../core/artifact.ts";
import { EMPTY_COUNTS, type TaskCounts } from "../core/task.ts";
import { checkArtifacts } from "./_artifact-checks.ts";
import { findInvalidRows, removeInvalidRows } from "./_invalid-rows.ts";
import type {
  MaintenanceBody,
  MaintenanceFinding,
  MaintenanceInput,
  MaintenanceStep,
} from "./_maintenance-report.ts";
import { recordEvent, refreshPlan } from "./_task-writes.ts";
import type { AppContext } from "./context.ts";

/** A file younger than this may belong to a write in progress in another process. */
const IN_FLIGHT_GRACE_MS = 60_000;

/**
 * validate_structure: checks the database, rows no tool could have written, artifact texts and
 * their local copies (`_artifact-checks.ts`), files without rows, dependencies and plan counters; with `repair` it removes
 * those rows, moves orphan files aside (never deletes one), drops dangling dependencies and
 * recounts the counters, which are derived, and writes missing local copies of artifacts again.
 */
export async function validateStructure(ctx: AppContext, input: MaintenanceInput): Promise<MaintenanceBody> {
  const ws = ctx.project;
  const db = ctx.store.direct;
  const findings: MaintenanceFinding[] = [];
  const actions: MaintenanceStep[] = [];
  const deep = input.validationLevel !== "basic";

  const verdicts = await ctx.store.checkIntegrity(deep);
  if (verdicts.length !== 1 || verdicts[0] !== "ok") {
    findings.push({
      kind: "database_integrity",
      severity: "error",
      message: `SQLite ${deep ? "integrity_check" : "quick_check"}: ${verdicts.slice(0, 10).join("; ")}`,
    });
  }

  // Rows no tool could have written come first: the rest of the checks map rows to objects,
  // which refuses them (STORE_ROW_INVALID).
  let invalid = await findInvalidRows(ctx.store, ws, ctx.workspace);
  if (input.targetTaskId) invalid = invalid.filter((r) => r.taskId === input.targetTaskId);
  for (const r of invalid) {
    findings.push({
      kind: r.kind,
      severity: "error",
      message: `${r.message}; not written by this orchestrator (a crafted or hand-edited database), so it is never used`,
      ...(r.taskId === undefined ? {} : { task_id: r.taskId }),
      ...(r.path === undefined ? {} : { path: r.path }),
    });
  }
  if (invalid.length > 0 && input.repair) {
    await removeInvalidRows(ctx.store, ws, invalid);
    actions.push({
      action: "remove_invalid_rows",
      detail: `${invalid.length} row(s) removed (with the tasks and artifact rows of a removed plan); no file was touched`,
    });
  }
  const idsIn = (table: "plans" | "tasks" | "artifacts"): Set<string> =>
    new Set(invalid.flatMap((r) => (r.ref.table === table ? [r.ref.id] : [])));
  // Left out of the checks below, which map rows to objects.
  let artifacts: Artifact[] = await db.findAllArtifacts(ws, {
    ids: idsIn("artifacts"),
    taskIds: idsIn("tasks"),
    planIds: idsIn("plans"),
  });
  if (input.targetTaskId) artifacts = artifacts.filter((a) => a.taskId === input.targetTaskId);
  const known = new Set(artifacts.map((a) => a.path));
  const checked = await checkArtifacts(ctx, artifacts, { deep, repair: input.repair === true });
  findings.push(...checked.findings);
  actions.push(...checked.actions);
  const artifactsRoot = ctx.files.listArtifactFolder();
  if ("problem" in artifactsRoot) {
    findings.push({
      kind: "path_outside_data_dir",
      severity: "error",
      path: `${DATA_DIR}/artifacts`,
      message: `${DATA_DIR}/artifacts is refused: ${artifactsRoot.problem}; no artifact can be written, read or deleted until it is a real folder`,
    });
  } else if (!input.targetTaskId) {
    for (const { path: rel, symlinkTo, ours } of artifactsRoot.files) {
      if (symlinkTo !== null) {
        findings.push({
          kind: "path_outside_data_dir",
          severity: "error",
          path: rel,
          message: `${rel} is a symlink (to ${symlinkTo}): the orchestrator never makes one and refuses every path through it; replace it with a real folder or file`,
        });
        continue;
      }
      if (known.has(rel)) continue;
      if (!ours) {
        // Not a name we write (e.g. the Python MCP Task Orchestrator's artifacts/<task>/... files):
        // somebody else's, reported and never moved.
        findings.push({
          kind: "foreign_file",
          severity: "info",
          path: rel,
          message: `${rel} was not written by this orchestrator (an older tool's artifact, or a file put there by hand); left alone`,
        });
        continue;
      }
      // A file younger than a minute may belong to a write in progress in another process.
      const recent = Date.now() - ctx.files.modifiedMs(rel) < IN_FLIGHT_GRACE_MS;
      findings.push({
        kind: "orphan_file",
        severity: "warning",
        path: rel,
        message: `${rel} has no artifact row (left by an interrupted write)${recent ? "; written less than a minute ago, so it may still be in flight" : ""}`,
      });
      if (input.repair && !recent) {
        const target = await ctx.files.moveOrphan(rel);
        actions.push({
          action: "move_orphan_file",
          path: rel,
          detail: `moved to ${target} (kept, not deleted)`,
        });
      }
    }
  }

  for (const d of await db.findDanglingDependencies(ws)) {
    findings.push({
      kind: "dangling_dependency",
      severity: "error",
      task_id: d.taskId,
      message: `${d.taskId} depends on ${d.dependsOn}, which does not exist`,
    });
    if (input.repair) {
      await ctx.store.write(async (trx) => {
        await trx.deleteDependency(ws, d);
        await recordEvent(trx, ws, ctx.clock.now(), "task_updated", d.planId, d.taskId, {
          note: `maintenance removed the dependency on missing task ${d.dependsOn}`,
        });
      });
      actions.push({
        action: "remove_dangling_dependency",
        task_id: d.taskId,
        detail: `no longer waits on missing ${d.dependsOn}`,
      });
    }
  }

  // Plan counters are derived data: recount, and repair drift when asked.
  const counts = await db.countTasksByPlan(ws);
  for (const p of await db.findPlanCounters(ws)) {
    const c = counts.get(p.id) ?? EMPTY_COUNTS;
    const drift = (Object.keys(c) as (keyof TaskCounts)[]).some((k) => c[k] !== p.counts[k]);
    if (drift) {
      findings.push({
        kind: "plan_counters",
        severity: "warning",
        message: `plan ${p.id}: stored task counters did not match its tasks`,
      });
      if (input.repair) {
        await ctx.store.write((trx) => refreshPlan(trx, ws, p.id, ctx.clock.now()));
        actions.push({ action: "repair_counters", detail: `plan ${p.id} counters recomputed` });
      }
    }
  }
  const errors = findings.filter((f) => f.severity === "error").length;
  const repairable = findings.some(
    (f) =>
      [
        "orphan_file",
        "dangling_dependency",
        "plan_counters",
        "invalid_row",
        "local_copy_missing",
        "local_copy_changed",
      ].includes(f.kind) ||
      (f.kind === "path_outside_data_dir" && invalid.length > 0),
  );
  return {
    findings,
    actions_taken: actions,
    files_written: [],
    summary:
      findings.length === 0
        ? `Structure valid (${artifacts.length} artifact(s) checked${deep ? " with checksums" : ""}).`
        : `${errors} error(s), ${findings.length - errors} warning(s).${repairable && !input.repair ? " Run again with repair: true to fix orphan files, dangling dependencies and counters, write missing local copies of artifacts again from the store, and remove rows this orchestrator never writes." : ""}${findings.some((f) => f.kind === "artifact_missing" || f.kind === "artifact_changed") ? " Artifacts whose only copy is missing or changed cannot be rebuilt: re-run those tasks (orchestrator_update_task status pending) if their output is needed." : ""}`,
  };
}
