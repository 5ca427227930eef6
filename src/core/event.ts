import type { TaskAction } from "./transitions.ts";

export const EVENT_KINDS = [
  "plan_created",
  "plan_status_changed",
  "task_created",
  "task_status_changed",
  "task_updated",
  "task_claimed",
  "artifact_added",
  "task_deleted",
  "plan_deleted",
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** One entry of the append-only history. */
export interface HistoryEvent {
  readonly seq: number;
  readonly at: string;
  readonly kind: EventKind;
  readonly planId: string;
  readonly taskId: string | null;
  readonly action: TaskAction | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly agentId: string | null;
  readonly note: string | null;
}
