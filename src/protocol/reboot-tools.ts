import { z } from "zod";

/**
 * The reboot tools' one contract (docs/reboot.md): their names, inputs and outputs. The
 * supervisor answers their calls (src/supervisor/reboot-answers.ts) and the worker lists them
 * (src/server/tools/reboot-tools.ts); both read this file, so what is listed is what is answered.
 * No SDK import: the supervisor never loads it.
 */

import { isRebootTool, REBOOT_TOOL_NAMES, type RebootToolName } from "./reboot-tool-names.ts";

export { isRebootTool, REBOOT_TOOL_NAMES, type RebootToolName };

export const RESTART_REASONS = [
  "configuration_update",
  "schema_migration",
  "error_recovery",
  "manual_request",
  "emergency_shutdown",
] as const;

/** What started a restart: a reboot tool, SIGHUP, or a crash of the worker. */
export const RestartTrigger = z.enum(["tool", "signal", "crash"]);
export type RestartTrigger = z.infer<typeof RestartTrigger>;

// ---- inputs ----

export const RestartServerInput = z.object({
  graceful: z
    .boolean()
    .default(true)
    .describe("Wait for requests in flight before switching (true), or switch at once (false)"),
  preserve_state: z.boolean().default(true).describe("Ignored: state always survives"),
  timeout: z
    .number()
    .int()
    .min(1)
    .max(300)
    .default(30)
    .describe("Seconds the old worker has to finish its requests in flight before it is stopped"),
  reason: z.enum(RESTART_REASONS).default("manual_request").describe("Why, for restart_status and the log"),
});
export type RestartServerInput = z.output<typeof RestartServerInput>;

export const ShutdownPrepareInput = z.object({
  check_active_tasks: z.boolean().default(true).describe("Count claimed tasks (they survive a restart)"),
  check_database_state: z.boolean().default(true).describe("Ask the worker for the database's health"),
  check_client_connections: z.boolean().default(true).describe("Count requests in flight and queued"),
});
export type ShutdownPrepareInput = z.output<typeof ShutdownPrepareInput>;

export const RestartStatusInput = z.object({
  include_history: z.boolean().default(true).describe("List every restart of this connection"),
  include_error_details: z.boolean().default(true).describe("Include each restart's message"),
});
export type RestartStatusInput = z.output<typeof RestartStatusInput>;

export const ReconnectTestInput = z.object({
  session_id: z.string().optional().describe("Ignored: one server serves one connection"),
  include_buffer_status: z.boolean().default(true).describe("Include requests in flight and queued"),
  include_reconnection_stats: z
    .boolean()
    .default(true)
    .describe("Include the restarts and recent crashes of this connection"),
});
export type ReconnectTestInput = z.output<typeof ReconnectTestInput>;

/** Each tool's input schema, by name: what the worker lists and the supervisor parses. */
export const REBOOT_INPUTS = {
  orchestrator_restart_server: RestartServerInput,
  orchestrator_shutdown_prepare: ShutdownPrepareInput,
  orchestrator_restart_status: RestartStatusInput,
  orchestrator_reconnect_test: ReconnectTestInput,
} as const satisfies Record<RebootToolName, z.ZodObject>;

// ---- outputs ----

const WorkerRef = z.object({ pid: z.number().nullable(), version: z.string().nullable() });

/** One restart of this connection's worker, as restart_status lists it. */
export const RestartRecord = z.object({
  at: z.string(),
  reason: z.string(),
  graceful: z.boolean(),
  trigger: RestartTrigger,
  duration_ms: z.number(),
  result: z.enum(["success", "failed"]),
  message: z.string(),
  old_pid: z.number().nullable(),
  new_pid: z.number().nullable(),
  old_version: z.string().nullable(),
  new_version: z.string().nullable(),
  requests_finished: z.number(),
  requests_left_running: z.number(),
  /** Of those left running, how many were still running when the old worker was stopped. */
  requests_interrupted: z.number(),
});
export type RestartRecord = z.infer<typeof RestartRecord>;

export const RestartServerOutput = z.object({
  success: z.boolean(),
  phase: z.enum(["completed", "failed"]),
  message: z.string(),
  restart_reason: z.string(),
  graceful: z.boolean(),
  preserve_state: z.boolean(),
  timeout: z.number(),
  started_at: z.string(),
  duration_ms: z.number(),
  old_worker: WorkerRef,
  new_worker: WorkerRef,
  requests_finished: z.number().describe("Requests the old worker answered before the switch"),
  requests_left_running: z
    .number()
    .describe(
      "Requests the old worker was still running at the switch; it answers them when done, or they get RESTART_INTERRUPTED if timeout runs out first",
    ),
});
export type RestartServerOutput = z.infer<typeof RestartServerOutput>;

export const ShutdownPrepareOutput = z.object({
  ready_for_shutdown: z.boolean(),
  blocking_issues: z.array(z.string()),
  checks: z.object({
    requests_in_flight: z.number(),
    requests_queued: z.number(),
    open_transactions: z.number(),
    claimed_tasks: z
      .number()
      .nullable()
      .describe("null when check_active_tasks is false or the worker did not answer"),
    database: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe("The worker's database health; null when check_database_state is false or it did not answer"),
  }),
  notes: z.string(),
  timestamp: z.string(),
});
export type ShutdownPrepareOutput = z.infer<typeof ShutdownPrepareOutput>;

/** The supervisor's phase: starting, serving, replacing its worker, given up after crashes, closed. */
export const SupervisorPhase = z.enum(["starting", "ready", "restarting", "failed", "stopped"]);
export type SupervisorPhase = z.infer<typeof SupervisorPhase>;

export const RestartStatusOutput = z.object({
  current_status: z.object({
    phase: z.string(),
    worker_pid: z.number().nullable(),
    worker_generation: z.number().nullable(),
    worker_version: z.string().nullable(),
    worker_started_at: z.string().nullable(),
    supervisor_pid: z.number(),
    supervisor_started_at: z.string(),
    in_flight: z.number(),
    queued: z.number(),
    recent_crashes: z.number(),
    failure: z.string().nullable(),
  }),
  total_restarts: z.number(),
  last_restart: RestartRecord.nullable(),
  history: z.array(RestartRecord).optional(),
});
export type RestartStatusOutput = z.infer<typeof RestartStatusOutput>;

export const ReconnectTestOutput = z.object({
  test_completed: z.boolean(),
  overall_status: z.enum(["pass", "fail"]),
  round_trip_ms: z.number(),
  worker_pid: z.number().nullable(),
  store: z.object({ healthy: z.unknown(), database: z.unknown() }).nullable(),
  error: z.string().nullable(),
  buffer_status: z.object({ in_flight: z.number(), queued: z.number() }).optional(),
  reconnection_stats: z.object({ restarts: z.number(), crashes_recent: z.number() }).optional(),
  timestamp: z.string(),
});
export type ReconnectTestOutput = z.infer<typeof ReconnectTestOutput>;
