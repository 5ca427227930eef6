import { sql } from "kysely";
import type { Executor } from "../database.ts";
import type { StoreWriter } from "../port.ts";

/** The channel every write transaction notifies at commit; store/postgres/changes.ts listens. */
export const CHANGES_CHANNEL = "orchestrator_changes";

/**
 * The writes the dashboard shows, each taking the project key first. Request results, tokens and
 * checkouts are left out: no view reads them.
 */
const PROJECT_WRITES: ReadonlySet<string> = new Set([
  "insertPlan",
  "updatePlan",
  "shiftPlanCounts",
  "deletePlan",
  "insertTasks",
  "updateTask",
  "deleteTask",
  "renewClaims",
  "replaceDependencies",
  "deleteDependenciesOn",
  "deleteDependency",
  "insertArtifact",
  "appendEvents",
  "removeRows",
  "rekeyRows",
]);

/** pg_notify payloads must stay under 8000 bytes; a project key is far shorter, a crafted one is cut. */
const PAYLOAD_MAX = 1000;

/** `w`, recording in `touched` the project of each write the dashboard shows. */
export function recordingWrites(w: StoreWriter, touched: Set<string>): StoreWriter {
  const out: Record<string, unknown> = { ...w };
  for (const name of PROJECT_WRITES) {
    const fn = (w as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!;
    out[name] = (...args: unknown[]) => {
      touched.add(typeof args[0] === "string" ? args[0].slice(0, PAYLOAD_MAX) : "");
      return fn(...args);
    };
  }
  return out as unknown as StoreWriter;
}

/**
 * NOTIFY the dashboard's channel once per touched project, inside the write transaction: PostgreSQL
 * delivers it at commit and drops it on rollback, so a listener hears only committed changes. A
 * write that touched nothing the dashboard shows notifies nothing. Measured (a lock + update +
 * insert transaction, 300 each interleaved, shared 2-core machine): +0.2 to +0.3 ms p50 per write
 * (one more round trip), p90 within the noise, with or without a listener connected.
 */
export async function notifyChanges(trx: Executor, touched: ReadonlySet<string>): Promise<void> {
  for (const project of touched) await sql`select pg_notify(${CHANGES_CHANNEL}, ${project})`.execute(trx);
}
