import { sql } from "kysely";
import { OrchestratorError } from "../../core/errors.ts";
import type { Clock } from "../../core/ports.ts";
import { bindRepositories } from "../bound-repositories.ts";
import type { Db } from "../database.ts";
import type { PgServerInfo, StorePort, StoreWriter } from "../port.ts";
import { isRetryableConflict, pgCallErrorOf } from "./errors.ts";
import { pgIntegrity } from "./health.ts";
import { notifyChanges, recordingWrites } from "./notify.ts";
import type { PgOptions } from "./url.ts";

/** Attempts of one write before STORE_CONFLICT (the first run plus 7 re-runs). */
export const WRITE_ATTEMPTS = 8;

/**
 * The PostgreSQL adapter of the store port. `read` is one REPEATABLE READ READ ONLY transaction
 * (one snapshot, no locks). `write` is SERIALIZABLE, so claims, ready tasks, counters and
 * transitions read-then-written by use-cases stay atomic across processes and machines without
 * row locks in the use-cases: PostgreSQL aborts one of two conflicting writers (40001, or 40P01 on
 * a deadlock), and that writer's callback runs again on a fresh snapshot, up to WRITE_ATTEMPTS
 * times with a jittered backoff. A write callback must therefore touch nothing outside the store.
 *
 * Every write transaction first takes `plans` in SHARE ROW EXCLUSIVE mode, which only write
 * transactions take (reads are not blocked): writers queue as SQLite's BEGIN IMMEDIATE makes them
 * queue, instead of colliding. Measured without it, six servers claiming from one plan ran out of
 * eight attempts. LOCK TABLE does not fix the transaction's snapshot (its first SELECT does), so
 * each writer reads what the one before it committed. Conflicts with single `direct` statements
 * still end in 40001 and a re-run.
 */
export function postgresStore(
  db: Db,
  info: {
    readonly options: PgOptions;
    readonly migrations: readonly string[];
    readonly clock: Clock;
    readonly poolStats: () => PgServerInfo["pool"];
    readonly close: () => Promise<void>;
  },
): StorePort & { readonly db: Db } {
  const opts = info.options;
  const mapped = (e: unknown) => pgCallErrorOf(e, opts, opts.statementTimeoutMs);
  // Read once: a server's version does not change under a running connection pool.
  let version: Promise<string> | undefined;
  const serverVersion = (): Promise<string> => {
    version ??= sql<{ v: string }>`select current_setting('server_version') as v`
      .execute(db)
      .then((r) => r.rows[0]?.v ?? "unknown")
      .catch((e) => {
        version = undefined;
        throw mapped(e);
      });
    return version;
  };
  return {
    db,
    path: opts.redacted,
    dialect: "postgres",
    serverInfo: async () => ({ serverVersion: await serverVersion(), pool: info.poolStats() }),
    migrations: info.migrations,
    clock: info.clock,
    direct: mapErrors(bindRepositories(db), mapped, opts.poolMax),
    read: (fn) =>
      readAgain(opts.poolMax, () =>
        db
          .transaction()
          .setIsolationLevel("repeatable read")
          .setAccessMode("read only")
          .execute((trx) => fn(bindRepositories(trx)))
          .catch((e) => {
            throw mapped(e);
          }),
      ),
    write: async (fn) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await db
            .transaction()
            .setIsolationLevel("serializable")
            .execute(async (trx) => {
              await sql`lock table plans in share row exclusive mode`.execute(trx);
              const touched = new Set<string>();
              const result = await fn(recordingWrites(bindRepositories(trx), touched));
              await notifyChanges(trx, touched);
              return result;
            });
        } catch (e) {
          if (!isRetryableConflict(e)) throw mapped(e);
          if (attempt >= WRITE_ATTEMPTS) {
            throw new OrchestratorError(
              "STORE_CONFLICT",
              `The write kept colliding with concurrent writes on ${opts.redacted} and was rolled back after ${attempt} attempts; nothing of it was stored. Call again.`,
              { cause: e, data: { attempts: attempt, retryable: true } },
            );
          }
          await new Promise((r) => setTimeout(r, backoffMs(attempt)));
        }
      }
    },
    checkIntegrity: () => pgIntegrity(db).catch((e) => Promise.reject(mapped(e))),
    journalMode: async () => "postgres",
    diskUsage: () => ({ databaseBytes: 0, walBytes: 0 }),
    close: info.close,
  };
}

/** 2, 4, 8 ... ms up to 200, times a random factor in [0.5, 1.5): colliding writers spread out. */
function backoffMs(attempt: number): number {
  return Math.min(200, 2 ** attempt) * (0.5 + Math.random());
}

/** The port's methods that only read: safe to run again. */
const READS = /^(find|count|search|sum|planExists)/;

/**
 * Every method of `w` with its failures mapped (a lost connection named, not a raw socket error);
 * reads run again on a lost connection (see readAgain).
 */
function mapErrors(w: StoreWriter, mapped: (e: unknown) => unknown, poolMax: number): StoreWriter {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(w)) {
    const call = (...args: unknown[]) =>
      (fn as (...a: unknown[]) => Promise<unknown>)(...args).catch((e: unknown) => {
        throw mapped(e);
      });
    out[name] = READS.test(name) ? (...args: unknown[]) => readAgain(poolMax, () => call(...args)) : call;
  }
  return out as unknown as StoreWriter;
}

/**
 * Runs a read again when its connection turns out to be lost. After a server restart every idle
 * pooled connection is dead until used; each failed use discards one, so up to `poolMax` + 1
 * tries reach a fresh connection (or fail fast against a server that is still down). Writes are
 * not run again here: whether a lost COMMIT landed is unknown, so they report
 * STORE_CONNECTION_LOST and the caller decides (request_id makes a retry safe).
 */
async function readAgain<T>(poolMax: number, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (e) {
      const lost = e instanceof OrchestratorError && e.code === "STORE_CONNECTION_LOST";
      if (!lost || attempt > poolMax) throw e;
    }
  }
}
