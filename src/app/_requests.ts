import { OrchestratorError } from "../core/errors.ts";
import { addMs } from "../core/ports.ts";
import type { StoreReader, StoreWriter } from "../store/port.ts";
import type { AppContext } from "./context.ts";

/**
 * A write call's idempotency key: the tool, the caller's request_id, and a hash of the call's
 * other arguments (so the same id with different arguments is caught, not answered wrongly).
 */
export interface RequestKey {
  readonly tool: string;
  readonly id: string;
  readonly fingerprint: string;
}

/** How long a request_id is remembered: long enough for any client retry, short enough to stay small. */
export const REQUEST_RETENTION_MS = 24 * 3_600_000;

/**
 * The result stored by an earlier call with this key (younger than the retention), or undefined.
 * Throws REQUEST_ID_REUSED when that call had other arguments.
 */
export async function priorResult<T>(
  db: StoreReader,
  workspace: string,
  key: RequestKey | undefined,
  now: string,
): Promise<T | undefined> {
  if (!key) return undefined;
  const row = await db.findRequestResult(workspace, key.tool, key.id);
  if (!row || row.createdAt < addMs(now, -REQUEST_RETENTION_MS)) return undefined;
  if (row.fingerprint !== key.fingerprint) {
    throw new OrchestratorError(
      "REQUEST_ID_REUSED",
      `request_id '${key.id}' was already used for a different ${key.tool} call at ${row.createdAt}. Use a new request_id for a new request; repeat one only to retry the very same call.`,
      { data: { request_id: key.id, tool: key.tool, first_used_at: row.createdAt } },
    );
  }
  return JSON.parse(row.result) as T;
}

/**
 * Stores a call's result under its key, in the caller's write transaction, so the result is
 * remembered exactly when the write commits. Forgets expired keys on the way.
 */
export async function rememberResult(
  trx: StoreWriter,
  workspace: string,
  key: RequestKey | undefined,
  result: unknown,
  now: string,
): Promise<void> {
  if (!key) return;
  await trx.pruneRequestResults(addMs(now, -REQUEST_RETENTION_MS));
  await trx.insertRequestResult(workspace, {
    tool: key.tool,
    requestId: key.id,
    fingerprint: key.fingerprint,
    result: JSON.stringify(result),
    createdAt: now,
  });
}

/**
 * Runs a write transaction once per request key: the first call's result is stored with its
 * write; a retry (also one racing the first, under the write lock) gets it back, marked replayed.
 */
export async function writeOnce<T extends object>(
  ctx: AppContext,
  key: RequestKey | undefined,
  fn: (trx: StoreWriter, now: string) => Promise<T>,
): Promise<T & { readonly replayed: boolean }> {
  const ws = ctx.project;
  const earlier = await priorResult<T>(ctx.store.direct, ws, key, ctx.clock.now());
  if (earlier) return { ...earlier, replayed: true };
  return ctx.store.write(async (trx) => {
    const now = ctx.clock.now();
    const raced = await priorResult<T>(trx, ws, key, now);
    if (raced) return { ...raced, replayed: true };
    const result = await fn(trx, now);
    await rememberResult(trx, ws, key, result, now);
    return { ...result, replayed: false };
  });
}
