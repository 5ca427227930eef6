import { errorResult } from "../protocol/error-result.ts";
import {
  REBOOT_INPUTS,
  type RebootToolName,
  type ReconnectTestInput,
  type ReconnectTestOutput,
  type RestartRecord,
  type RestartServerInput,
  type RestartServerOutput,
  type RestartStatusInput,
  type RestartStatusOutput,
  type ShutdownPrepareInput,
  type ShutdownPrepareOutput,
  type SupervisorPhase,
} from "../protocol/reboot-tools.ts";
import type { RestartRequest } from "./restart-history.ts";
import type { SupervisorClock } from "./seams.ts";
import type { Worker, WorkerPool } from "./worker-pool.ts";

/**
 * The reboot tools' answers, given by the supervisor itself (it owns the worker, the requests in
 * flight and the restart history). Inputs and outputs are the contract in
 * protocol/reboot-tools.ts, which the worker lists.
 */

type Json = Record<string, unknown>;
type ToolResult = {
  content: { type: "text"; text: string }[];
  structuredContent?: Json;
  isError?: boolean;
  _meta?: Json;
};

/** What the answers read of the supervisor (it is one; declared here so neither imports the other's class). */
export interface RebootHost {
  readonly opts: { readonly pid: number; readonly clock: SupervisorClock };
  readonly phase: SupervisorPhase;
  readonly active: Worker | null;
  readonly workers: Pick<WorkerPool, "request">;
  readonly history: { readonly all: readonly RestartRecord[]; readonly last: RestartRecord | null };
  readonly startedAt: string;
  readonly inFlight: number;
  readonly queued: number;
  readonly recentCrashes: number;
  readonly failure: string | null;
  restart(request: RestartRequest & { readonly trigger: "tool" }): Promise<RestartRecord>;
  whenSettled(timeoutMs: number): Promise<void>;
}

const ok = (structured: Json, text: string, isError = false): ToolResult => ({
  content: [{ type: "text", text }],
  structuredContent: structured,
  ...(isError ? { isError: true } : {}),
});

/** Handles one reboot tool call. Never throws: failures are error results with a catalogue code. */
export async function answerRebootTool(
  sup: RebootHost,
  name: RebootToolName,
  args: unknown,
): Promise<ToolResult> {
  const parsed = REBOOT_INPUTS[name].safeParse(args ?? {});
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; ");
    return errorResult("INVALID_INPUT", `${name}: ${why}.`);
  }
  try {
    switch (name) {
      case "orchestrator_restart_server":
        return await restartServer(sup, parsed.data as RestartServerInput);
      case "orchestrator_restart_status":
        return restartStatus(sup, parsed.data as RestartStatusInput);
      case "orchestrator_shutdown_prepare":
        return await shutdownPrepare(sup, parsed.data as ShutdownPrepareInput);
      case "orchestrator_reconnect_test":
        return await reconnectTest(sup, parsed.data as ReconnectTestInput);
    }
  } catch (e) {
    return errorResult("INTERNAL", (e as Error).message);
  }
}

