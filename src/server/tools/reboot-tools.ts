import { z } from "zod";
import { OrchestratorError } from "../../core/errors.ts";
import type { Session } from "../session.ts";
import type { ToolHost } from "./_catalog.ts";
import { failure } from "./_shared.ts";

/**
 * Definitions of the reboot tools for tools/list. Their calls never reach a worker: the
 * supervisor (server/supervisor.ts) answers them, since it owns the worker and the restarts.
 * They are listed only in the `all` profile and only when a supervisor runs.
 */
export function registerRebootTools(server: ToolHost, _session: Session): void {
  const unreachable = async () =>
    failure(
      new OrchestratorError(
        "INTERNAL",
        "This reboot tool is answered by the serve supervisor, which is not running (serve --no-supervisor). Restart the client to restart the server.",
      ),
    );
  const worker = z.object({ pid: z.number().nullable(), version: z.string().nullable() });
  const record = z.object({
    at: z.string(),
    reason: z.string(),
    graceful: z.boolean(),
    trigger: z.enum(["tool", "signal", "crash"]),
    duration_ms: z.number(),
    result: z.enum(["success", "failed"]),
    message: z.string(),
    old_pid: z.number().nullable(),
    new_pid: z.number().nullable(),
    old_version: z.string().nullable(),
    new_version: z.string().nullable(),
    requests_finished: z.number(),
    requests_left_running: z.number(),
    requests_interrupted: z.number(),
  });

  server.registerTool(
    "orchestrator_restart_server",
    {
      title: "Restart the server",
      description:
        "Start a fresh worker from the binary on disk (an upgrade, new settings) without closing this connection. The old worker finishes the requests it has; graceful waits for them before switching. Task state lives in the database: nothing is lost.",
      inputSchema: {
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
        reason: z
          .enum([
            "configuration_update",
            "schema_migration",
            "error_recovery",
            "manual_request",
            "emergency_shutdown",
          ])
          .default("manual_request")
          .describe("Why, for restart_status and the log"),
      },
      outputSchema: {
        success: z.boolean(),
        phase: z.enum(["completed", "failed"]),
        message: z.string(),
        restart_reason: z.string(),
        graceful: z.boolean(),
        preserve_state: z.boolean(),
        timeout: z.number(),
        started_at: z.string(),
        duration_ms: z.number(),
        old_worker: worker,
        new_worker: worker,
        requests_finished: z.number().describe("Requests the old worker answered before the switch"),
        requests_left_running: z
          .number()
          .describe(
            "Requests the old worker was still running at the switch; it answers them when done, or they get RESTART_INTERRUPTED if timeout runs out first",
          ),
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    unreachable,
  );

  server.registerTool(
    "orchestrator_shutdown_prepare",
    {
      title: "Is a restart safe now?",
      description:
        "Measured readiness for a restart: requests in flight and queued, open transactions, claimed tasks, database state.",
      inputSchema: {
        check_active_tasks: z
          .boolean()
          .default(true)
          .describe("Count claimed tasks (they survive a restart)"),
        check_database_state: z.boolean().default(true).describe("Ask the worker for the database's health"),
        check_client_connections: z.boolean().default(true).describe("Count requests in flight and queued"),
      },
      outputSchema: {
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
            .describe(
              "The worker's database health; null when check_database_state is false or it did not answer",
            ),
        }),
        notes: z.string(),
        timestamp: z.string(),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    unreachable,
  );

  server.registerTool(
    "orchestrator_restart_status",
    {
      title: "Restarts of this connection",
      description:
        "The server's phase, its worker (pid, generation, version), requests in flight, and the restarts of this connection: when, why, how long, result, worker pids.",
      inputSchema: {
        include_history: z.boolean().default(true).describe("List every restart of this connection"),
        include_error_details: z.boolean().default(true).describe("Include each restart's message"),
      },
      outputSchema: {
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
        last_restart: record.nullable(),
        history: z.array(record).optional(),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    unreachable,
  );

  server.registerTool(
    "orchestrator_reconnect_test",
    {
      title: "Test the server round trip",
      description:
        "A timed round trip supervisor → worker → database (the worker's health check), with the buffer and restart figures.",
      inputSchema: {
        session_id: z.string().optional().describe("Ignored: one server serves one connection"),
        include_buffer_status: z.boolean().default(true).describe("Include requests in flight and queued"),
        include_reconnection_stats: z
          .boolean()
          .default(true)
          .describe("Include the restarts and recent crashes of this connection"),
      },
      outputSchema: {
        test_completed: z.boolean(),
        overall_status: z.enum(["pass", "fail"]),
        round_trip_ms: z.number(),
        worker_pid: z.number().nullable(),
        store: z.object({ healthy: z.unknown(), database: z.unknown() }).nullable(),
        error: z.string().nullable(),
        buffer_status: z.object({ in_flight: z.number(), queued: z.number() }).optional(),
        reconnection_stats: z.object({ restarts: z.number(), crashes_recent: z.number() }).optional(),
        timestamp: z.string(),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    unreachable,
  );
}
