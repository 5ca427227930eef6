import { existsSync } from "node:fs";
import { openSqliteReadOnly } from "./driver.ts";
import type { ChangeFeed } from "./port.ts";
import { isPostgresUrl } from "./postgres/url.ts";

/** Poll period of SQLite's data_version: well inside the dashboard's one second, a trivial read each. */
export const SQLITE_POLL_MS = 200;

/** The feed for a store: PostgreSQL LISTEN for a URL, else data_version polling of the SQLite file. */
export function openChangeFeed(target: string, opts: { readonly periodMs?: number } = {}): ChangeFeed {
  if (!isPostgresUrl(target)) return sqliteChangeFeed(target, opts.periodMs ?? SQLITE_POLL_MS);
  let feed: ChangeFeed | undefined;
  let stopped = false;
  // pg and the PostgreSQL adapter load only for a URL, as the store itself does (store/cache.ts).
  return {
    start(onChange) {
      void import("./postgres/changes.ts").then((m) => {
        if (stopped) return;
        feed = m.postgresChangeFeed(target);
        feed.start(onChange);
      });
    },
    async stop() {
      stopped = true;
      await feed?.stop();
    },
  };
}

/**
 * SQLite: `PRAGMA data_version` on a dedicated read-only connection changes whenever another
 * connection (the store's own included, and every other process) commits, and costs no I/O
 * beyond the -shm it already maps. A file that does not exist yet (a workspace nothing wrote to)
 * is looked for on each tick and signals once it appears; a connection that fails is reopened.
 */
export function sqliteChangeFeed(path: string, periodMs: number): ChangeFeed {
  let db: { all(sql: string): unknown[]; close(): void } | undefined;
  let opening = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  let last: number | undefined;
  let stopped = false;

  const close = (): void => {
    try {
      db?.close();
    } catch {
      // already closed
    }
    db = undefined;
  };
  const version = (): number | undefined => {
    const row = db?.all("pragma data_version")[0] as { data_version?: unknown } | undefined;
    return row && typeof row.data_version === "number" ? row.data_version : undefined;
  };
  const tick = (onChange: () => void): void => {
    if (opening || stopped) return;
    if (!db) {
      if (!existsSync(path)) return;
      opening = true;
      openSqliteReadOnly(path).then(
        (opened) => {
          opening = false;
          if (stopped) return opened.close();
          db = opened;
          // A (re)opened connection cannot tell what it missed: say so once.
          const first = last === undefined;
          last = safeVersion();
          if (!first) onChange();
        },
        () => {
          opening = false;
        },
      );
      return;
    }
    const v = safeVersion();
    if (v === undefined) {
      close();
      return;
    }
    if (last !== undefined && v !== last) onChange();
    last = v;
  };
  const safeVersion = (): number | undefined => {
    try {
      return version();
    } catch {
      return undefined;
    }
  };
  return {
    start(onChange) {
      if (timer || stopped) return;
      // A file created after the dashboard started is a change (a first plan): `last` stays -1.
      if (!existsSync(path)) last = -1;
      tick(onChange);
      timer = setInterval(() => tick(onChange), periodMs);
      timer.unref?.();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      close();
    },
  };
}
