import { errorResult } from "../protocol/error-result.ts";
import type { Supervisor } from "./supervisor.ts";

/**
 * The reboot tools, answered by the supervisor itself (it owns the worker, the requests in flight
 * and the restart history). Their definitions, for tools/list, live in tools/reboot-tools.ts in
 * the worker; these results must match those output schemas.
 */
export const SUPERVISOR_TOOL_NAMES: ReadonlySet<string> = new Set([
  "orchestrator_restart_server",
  "orchestrator_shutdown_prepare",
  "orchestrator_restart_status",
  "orchestrator_reconnect_test",
]);

type Json = Record<string, unknown>;
type ToolResult = {
  content: { type: "text"; text: string }[];
  structuredContent?: Json;
  isError?: boolean;
  _meta?: Json;
};

const REASONS = [
  "configuration_update",
  "schema_migration",
  "error_recovery",
  "manual_request",
  "emergency_shutdown",
];

const ok = (structured: Json, text: string): ToolResult => ({
  content: [{ type: "text", text }],
  structuredContent: structured,
});
const fail = (code: "INVALID_INPUT" | "INTERNAL", message: string): ToolResult => errorResult(code, message);

/** Handles one reboot tool call. Never throws: failures are error results. */
export async function supervisorToolCall(sup: Supervisor, name: string, args: Json): Promise<ToolResult> {
  try {
    switch (name) {
      case "orchestrator_restart_server":
        return await restartServer(sup, args);
      case "orchestrator_restart_status":
        return restartStatus(sup, args);
      case "orchestrator_shutdown_prepare":
        return await shutdownPrepare(sup, args);
      default:
        return await reconnectTest(sup, args);
    }
  } catch (e) {
    return fail("INTERNAL", (e as Error).message);
  }
}

async function restartServer(sup: Supervisor, args: Json): Promise<ToolResult> {
  const graceful = args.graceful === undefined ? true : args.graceful;
  const timeout = args.timeout === undefined ? 30 : args.timeout;
  const reason = args.reason === undefined ? "manual_request" : args.reason;
  if (typeof graceful !== "boolean") return fail("INVALID_INPUT", "graceful must be true or false.");
  if (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 1 || timeout > 300) {
    return fail(
      "INVALID_INPUT",
      "timeout is the number of seconds to wait for requests in flight, a whole number from 1 to 300.",
    );
  }
  if (typeof reason !== "string" || !REASONS.includes(reason)) {
    return fail("INVALID_INPUT", `reason must be one of ${REASONS.join(", ")}.`);
  }
  const r = await sup.restart({ graceful, timeoutMs: timeout * 1000, reason, trigger: "tool" });
  const structured = {
    success: r.result === "success",
    phase: r.result === "success" ? "completed" : "failed",
    message: r.message,
    restart_reason: r.reason,
    graceful: r.graceful,
    preserve_state: true,
    timeout,
    started_at: r.at,
    duration_ms: r.duration_ms,
    old_worker: { pid: r.old_pid, version: r.old_version },
    new_worker: { pid: r.new_pid, version: r.new_version },
    requests_finished: r.requests_finished,
    requests_left_running: r.requests_left_running,
  };
  const text =
    r.result === "success"
      ? `Restarted in ${r.duration_ms} ms: worker ${r.old_pid ?? "-"} (${r.old_version ?? "?"}) → ${r.new_pid} (${r.new_version}). ${r.requests_finished} request(s) finished first${r.requests_left_running > 0 ? `, ${r.requests_left_running} still running in the old worker (answered when done, or RESTART_INTERRUPTED after timeout)` : ""}. All state is in the database; this connection stays open.`
      : `Restart failed: ${r.message}. The previous worker keeps serving.`;
  return r.result === "success" ? ok(structured, text) : { ...ok(structured, text), isError: true };
}

function restartStatus(sup: Supervisor, args: Json): ToolResult {
  const includeHistory = args.include_history !== false;
  const w = sup.active;
  const last = sup.history.at(-1) ?? null;
  const structured: Json = {
    current_status: {
      phase: sup.phase,
      worker_pid: w?.pid ?? null,
      worker_generation: w?.gen ?? null,
      worker_version: w?.version ?? null,
      worker_started_at: w?.startedAt ?? null,
      supervisor_pid: process.pid,
      supervisor_started_at: sup.startedAt,
      in_flight: sup.inFlight,
      queued: sup.queued,
      recent_crashes: sup.recentCrashes,
      failure: sup.failure,
    },
    total_restarts: sup.history.length,
    last_restart: last,
  };
  const details = args.include_error_details !== false;
  if (!details) {
    (structured.current_status as Json).failure =
      sup.failure === null ? null : "(omitted: include_error_details is false)";
    if (last) structured.last_restart = { ...last, message: "" };
  }
  if (includeHistory)
    structured.history = details ? [...sup.history] : sup.history.map((h) => ({ ...h, message: "" }));
  const lines = [
    `Phase ${sup.phase}; worker ${w?.pid ?? "none"} (generation ${w?.gen ?? "-"}, version ${w?.version ?? "?"}), ${sup.inFlight} request(s) in flight.`,
    `${sup.history.length} restart(s) on this connection.`,
    ...sup.history.map(
      (h) =>
        `- ${h.at} ${h.trigger}/${h.reason}: ${h.result} in ${h.duration_ms} ms, ${h.old_pid ?? "-"} → ${h.new_pid ?? "-"} (${h.new_version ?? "?"})`,
    ),
  ];
  return ok(structured, lines.join("\n"));
}

