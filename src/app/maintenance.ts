import { sql } from "kysely";
import { type Artifact, DATA_DIR } from "../core/artifact.ts";
import { OrchestratorError } from "../core/errors.ts";
import { addMs } from "../core/ports.ts";
import { countTasks, type TaskStatus } from "../core/task.ts";
import { artifactRowToArtifact, findAllArtifactRows } from "../store/repositories/artifacts.repository.ts";
import { countsToColumns } from "../store/repositories/plans.repository.ts";
import { findTask, taskRowToTask } from "../store/repositories/tasks.repository.ts";
import { writeTx } from "../store/transactions.ts";
import { writeHandover, writePlansDocument } from "./_documents.ts";
import { findInvalidRows, removeInvalidRows } from "./_invalid-rows.ts";
import { applyTaskAction, recordEvent, refreshPlan, requireTask } from "./_task-writes.ts";

const IN_FLIGHT_GRACE_MS = 60_000;

import type { AppContext } from "./context.ts";

export const MAINTENANCE_ACTIONS = [
  "scan_cleanup",
  "validate_structure",
  "update_documentation",
  "prepare_handover",
] as const;
export type MaintenanceAction = (typeof MAINTENANCE_ACTIONS)[number];
export const MAINTENANCE_SCOPES = ["current_session", "full_project", "specific_subtask"] as const;
export type MaintenanceScope = (typeof MAINTENANCE_SCOPES)[number];
export const VALIDATION_LEVELS = ["basic", "comprehensive", "full_audit"] as const;
export type ValidationLevel = (typeof VALIDATION_LEVELS)[number];

export interface MaintenanceInput {
  readonly action: MaintenanceAction;
  readonly scope: MaintenanceScope;
  readonly validationLevel: ValidationLevel;
  readonly targetTaskId?: string | undefined;
  /** scan_cleanup: report what would be done, change nothing. */
  readonly dryRun?: boolean | undefined;
  /** validate_structure: also fix what can be fixed safely. */
  readonly repair?: boolean | undefined;
}

export interface MaintenanceFinding {
  readonly kind: string;
  readonly severity: "info" | "warning" | "error";
  readonly message: string;
  readonly task_id?: string;
  readonly path?: string;
}

export interface MaintenanceStep {
  readonly action: string;
  readonly task_id?: string;
  readonly path?: string;
  readonly detail: string;
}

export interface MaintenanceResult {
  readonly action: MaintenanceAction;
  readonly scope: MaintenanceScope;
  readonly validation_level: ValidationLevel;
  readonly started_at: string;
  readonly findings: readonly MaintenanceFinding[];
  readonly actions_taken: readonly MaintenanceStep[];
  readonly files_written: readonly string[];
  readonly summary: string;
}

/**
 * The maintenance coordinator. `scan_cleanup` finds stale tasks and expired leases, releases the
 * leases and (at comprehensive or full_audit) archives stale tasks through the state machine;
 * `validate_structure` checks the database, artifact files and checksums, dependencies and plan
 * counters (repairing only the counters, which are derived); the documentation actions write
 * Markdown files under `.task_orchestrator/`. Nothing is ever deleted.
 */
export async function runMaintenance(ctx: AppContext, input: MaintenanceInput): Promise<MaintenanceResult> {
  if (input.scope === "specific_subtask" && !input.targetTaskId) {
    throw new OrchestratorError(
      "INVALID_INPUT",
      "scope specific_subtask needs target_task_id: the id of the task to look at.",
    );
  }
  if (input.targetTaskId && !(await findTask(ctx.store.db, ctx.workspace, input.targetTaskId))) {
    throw new OrchestratorError(
      "TASK_NOT_FOUND",
      `Task ${input.targetTaskId} does not exist in workspace ${ctx.workspace}.`,
      {
        data: { task_id: input.targetTaskId },
      },
    );
  }
  const started_at = ctx.clock.now();
  const base = {
    action: input.action,
    scope: input.scope,
    validation_level: input.validationLevel,
    started_at,
  };
  switch (input.action) {
    case "scan_cleanup":
      return { ...base, ...(await scanCleanup(ctx, input)) };
    case "validate_structure":
      return { ...base, ...(await validateStructure(ctx, input)) };
    case "update_documentation": {
      const path = await writePlansDocument(ctx);
      return { ...base, findings: [], actions_taken: [], files_written: [path], summary: `Wrote ${path}.` };
    }
    case "prepare_handover": {
      const path = await writeHandover(ctx);
      return { ...base, findings: [], actions_taken: [], files_written: [path], summary: `Wrote ${path}.` };
    }
  }
}

