import { z } from "zod";
import {
  CONNECTION_ID_VAR,
  isSupervisedWorker,
  RESTORE_SESSION_METHOD,
  SUPERVISOR_INFO_VAR,
  type SupervisorInfo,
  workerEnv,
} from "./worker-env.ts";

/**
 * Everything the supervisor tells its worker beyond the client's own messages (docs/reboot.md):
 * three environment variables at spawn (written by worker-env.ts, read back and checked here),
 * and one JSON-RPC method the worker answers (orchestrator/restore_session). No SDK import.
 */

export { RESTORE_SESSION_METHOD, type SupervisorInfo, workerEnv };

/**
 * The note's schema: a worker trusts nothing it reads from its environment unchecked. The health
 * check reports the same object, so its output schema is this one.
 */
export const SupervisorInfoSchema = z.object({
  supervisor_pid: z.number(),
  worker_generation: z.number().describe("1 for the first worker of this connection, +1 per restart"),
  restarts: z.number(),
  crash_restarts: z.number(),
  last_restart: z.string().nullable(),
}) satisfies z.ZodType<SupervisorInfo>;

const CONNECTION_ID = /^[0-9a-f]{6,32}$/;

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
  if (!isSupervisedWorker(vars)) return { supervised: false, connectionId: undefined, info: undefined };
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
    const parsed = SupervisorInfoSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const RestoreSessionParams = z.object({ workspace: z.string().min(1) });
export type RestoreSessionParams = z.infer<typeof RestoreSessionParams>;