async function restartServer(sup: RebootHost, args: RestartServerInput): Promise<ToolResult> {
  const { graceful, timeout, reason } = args;
  const r = await sup.restart({ graceful, timeoutMs: timeout * 1000, reason, trigger: "tool" });
  const structured: RestartServerOutput = {
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
  return ok(structured, text, r.result !== "success");
}

function restartStatus(sup: RebootHost, args: RestartStatusInput): ToolResult {
  const w = sup.active;
  const history = sup.history.all;
  const last = sup.history.last;
  const details = args.include_error_details;
  const hide = (h: RestartRecord): RestartRecord => ({ ...h, message: "" });
  const structured: RestartStatusOutput = {
    current_status: {
      phase: sup.phase,
      worker_pid: w?.pid ?? null,
      worker_generation: w?.gen ?? null,
      worker_version: w?.version ?? null,
      worker_started_at: w?.startedAt ?? null,
      supervisor_pid: sup.opts.pid,
      supervisor_started_at: sup.startedAt,
      in_flight: sup.inFlight,
      queued: sup.queued,
      recent_crashes: sup.recentCrashes,
      failure: details || sup.failure === null ? sup.failure : "(omitted: include_error_details is false)",
    },
    total_restarts: history.length,
    last_restart: last && !details ? hide(last) : last,
  };
  if (args.include_history) structured.history = details ? [...history] : history.map(hide);
  const lines = [
    `Phase ${sup.phase}; worker ${w?.pid ?? "none"} (generation ${w?.gen ?? "-"}, version ${w?.version ?? "?"}), ${sup.inFlight} request(s) in flight.`,
    `${history.length} restart(s) on this connection.`,
    ...history.map(
      (h) =>
        `- ${h.at} ${h.trigger}/${h.reason}: ${h.result} in ${h.duration_ms} ms, ${h.old_pid ?? "-"} → ${h.new_pid ?? "-"} (${h.new_version ?? "?"})`,
    ),
  ];
  return ok(structured, lines.join("\n"));
}

/** A supervisor → worker → store round trip: the worker's health check, timed. */
async function roundTrip(
  sup: RebootHost,
): Promise<{ ms: number; health: Json | null; error: string | null }> {
  await sup.whenSettled(30_000);
  const w = sup.active;
  if (!w || sup.phase !== "ready")
    return { ms: 0, health: null, error: `no worker is serving (phase ${sup.phase})` };
  const { clock } = sup.opts;
  const t0 = clock.monotonic();
  const elapsed = (): number => Math.round((clock.monotonic() - t0) * 100) / 100;
  try {
    const reply = await sup.workers.request(
      w,
      "tools/call",
      { name: "orchestrator_health_check", arguments: {} },
      10_000,
    );
    const ms = elapsed();
    const result = reply.result as
      | { structuredContent?: Json; isError?: boolean; content?: { text?: string }[] }
      | undefined;
    if (!result || result.isError)
      return { ms, health: null, error: result?.content?.[0]?.text ?? JSON.stringify(reply.error) };
    return { ms, health: result.structuredContent ?? null, error: null };
  } catch (e) {
    return { ms: elapsed(), health: null, error: (e as Error).message };
  }
}

async function shutdownPrepare(sup: RebootHost, args: ShutdownPrepareInput): Promise<ToolResult> {
  const tasks = args.check_active_tasks;
  const database = args.check_database_state;
  const trip = tasks || database ? await roundTrip(sup) : null;
  const claims = tasks
    ? (((trip?.health?.claims as Json | undefined)?.open as number | undefined) ?? null)
    : null;
  const blocking: string[] = [];
  if (args.check_client_connections && sup.inFlight > 0)
    blocking.push(`${sup.inFlight} request(s) in flight (a graceful restart waits for them)`);
  if (sup.phase !== "ready") blocking.push(`the server is ${sup.phase}`);
  if (database && trip?.error) blocking.push(`the worker did not answer a health check: ${trip.error}`);
  const structured: ShutdownPrepareOutput = {
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
    timestamp: new Date(sup.opts.clock.now()).toISOString(),
  };
  const text = `${blocking.length === 0 ? "Ready: a restart now is safe." : `Not ready: ${blocking.join("; ")}.`}${tasks ? ` Claimed tasks: ${claims ?? "unknown"} (they survive a restart).` : ""}`;
  return ok(structured, text);
}

async function reconnectTest(sup: RebootHost, args: ReconnectTestInput): Promise<ToolResult> {
  const trip = await roundTrip(sup);
  const structured: ReconnectTestOutput = {
    test_completed: true,
    overall_status: trip.error ? "fail" : "pass",
    round_trip_ms: trip.ms,
    worker_pid: sup.active?.pid ?? null,
    store: trip.health ? { healthy: trip.health.healthy, database: trip.health.database } : null,
    error: trip.error,
    timestamp: new Date(sup.opts.clock.now()).toISOString(),
  };
  if (args.include_buffer_status) structured.buffer_status = { in_flight: sup.inFlight, queued: sup.queued };
  if (args.include_reconnection_stats)
    structured.reconnection_stats = { restarts: sup.history.all.length, crashes_recent: sup.recentCrashes };
  const text = trip.error
    ? `Round trip failed after ${trip.ms} ms: ${trip.error}`
    : `Round trip supervisor → worker ${sup.active?.pid} → store in ${trip.ms} ms: pass.`;
  return ok(structured, text, trip.error !== null);
}
