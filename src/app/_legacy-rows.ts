import { ID_RULE, isValidId, showId } from "../core/ids.ts";
import type { LegacyBreakdown, LegacySubtask } from "../store/legacy.ts";

/** A legacy subtask whose every column was checked: ids by the id rule, text as text, times as ISO. */
export interface CheckedSubtask {
  readonly taskId: string;
  readonly title: string | null;
  readonly description: string | null;
  readonly specialistType: string | null;
  readonly dependencies: string[];
  readonly estimatedEffort: string | null;
  readonly status: string | null;
  readonly results: string | null;
  readonly artifacts: string[];
  readonly createdAt: string | null;
  readonly completedAt: string | null;
}

/** A legacy plan (breakdown) with its subtasks, every column checked. */
export interface CheckedPlan {
  readonly id: string;
  readonly description: string | null;
  readonly complexity: string | null;
  readonly context: string | null;
  readonly createdAt: string | null;
  readonly subtasks: CheckedSubtask[];
}

/** Thrown inside a row check; caught per plan, which is then skipped with this reason. */
class BadColumn extends Error {}

/**
 * Checks every column of a legacy database's rows. A plan is imported whole or not at all (its
 * tasks name each other as dependencies), so one bad row in it skips the plan, with a reason per
 * plan; nothing that would fail later (an id that cannot name a folder, a time that is not one)
 * gets as far as the store.
 */
export function checkLegacyRows(source: {
  readonly breakdowns: readonly LegacyBreakdown[];
  readonly subtasks: readonly LegacySubtask[];
}): { plans: CheckedPlan[]; skipped: { id: string; why: string }[] } {
  const byParent = new Map<unknown, LegacySubtask[]>();
  for (const s of source.subtasks)
    byParent.set(s.parent_task_id, [...(byParent.get(s.parent_task_id) ?? []), s]);
  const plans: CheckedPlan[] = [];
  const skipped: { id: string; why: string }[] = [];
  const seenPlans = new Set<string>();
  const seenTasks = new Set<string>();
  for (const b of source.breakdowns) {
    const rawId = b.parent_task_id;
    try {
      const id = idOf("plan id", rawId);
      if (seenPlans.has(id)) throw new BadColumn("the plan id appears twice in the source database");
      seenPlans.add(id);
      const subtasks = (byParent.get(rawId) ?? []).map((s) => {
        const taskId = idOf("subtask id", s.task_id);
        const at = `subtask ${taskId}`;
        if (seenTasks.has(taskId)) throw new BadColumn(`${at}: the id appears twice in the source database`);
        seenTasks.add(taskId);
        return {
          taskId,
          title: textOf(`${at} title`, s.title),
          description: textOf(`${at} description`, s.description),
          specialistType: textOf(`${at} specialist_type`, s.specialist_type),
          dependencies: jsonList(textOf(`${at} dependencies`, s.dependencies)),
          estimatedEffort: textOf(`${at} estimated_effort`, s.estimated_effort),
          status: textOf(`${at} status`, s.status),
          results: textOf(`${at} results`, s.results),
          artifacts: jsonList(textOf(`${at} artifacts`, s.artifacts)),
          createdAt: timeOf(`${at} created_at`, s.created_at),
          completedAt: timeOf(`${at} completed_at`, s.completed_at),
        };
      });
      plans.push({
        id,
        description: textOf("description", b.description),
        complexity: textOf("complexity", b.complexity),
        context: textOf("context", b.context),
        createdAt: timeOf("created_at", b.created_at),
        subtasks,
      });
    } catch (e) {
      if (!(e instanceof BadColumn)) throw e;
      skipped.push({ id: String(rawId), why: e.message });
    }
  }
  return { plans, skipped };
}

function idOf(what: string, v: unknown): string {
  if (isValidId(v)) return v;
  throw new BadColumn(`${what} ${showId(v)} breaks the id rule (${ID_RULE})`);
}

/** Text columns: text as is, numbers as their digits, NULL as null; binary data is refused. */
function textOf(what: string, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  throw new BadColumn(`${what} is ${v instanceof Uint8Array ? "binary data" : typeof v}, not text`);
}

const TEXT_TIME =
  /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:[zZ]|[+-]\d{2}:?\d{2})?$/;

/**
 * A time as ISO-8601 UTC, or null when the column is NULL. The upstream wrote SQLAlchemy text
 * ("2025-06-01 12:00:00.123456", UTC without a zone); ISO strings with a zone and unix times
 * (seconds, or milliseconds when above 1e11) are accepted too. Anything else is refused.
 */
export function legacyTime(v: unknown): string | null | undefined {
  if (v === null || v === undefined) return null;
  let ms: number;
  if (typeof v === "number" || typeof v === "bigint") {
    const n = Number(v);
    ms = Math.abs(n) < 1e11 ? n * 1000 : n;
  } else if (typeof v === "string" && TEXT_TIME.test(v.trim())) {
    const t = v.trim().replace(" ", "T");
    ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(t) || !t.includes("T") ? t : `${t}Z`);
  } else {
    return undefined;
  }
  // Years 0001-9999: what an ISO string can hold.
  if (!Number.isFinite(ms) || ms < -62_135_596_800_000 || ms > 253_402_300_799_999) return undefined;
  return new Date(ms).toISOString();
}

function timeOf(what: string, v: unknown): string | null {
  const t = legacyTime(v);
  if (t !== undefined) return t;
  throw new BadColumn(
    `${what} ${showId(v instanceof Uint8Array ? "(binary data)" : v)} is not a time (expected ISO-8601 text or unix seconds or milliseconds)`,
  );
}

function jsonList(v: string | null): string[] {
  if (!v) return [];
  try {
    const parsed: unknown = JSON.parse(v);
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}
