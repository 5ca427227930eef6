import { Kysely, PostgresDialect } from "kysely";
import type { Database, Db } from "../database.ts";
import type { PgServerInfo } from "../port.ts";
import type { PgOptions } from "./url.ts";

type PgClient = import("pg").Client;

/** int8 (counts, sums of integers, events.seq) and numeric (sum of bigint) as JS numbers, not strings. */
const INT8 = 20;
const NUMERIC = 1700;

/**
 * A Kysely handle over a bounded pg pool configured from the URL's options (`max` overrides
 * pool_max, e.g. 1 for doctor). pg is imported here, on first use, so SQLite users never load it.
 */
export async function openPool(
  opts: PgOptions,
  max = opts.poolMax,
): Promise<{ db: Db; stats: () => PgServerInfo["pool"] }> {
  const { default: pg } = await import("pg");
  /**
   * pg leaves the socket of a connection that failed during login open (a SCRAM login with no
   * password anywhere fails on our side, and the server then waits up to its
   * authentication_timeout, a minute), which kept a CLI command from exiting. Close it.
   */
  class ClosingClient extends pg.Client {
    override connect(): Promise<PgClient>;
    override connect(callback: (err: Error) => void): void;
    override connect(callback?: (err: Error) => void): Promise<PgClient> | undefined {
      const close = (err: Error | undefined | null): void => {
        if (err)
          (
            this as unknown as { connection?: { stream?: { destroy(): void } } }
          ).connection?.stream?.destroy();
      };
      if (!callback)
        return super.connect().catch((e: Error) => {
          close(e);
          throw e;
        });
      super.connect((err: Error) => {
        close(err);
        callback(err);
      });
      return undefined;
    }
  }
  const pool = new pg.Pool({
    Client: ClosingClient,
    host: opts.host,
    port: opts.port,
    database: opts.database,
    user: opts.user,
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    ssl: opts.ssl === false ? false : tlsOptions(opts.ssl),
    max,
    connectionTimeoutMillis: opts.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: opts.statementTimeoutMs,
    application_name: opts.applicationName,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8 || oid === NUMERIC
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client whose server went away (restart, network cut) emits 'error'; unheard, that
  // would end the process. The pool drops that client and opens a new one on the next call.
  pool.on("error", () => {});
  // A client checked out by Kysely has no pool listener: the failing query rejects on its own,
  // and this keeps the same 'error' event from ending the process.
  pool.on("connect", (client) => client.on("error", () => {}));
  return {
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    stats: () => ({ size: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }),
  };
}

/** node's TLS options for a mode: verify-ca checks the chain but not the host name. */
export function tlsOptions(ssl: { readonly rejectUnauthorized: boolean; readonly checkHost: boolean }): {
  rejectUnauthorized: boolean;
  checkServerIdentity?: () => undefined;
} {
  return ssl.checkHost
    ? { rejectUnauthorized: ssl.rejectUnauthorized }
    : { rejectUnauthorized: ssl.rejectUnauthorized, checkServerIdentity: () => undefined };
}