type Body = Pick<MaintenanceResult, "findings" | "actions_taken" | "files_written" | "summary">;

async function scanCleanup(ctx: AppContext, input: MaintenanceInput): Promise<Body> {
  const ws = ctx.workspace;
  const now = ctx.clock.now();
  const staleBefore = addMs(now, -ctx.settings.staleMs);
  const archive = input.validationLevel !== "basic";
  const act = !input.dryRun;
  const findings: MaintenanceFinding[] = [];
  const actions: MaintenanceStep[] = [];

  let q = ctx.store.db
    .selectFrom("tasks as t")
    .innerJoin("plans as p", (j) =>
      j.onRef("p.workspace", "=", "t.workspace").onRef("p.id", "=", "t.plan_id"),
    )
    .selectAll("t")
    .select("p.status as plan_status")
    .where("t.workspace", "=", ws)
    .where((eb) =>
      eb.or([
        eb.and([
          eb("t.status", "in", ["pending", "active", "blocked"]),
          eb("t.updated_at", "<", staleBefore),
        ]),
        eb.and([eb("t.claimed_by", "is not", null), eb("t.claim_expires_at", "<", now)]),
        // Orphans: open work left in a plan that was cancelled or archived.
        eb.and([
          eb("t.status", "in", ["pending", "active", "blocked", "failed"]),
          eb("p.status", "in", ["cancelled", "archived"]),
        ]),
      ]),
    );
  if (input.targetTaskId) q = q.where("t.id", "=", input.targetTaskId);
  const rows = await q.execute();

  for (const row of rows) {
    const task = taskRowToTask(row, []);
    const leaseExpired = task.claim !== null && task.claim.expiresAt < now;
    const orphan = ["cancelled", "archived"].includes(row.plan_status) && task.status !== "completed";
    const stale =
      !orphan && ["pending", "active", "blocked"].includes(task.status) && task.updatedAt < staleBefore;
    if (leaseExpired) {
      findings.push({
        kind: "expired_lease",
        severity: "info",
        task_id: task.id,
        message: `lease of ${task.claim!.agentId} on ${task.id} expired at ${task.claim!.expiresAt}`,
      });
    }
    if (stale) {
      findings.push({
        kind: "stale_task",
        severity: "warning",
        task_id: task.id,
        message: `${task.id} "${task.title}" is ${task.status} with no activity since ${task.updatedAt}`,
      });
    }
    if (orphan) {
      findings.push({
        kind: "orphaned_task",
        severity: "warning",
        task_id: task.id,
        message: `${task.id} "${task.title}" is still ${task.status} in plan ${task.planId}, which is ${row.plan_status}`,
      });
    }
    if (!act) continue;
    await writeTx(ctx.store.db, async (trx) => {
      // Re-read inside the transaction: another agent may have acted since the scan.
      let fresh = await requireTask(trx, ws, task.id);
      if (leaseExpired && fresh.claim && fresh.claim.expiresAt < now) {
        const patch = { claimed_by: null, claim_expires_at: null };
        if (fresh.status === "active") {
          await applyTaskAction(trx, ws, fresh, "release", now, {
            note: `lease of ${fresh.claim.agentId} expired`,
            patch,
          });
          actions.push({
            action: "release_lease",
            task_id: task.id,
            detail: "active → pending; the task is free to pick up again",
          });
        } else {
          await trx
            .updateTable("tasks")
            .set({ ...patch, updated_at: now })
            .where("workspace", "=", ws)
            .where("id", "=", task.id)
            .execute();
          actions.push({ action: "release_lease", task_id: task.id, detail: "expired claim cleared" });
        }
        fresh = await requireTask(trx, ws, task.id);
      }
      if ((stale || orphan) && archive && fresh.status !== "archived" && fresh.updatedAt === task.updatedAt) {
        const why = orphan
          ? `orphaned: plan ${task.planId} is ${row.plan_status}`
          : `stale: no activity since ${task.updatedAt}`;
        await applyTaskAction(trx, ws, fresh, "archive", now, {
          note: why,
          patch: { claimed_by: null, claim_expires_at: null },
        });
        actions.push({
          action: orphan ? "archive_orphaned_task" : "archive_stale_task",
          task_id: task.id,
          detail: `archived (restorable): ${why}`,
        });
      }
    });
  }
  const count = (k: string): number => findings.filter((f) => f.kind === k).length;
  const hint = input.dryRun
    ? " Dry run: nothing was changed."
    : count("stale_task") + count("orphaned_task") > 0 && !archive
      ? " Run again with validation_level comprehensive to archive them (they can be restored)."
      : "";
  return {
    findings,
    actions_taken: actions,
    files_written: [],
    summary: `${count("stale_task")} stale task(s), ${count("orphaned_task")} orphaned task(s), ${count("expired_lease")} expired lease(s); ${actions.length} action(s) taken.${hint}`,
  };
}