/** A supervisor → worker → store round trip: the worker's health check, timed. */
async function roundTrip(
  sup: Supervisor,
): Promise<{ ms: number; health: Json | null; error: string | null }> {
  await sup.whenSettled(30_000);
  const w = sup.active;
  if (!w || sup.phase !== "ready")
    return { ms: 0, health: null, error: `no worker is serving (phase ${sup.phase})` };
  const t0 = performance.now();
  try {
    const reply = await sup.internalRequest(
      w,
      "tools/call",
      { name: "orchestrator_health_check", arguments: {} },
      10_000,
    );
    const ms = Math.round((performance.now() - t0) * 100) / 100;
    const result = reply.result as
      | { structuredContent?: Json; isError?: boolean; content?: { text?: string }[] }
      | undefined;
    if (!result || result.isError)
      return { ms, health: null, error: result?.content?.[0]?.text ?? JSON.stringify(reply.error) };
    return { ms, health: result.structuredContent ?? null, error: null };
  } catch (e) {
    return {
      ms: Math.round((performance.now() - t0) * 100) / 100,
      health: null,
      error: (e as Error).message,
    };
  }
}

async function shutdownPrepare(sup: Supervisor, args: Json): Promise<ToolResult> {
  const tasks = args.check_active_tasks !== false;
  const database = args.check_database_state !== false;
  const connections = args.check_client_connections !== false;
  const trip = tasks || database ? await roundTrip(sup) : null;
  const claims = tasks
    ? (((trip?.health?.claims as Json | undefined)?.open as number | undefined) ?? null)
    : null;
  const blocking: string[] = [];
  if (connections && sup.inFlight > 0)
    blocking.push(`${sup.inFlight} request(s) in flight (a graceful restart waits for them)`);
  if (sup.phase !== "ready") blocking.push(`the server is ${sup.phase}`);
  if (database && trip?.error) blocking.push(`the worker did not answer a health check: ${trip.error}`);
  const structured = {
    ready_for_shutdown: blocking.length === 0,
    blocking_issues: blocking,
    checks: {
      requests_in_flight: sup.inFlight,
      requests_queued: sup.queued,
      // Every transaction lives inside one request, so none is open when no request is in flight.
      open_transactions: sup.inFlight,
      claimed_tasks: claims,
      database: database ? ((trip?.health?.database as Json | undefined) ?? null) : null,
    },
    notes:
      "Claims and all task state are in the database: a restart keeps them, and agents keep their leases.",
    timestamp: new Date().toISOString(),
  };
  const text = `${blocking.length === 0 ? "Ready: a restart now is safe." : `Not ready: ${blocking.join("; ")}.`}${tasks ? ` Claimed tasks: ${claims ?? "unknown"} (they survive a restart).` : ""}`;
  return ok(structured, text);
}

async function reconnectTest(sup: Supervisor, args: Json): Promise<ToolResult> {
  const trip = await roundTrip(sup);
  const structured: Json = {
    test_completed: true,
    overall_status: trip.error ? "fail" : "pass",
    round_trip_ms: trip.ms,
    worker_pid: sup.active?.pid ?? null,
    store: trip.health ? { healthy: trip.health.healthy, database: trip.health.database } : null,
    error: trip.error,
    timestamp: new Date().toISOString(),
  };
  if (args.include_buffer_status !== false)
    structured.buffer_status = { in_flight: sup.inFlight, queued: sup.queued };
  if (args.include_reconnection_stats !== false)
    structured.reconnection_stats = { restarts: sup.history.length, crashes_recent: sup.recentCrashes };
  const text = trip.error
    ? `Round trip failed after ${trip.ms} ms: ${trip.error}`
    : `Round trip supervisor → worker ${sup.active?.pid} → store in ${trip.ms} ms: pass.`;
  return trip.error ? { ...ok(structured, text), isError: true } : ok(structured, text);
}
