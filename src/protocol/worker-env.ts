/**
 * The zod-free half of the supervisor → worker channel (worker-channel.ts reads it back): what the
 * supervisor writes into each worker's environment, and the one method it calls. The supervisor
 * imports only this, so it builds no schema before answering `initialize`.
 */

import { LISTED_TOOLS_VAR } from "./tool-snapshot.ts";

/** Set to "1" in a worker's environment: it runs under a supervisor, which owns stdio. */
export const SUPERVISED_VAR = "ORCHESTRATOR_SUPERVISED";
/** The client connection's id, the same for every worker, so default agent ids survive restarts. */
export const CONNECTION_ID_VAR = "ORCHESTRATOR_CONNECTION_ID";
/** The restart figures the worker's health check reports (JSON of `SupervisorInfo`). */
export const SUPERVISOR_INFO_VAR = "ORCHESTRATOR_SUPERVISOR_INFO";

/** Whether this process is a worker its supervisor started (cheap: read before anything loads). */
export function isSupervisedWorker(vars: Readonly<Record<string, string | undefined>>): boolean {
  return vars[SUPERVISED_VAR] === "1";
}

/** What the supervisor tells each worker about this connection's restarts. */
export interface SupervisorInfo {
  readonly supervisor_pid: number;
  readonly worker_generation: number;
  readonly restarts: number;
  readonly crash_restarts: number;
  readonly last_restart: string | null;
}

/**
 * JavaScriptCore's top JIT tier (FTL) off in workers, unless the user set it. A worker's hot
 * code is short request handlers around SQLite and I/O: FTL compiles them again on background
 * threads for most of a session's first minutes and never earns that back. Measured with
 * `bench/tput.ts` (8 in flight over stdio, interleaved A/B): worker CPU per state change −15 to
 * −19 %, state changes/s +6 to +23 %, in rounds of 2,000 and of 8,000 calls (docs/performance.md).
 * The lower tiers (baseline, DFG) still compile hot code. Bun reads `BUN_JSC_*` at start only,
 * so it is set in the environment the worker starts with; a supervisor or CLI process keeps FTL.
 */
export const WORKER_JIT_VAR = "BUN_JSC_useFTLJIT";

/**
 * How long Bun's allocator (mimalloc) keeps memory it no longer uses before giving it back to the
 * system, in workers, unless the user set it. mimalloc's default is 10 ms: under a stream of
 * calls a worker gave pages back and faulted them in again all the time (3.3–4.1 page faults per
 * state change, its purge thread a tenth of the worker's CPU). With 1 s: 2.1–2.5 faults, the
 * purge thread's CPU −75 %, worker CPU per state change −15 % (0.406 → 0.345 ms, median of 6
 * interleaved `bench/tput.ts` rounds), and the same idle memory 10 s after a burst (51 against
 * 53 MiB).
 * Never giving memory back (-1) saved more but kept a burst's peak for good (96 MiB idle):
 * docs/performance.md, "Issue 16's eleventh round". Read at start only, so set in the environment
 * the worker starts with; the supervisor, started by the client, keeps the default.
 */
export const WORKER_PURGE_VAR = "MIMALLOC_PURGE_DELAY";
const WORKER_PURGE_DELAY_MS = "1000";

/**
 * `base` with the workers' runtime choices (WORKER_JIT_VAR, WORKER_PURGE_VAR) where it says none:
 * for the stdio supervisor's workers and `serve --http`'s (supervisor/http-workers.ts) alike.
 */
export function withWorkerRuntime(
  base: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const env = { ...base };
  if (env[WORKER_JIT_VAR] === undefined) env[WORKER_JIT_VAR] = "0";
  if (env[WORKER_PURGE_VAR] === undefined) env[WORKER_PURGE_VAR] = WORKER_PURGE_DELAY_MS;
  return env;
}

/** The environment a worker starts with: the supervisor's own, plus the channel variables. */
export function workerEnv(
  base: Readonly<Record<string, string | undefined>>,
  note: {
    readonly connectionId: string;
    readonly info: SupervisorInfo;
    /** The digest of the tools/list the supervisor answers from its built-in list, if it has one. */
    readonly listedTools?: string | undefined;
  },
): Record<string, string | undefined> {
  const { [LISTED_TOOLS_VAR]: _inherited, ...rest } = base;
  return {
    ...withWorkerRuntime(rest),
    [SUPERVISED_VAR]: "1",
    [CONNECTION_ID_VAR]: note.connectionId,
    [SUPERVISOR_INFO_VAR]: JSON.stringify(note.info),
    ...(note.listedTools ? { [LISTED_TOOLS_VAR]: note.listedTools } : {}),
  };
}

/**
 * Supervisor → worker request: the workspace orchestrator_initialize_session bound on this
 * connection, replayed into each new worker (src/server/supervisor-hooks.ts answers it).
 * Clients cannot send it: the supervisor refuses it from them.
 */
export const RESTORE_SESSION_METHOD = "orchestrator/restore_session";
