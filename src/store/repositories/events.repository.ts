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
  // One event per call is the write path's case: compiled once.
  if (rows.length === 1) return void (await insertEventRow(db, rows[0]!));
  for (let i = 0; i < rows.length; i += 300)
    await db
      .insertInto("events")
      .values(rows.slice(i, i + 300))
      .execute();
}

type EventParams = Omit<EventRow, "seq"> & { workspace: string };
const insertEventRow = prepared((db, row: EventParams) => db.insertInto("events").values(row));

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

/** A task's history, oldest first. */
export async function findTaskEvents(
  db: Executor,
  workspace: string,
  taskId: string,
  limit = 200,
): Promise<HistoryEvent[]> {
  const rows = await db
    .selectFrom("events")
    .selectAll()
    .where("workspace", "=", workspace)
    .where("task_id", "=", taskId)
    .orderBy("seq", "desc")
    .limit(limit)
    .execute();
  return rows.reverse().map(eventRowToEvent);
}