async function validateStructure(ctx: AppContext, input: MaintenanceInput): Promise<Body> {
  const ws = ctx.workspace;
  const db = ctx.store.db;
  const findings: MaintenanceFinding[] = [];
  const actions: MaintenanceStep[] = [];
  const deep = input.validationLevel !== "basic";

  const check = deep
    ? sql<{ integrity_check: string }>`pragma integrity_check`
    : sql<{ quick_check: string }>`pragma quick_check`;
  const rows = (await check.execute(db)).rows as Record<string, string>[];
  const verdicts = rows.map((r) => Object.values(r)[0]);
  if (verdicts.length !== 1 || verdicts[0] !== "ok") {
    findings.push({
      kind: "database_integrity",
      severity: "error",
      message: `SQLite ${deep ? "integrity_check" : "quick_check"}: ${verdicts.slice(0, 10).join("; ")}`,
    });
  }

  // Rows no tool could have written come first: the rest of the checks map rows to objects,
  // which refuses them (STORE_ROW_INVALID).
  let invalid = await findInvalidRows(db, ws);
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
    await removeInvalidRows(db, ws, invalid);
    actions.push({
      action: "remove_invalid_rows",
      detail: `${invalid.length} row(s) removed (with the tasks and artifact rows of a removed plan); no file was touched`,
    });
  }
  const invalidArtifacts = new Set(invalid.filter((r) => r.table === "artifacts").map((r) => r.key.id));
  const invalidTasks = new Set(invalid.filter((r) => r.table === "tasks").map((r) => r.key.id));
  const invalidPlans = new Set(invalid.filter((r) => r.table === "plans").map((r) => r.key.id));
  // Left out of the checks below, which map rows to objects.
  const rawArtifacts = await findAllArtifactRows(db, ws);
  let artifacts: Artifact[] = rawArtifacts
    .filter(
      (r) => !invalidArtifacts.has(r.id) && !invalidTasks.has(r.task_id) && !invalidPlans.has(r.plan_id),
    )
    .map(artifactRowToArtifact);
  if (input.targetTaskId) artifacts = artifacts.filter((a) => a.taskId === input.targetTaskId);
  const known = new Set(artifacts.map((a) => a.path));
  for (const a of artifacts) {
    const checked = ctx.files.verifyArtifact(a, deep);
    if (checked.state === "refused") {
      findings.push({
        kind: "path_outside_data_dir",
        severity: "error",
        task_id: a.taskId,
        path: a.path,
        message: `artifact ${a.id} of ${a.taskId}: ${a.path} is refused: ${checked.problem}`,
      });
    } else if (checked.state === "missing") {
      findings.push({
        kind: "artifact_missing",
        severity: "error",
        task_id: a.taskId,
        path: a.path,
        message: `artifact ${a.id} of ${a.taskId}: file ${a.path} is missing`,
      });
    } else if (checked.state === "resized") {
      findings.push({
        kind: "artifact_changed",
        severity: "error",
        task_id: a.taskId,
        path: a.path,
        message: `artifact ${a.id}: ${a.path} is ${checked.size} bytes, recorded ${a.size}`,
      });
    } else if (checked.state === "altered") {
      findings.push({
        kind: "artifact_changed",
        severity: "error",
        task_id: a.taskId,
        path: a.path,
        message: `artifact ${a.id}: ${a.path} does not match its recorded sha256`,
      });
    }
  }
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

  const dangling = await db
    .selectFrom("task_dependencies as d")
    .leftJoin("tasks as t", (j) =>
      j.onRef("t.workspace", "=", "d.workspace").onRef("t.id", "=", "d.depends_on"),
    )
    .select(["d.task_id", "d.depends_on", "d.plan_id"])
    .where("d.workspace", "=", ws)
    .where("t.id", "is", null)
    .execute();
  for (const d of dangling) {
    findings.push({
      kind: "dangling_dependency",
      severity: "error",
      task_id: d.task_id,
      message: `${d.task_id} depends on ${d.depends_on}, which does not exist`,
    });
    if (input.repair) {
      await writeTx(db, async (trx) => {
        await trx
          .deleteFrom("task_dependencies")
          .where("workspace", "=", ws)
          .where("task_id", "=", d.task_id)
          .where("depends_on", "=", d.depends_on)
          .execute();
        await recordEvent(trx, ws, ctx.clock.now(), "task_updated", d.plan_id, d.task_id, {
          note: `maintenance removed the dependency on missing task ${d.depends_on}`,
        });
      });
      actions.push({
        action: "remove_dangling_dependency",
        task_id: d.task_id,
        detail: `no longer waits on missing ${d.depends_on}`,
      });
    }
  }

  // Plan counters are derived data: recount, and repair drift when asked.
  const counts = await db
    .selectFrom("tasks")
    .select(["plan_id", "status", db.fn.countAll<number>().as("n")])
    .where("workspace", "=", ws)
    .groupBy(["plan_id", "status"])
    .execute();
  const plans = await db.selectFrom("plans").selectAll().where("workspace", "=", ws).execute();
  for (const p of plans) {
    const c = countTasks(
      counts.filter((r) => r.plan_id === p.id).map((r) => [r.status as TaskStatus, Number(r.n)] as const),
    );
    const cols = countsToColumns(c);
    const drift = (Object.keys(cols) as (keyof typeof cols)[]).some((k) => cols[k] !== p[k]);
    if (drift) {
      findings.push({
        kind: "plan_counters",
        severity: "warning",
        message: `plan ${p.id}: stored task counters did not match its tasks`,
      });
      if (input.repair) {
        await writeTx(db, (trx) => refreshPlan(trx, ws, p.id, ctx.clock.now()));
        actions.push({ action: "repair_counters", detail: `plan ${p.id} counters recomputed` });
      }
    }
  }
  const errors = findings.filter((f) => f.severity === "error").length;
  const repairable = findings.some(
    (f) =>
      ["orphan_file", "dangling_dependency", "plan_counters", "invalid_row"].includes(f.kind) ||
      (f.kind === "path_outside_data_dir" && invalid.length > 0),
  );
  return {
    findings,
    actions_taken: actions,
    files_written: [],
    summary:
      findings.length === 0
        ? `Structure valid (${artifacts.length} artifact(s) checked${deep ? " with checksums" : ""}).`
        : `${errors} error(s), ${findings.length - errors} warning(s).${repairable && !input.repair ? " Run again with repair: true to fix orphan files, dangling dependencies and counters, and remove rows this orchestrator never writes." : ""}${findings.some((f) => f.kind === "artifact_missing" || f.kind === "artifact_changed") ? " Missing or changed artifact files cannot be rebuilt: re-run those tasks (orchestrator_update_task status pending) if their output is needed." : ""}`,
  };
}
