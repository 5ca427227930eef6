import { bindRepositories } from "./bound-repositories.ts";
import type { Db } from "./database.ts";
import { checkIntegrity, fileSize, journalMode } from "./health.ts";
import type { StorePort } from "./port.ts";
import { groupedWriter, readTx } from "./transactions.ts";

/** The SQLite adapter of the store port, over an open Kysely handle. */
export function sqliteStore(
  db: Db,
  info: {
    readonly path: string;
    readonly migrations: readonly string[];
    readonly placeholder?: boolean | undefined;
    readonly close: () => Promise<void>;
    /** Runs after each COMMIT of a write (the checkpoint thread's count). */
    readonly afterCommit?: (() => void) | undefined;
    /** Group commits in halves (transactions.ts groupSize): a server with one client. */
    readonly commitInHalves?: boolean | undefined;
  },
): StorePort & { readonly db: Db } {
  const write = groupedWriter(db, info.afterCommit, info.commitInHalves === true);
  return {
    db,
    path: info.path,
    dialect: "sqlite",
    migrations: info.migrations,
    placeholder: info.placeholder,
    direct: bindRepositories(db),
    read: (fn) => readTx(db, (conn) => fn(bindRepositories(conn))),
    write: (fn) => write((trx) => fn(bindRepositories(trx))),
    checkIntegrity: (deep) => checkIntegrity(db, deep),
    journalMode: () => journalMode(db),
    diskUsage: () => ({ databaseBytes: fileSize(info.path), walBytes: fileSize(`${info.path}-wal`) }),
    close: info.close,
  };
}
