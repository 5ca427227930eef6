import { z } from "zod";

/**
 * Everything the supervisor tells its worker beyond the client's own messages (docs/reboot.md),
 * written and read only here: three environment variables at spawn, and one JSON-RPC method the
 * worker answers (orchestrator/restore_session). No SDK import.
 */

/** Set to "1" in a worker's environment: it runs under a supervisor, which owns stdio. */
const SUPERVISED_VAR = "ORCHESTRATOR_SUPERVISED";
/** The client connection's id, the same for every worker, so default agent ids survive restarts. */
const CONNECTION_ID_VAR = "ORCHESTRATOR_CONNECTION_ID";
/** The restart figures the worker's health check reports (JSON of `SupervisorInfo`). */
const SUPERVISOR_INFO_VAR = "ORCHESTRATOR_SUPERVISOR_INFO";

/** What the supervisor tells each worker about this connection's restarts. */
export const SupervisorInfo = z.object({
  supervisor_pid: z.number(),
  worker_generation: z.number(),
  restarts: z.number(),
  crash_restarts: z.number(),
  last_restart: z.string().nullable(),
});
export type SupervisorInfo = z.infer<typeof SupervisorInfo>;

const CONNECTION_ID = /^[0-9a-f]{6,32}$/;

/** The environment a worker starts with: the supervisor's own, plus the channel variables. */
export function workerEnv(
  base: Readonly<Record<string, string | undefined>>,
  note: { readonly connectionId: string; readonly info: SupervisorInfo },
): Record<string, string | undefined> {
  return {
    ...base,
    [SUPERVISED_VAR]: "1",
    [CONNECTION_ID_VAR]: note.connectionId,
    [SUPERVISOR_INFO_VAR]: JSON.stringify(note.info),
  };
}

/** What a worker learns from its environment; unsupervised when the flag is absent. */
export interface WorkerNote {
  readonly supervised: boolean;
  /** A malformed id is ignored (the worker draws a fresh one). */
  readonly connectionId: string | undefined;
  /** A missing or mangled note only loses the health check's restart figures. */
  readonly info: SupervisorInfo | undefined;
}

/** Reads the channel variables `workerEnv` wrote. */
export function readWorkerNote(vars: Readonly<Record<string, string | undefined>>): WorkerNote {
  if (vars[SUPERVISED_VAR] !== "1") return { supervised: false, connectionId: undefined, info: undefined };
  const id = vars[CONNECTION_ID_VAR];
  return {
    supervised: true,
    connectionId: id && CONNECTION_ID.test(id) ? id : undefined,
    info: parseInfo(vars[SUPERVISOR_INFO_VAR]),
  };
}

function parseInfo(raw: string | undefined): SupervisorInfo | undefined {
  if (!raw) return undefined;
  try {
    const parsed = SupervisorInfo.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Supervisor → worker request: the workspace orchestrator_initialize_session bound on this
 * connection, replayed into each new worker (src/server/supervisor-hooks.ts answers it).
 * Clients cannot send it: the supervisor refuses it from them.
 */
export const RESTORE_SESSION_METHOD = "orchestrator/restore_session";

export const RestoreSessionParams = z.object({ workspace: z.string().min(1) });
export type RestoreSessionParams = z.infer<typeof RestoreSessionParams>;
