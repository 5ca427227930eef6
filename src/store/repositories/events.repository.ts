import type { EventKind, HistoryEvent } from "../../core/event.ts";
import type { TaskAction } from "../../core/transitions.ts";
import type { Executor } from "../database.ts";
import { prepared } from "../prepared.ts";
import type { NewEvent } from "../records.ts";
import type { EventRow } from "../tables/events.table.ts";

export function eventRowToEvent(r: EventRow): HistoryEvent {
  return {
    seq: r.seq,
    at: r.at,
    kind: r.kind as EventKind,
    planId: r.plan_id,
    taskId: r.task_id,
    action: r.action as TaskAction | null,
    from: r.from_status,
    to: r.to_status,
    agentId: r.agent_id,
    note: r.note,
  };
}

/** Appends events; the history is never updated or deleted. */
export async function appendEvents(
  db: Executor,
  workspace: string,
  events: readonly NewEvent[],
): Promise<void> {
  const rows = events.map((e) => ({
    workspace,
    at: e.at,
    kind: e.kind,
    plan_id: e.planId,
    task_id: e.taskId,
    action: e.action ?? null,
    from_status: e.from ?? null,
    to_status: e.to ?? null,
    agent_id: e.agentId ?? null,
    note: e.note ?? null,
  }));
  // The write path's cases (one event, or a completion's two): compiled once per number of rows.
  if (rows.length === 1) return void (await insertEventRow(db, rows[0]!));
  if (rows.length <= PREPARED_ROWS) {
    const p: Record<string, unknown> = {};
    rows.forEach((r, i) => {
      for (const c of EVENT_COLUMNS) p[`${c}${i}`] = r[c];
    });
    return void (await insertEventRows(db, p, String(rows.length)));
  }
  for (let i = 0; i < rows.length; i += 300)
    await db
      .insertInto("events")
      .values(rows.slice(i, i + 300))
      .execute();
}

type EventParams = Omit<EventRow, "seq"> & { workspace: string };
const insertEventRow = prepared((db, row: EventParams) => db.insertInto("events").values(row));

const PREPARED_ROWS = 4;
const EVENT_COLUMNS = [
  "workspace",
  "at",
  "kind",
  "plan_id",
  "task_id",
  "action",
  "from_status",
  "to_status",
  "agent_id",
  "note",
] as const satisfies readonly (keyof EventParams)[];

// Several rows in one statement, their values numbered (`at0`, `at1`, …) as a prepared statement needs.
const insertEventRows = prepared((db, p: Record<string, unknown>) => {
  const rows: EventParams[] = [];
  for (let i = 0; `at${i}` in p; i++)
    rows.push(Object.fromEntries(EVENT_COLUMNS.map((c) => [c, p[`${c}${i}`]])) as unknown as EventParams);
  return db.insertInto("events").values(rows);
});

/** A plan's history, oldest first. */
export async function findPlanEvents(
  db: Executor,
  workspace: string,
  planId: string,
  limit = 1000,
): Promise<HistoryEvent[]> {
  const rows = await db
    .selectFrom("events")
    .selectAll()
    .where("workspace", "=", workspace)
    .where("plan_id", "=", planId)
    .orderBy("seq", "desc")
    .limit(limit)
    .execute();
  return rows.reverse().map(eventRowToEvent);
}

/**
 * A task's history, oldest first: read through its plan's events (`events_by_plan` carries
 * task_id, so only the task's own rows are fetched; there is no index by task, which every event
 * written paid for; migration 2026_12_04_000000_events_by_plan_task).
 */
export async function findTaskEvents(
  db: Executor,
  workspace: string,
  planId: string,
  taskId: string,
  limit = 200,
): Promise<HistoryEvent[]> {
  const rows = await db
    .selectFrom("events")
    .selectAll()
    .where("workspace", "=", workspace)
    .where("plan_id", "=", planId)
    .where("task_id", "=", taskId)
    .orderBy("seq", "desc")
    .limit(limit)
    .execute();
  return rows.reverse().map(eventRowToEvent);
}
