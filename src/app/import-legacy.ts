import { COMPLEXITY_LEVELS, TASK_STATUSES, type TaskStatus } from "../core/task.ts";
import type { LegacyBreakdown, LegacySubtask } from "../store/legacy.ts";
import type { StoreWriter } from "../store/port.ts";
import type { NewTask } from "../store/records.ts";
import { checkLegacyRows } from "./_legacy-rows.ts";
import { refreshPlan } from "./_task-writes.ts";
import type { AppContext } from "./context.ts";

export interface ImportReport {
  readonly plansImported: string[];
  readonly plansSkipped: { id: string; why: string }[];
  readonly tasksImported: number;
  readonly dependenciesDropped: number;
  readonly statusesMapped: { from: string; to: TaskStatus; count: number }[];
}

/**
 * Upstream statuses to ours. A task that was in progress there has no live agent here, so it
 * comes back pending (its note says so); anything unknown too.
 */
function mapStatus(s: string | null): TaskStatus {
  const v = (s ?? "").toLowerCase();
  if (v === "in_progress" || v === "active") return "pending";
  return (TASK_STATUSES as readonly string[]).includes(v) ? (v as TaskStatus) : "pending";
}

/**
 * Brings the plans of a Python MCP Task Orchestrator database into this workspace, keeping their
 * ids (so prompts and notes that name them still work), statuses, results and dependencies. One
 * transaction; a plan whose id or one of whose task ids already exists here is skipped whole,
 * so importing twice changes nothing, and so is a plan with a row that fails the column checks
 * (app/_legacy-rows.ts: ids by the id rule, text as text, times as times), with the reason. Artifacts stay where they were: their paths are kept in the
 * summary. `dryRun` reports what would happen and writes nothing.
 */
export async function importLegacy(
  ctx: AppContext,
  source: { breakdowns: readonly LegacyBreakdown[]; subtasks: readonly LegacySubtask[]; from: string },
  dryRun: boolean,
): Promise<ImportReport> {
  const ws = ctx.project;
  const at = ctx.clock.now();
  const checked = checkLegacyRows(source);
  const plansImported: string[] = [];
  const plansSkipped: { id: string; why: string }[] = [...checked.skipped];
  const statusesMapped: { from: string; to: TaskStatus; count: number }[] = [];
  let tasksImported = 0;
  let dependenciesDropped = 0;
  const mapped = new Map<string, number>();
  const run = async (trx: StoreWriter): Promise<void> => {
    // On PostgreSQL a write may run again after a conflict: each attempt counts from zero.
    plansImported.length = 0;
    plansSkipped.splice(0, plansSkipped.length, ...checked.skipped);
    statusesMapped.length = 0;
    tasksImported = 0;
    dependenciesDropped = 0;
    mapped.clear();
    for (const b of checked.plans) {
      const subs = [...b.subtasks].sort((x, y) => (x.createdAt ?? "").localeCompare(y.createdAt ?? ""));
      if (subs.length === 0) {
        plansSkipped.push({ id: b.id, why: "it has no subtasks" });
        continue;
      }
      if (await trx.planExists(ws, b.id)) {
        plansSkipped.push({ id: b.id, why: "a plan with this id is already here" });
        continue;
      }
      const taken = await trx.findExistingTaskIds(
        ws,
        subs.map((s) => s.taskId),
      );
      if (taken.size > 0) {
        plansSkipped.push({
          id: b.id,
          why: `task id(s) already used here: ${[...taken].slice(0, 5).join(", ")}`,
        });
        continue;
      }
      const created = b.createdAt ?? at;
      const complexity = (COMPLEXITY_LEVELS as readonly string[]).includes(b.complexity ?? "")
        ? (b.complexity as string)
        : "moderate";
      const ids = new Set(subs.map((s) => s.taskId));
      const rows: NewTask[] = subs.map((s, position) => {
        const status = mapStatus(s.status);
        const key = `${s.status ?? "(none)"}→${status}`;
        mapped.set(key, (mapped.get(key) ?? 0) + 1);
        const summary = [
          s.results ?? "",
          s.artifacts.length > 0 ? `Artifacts (Python orchestrator): ${s.artifacts.join(", ")}` : "",
        ]
          .filter(Boolean)
          .join("\n\n");
        // Only siblings, never itself, each once: the rest is dropped and counted.
        const dependencies: string[] = [];
        for (const d of s.dependencies) {
          if (!ids.has(d) || d === s.taskId) dependenciesDropped++;
          else if (!dependencies.includes(d)) dependencies.push(d);
        }
        return {
          id: s.taskId,
          planId: b.id,
          position,
          title: (s.title ?? "").trim() || s.taskId,
          description: s.description ?? "",
          specialistType: (s.specialistType ?? "").trim().toLowerCase() || "implementer",
          estimatedEffort: s.estimatedEffort ?? "",
          status,
          summary: summary || null,
          statusNote:
            status === "pending" && (s.status ?? "").toLowerCase() !== "pending"
              ? `imported as pending: it was ${s.status ?? "without a status"} in the Python orchestrator`
              : null,
          dependencies,
          createdAt: s.createdAt ?? created,
          updatedAt: at,
          completedAt: status === "completed" ? (s.completedAt ?? at) : null,
        };
      });
      await trx.insertPlan(ws, {
        id: b.id,
        description: b.description ?? "(imported plan)",
        complexity,
        context: b.context,
        status: "active",
        createdAt: created,
        updatedAt: at,
      });
      await trx.insertTasks(ws, rows);
      const note = `imported from ${source.from}`;
      await trx.appendEvents(ws, [
        { at, kind: "plan_created", planId: b.id, taskId: null, to: "active", note },
        ...rows.map((r) => ({
          at,
          kind: "task_created" as const,
          planId: b.id,
          taskId: r.id,
          to: r.status,
          note,
        })),
      ]);
      await refreshPlan(trx, ws, b.id, at);
      plansImported.push(b.id);
      tasksImported += rows.length;
    }
    for (const [key, count] of mapped) {
      const [from, to] = key.split("→") as [string, TaskStatus];
      statusesMapped.push({ from, to, count });
    }
    if (dryRun) throw new DryRun();
  };
  try {
    await ctx.store.write(run);
  } catch (e) {
    if (!(e instanceof DryRun)) throw e;
  }
  return { plansImported, plansSkipped, tasksImported, dependenciesDropped, statusesMapped };
}

/** Thrown to roll the transaction back after a dry run has counted everything. */
class DryRun extends Error {}
