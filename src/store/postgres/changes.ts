import type { ChangeFeed } from "../port.ts";
import { CHANGES_CHANNEL } from "./notify.ts";
import { tlsOptions } from "./pool.ts";
import { parsePostgresUrl } from "./url.ts";

/** Reconnect backoff after a lost LISTEN connection: 250 ms doubling to 5 s. */
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5000;

type PgClient = import("pg").Client;

/**
 * PostgreSQL: LISTEN on a dedicated client (not from the store's pool: a pooled connection would
 * be handed to queries and lose the LISTEN). Writers notify inside their transaction, so a signal
 * arrives only after a commit. A lost connection (server restart, network cut, idle kill) is
 * reconnected with backoff, and one change is signalled after each reconnect, since
 * notifications sent while it was down are lost.
 */
export function postgresChangeFeed(url: string): ChangeFeed {
  const opts = parsePostgresUrl(url);
  let client: PgClient | undefined;
  let stopped = false;
  let started = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delay = RECONNECT_MIN_MS;

  const connect = async (onChange: () => void, reconnect: boolean): Promise<void> => {
    const { default: pg } = await import("pg");
    if (stopped) return;
    const c = new pg.Client({
      host: opts.host,
      port: opts.port,
      database: opts.database,
      user: opts.user,
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      ssl: opts.ssl === false ? false : tlsOptions(opts.ssl),
      connectionTimeoutMillis: opts.connectTimeoutMs,
      application_name: `${opts.applicationName} (dashboard changes)`,
      keepAlive: true,
    });
    let lost = false;
    const onLost = (): void => {
      if (lost) return;
      lost = true;
      if (client === c) client = undefined;
      c.end().catch(() => {});
      schedule(onChange);
    };
    c.on("error", onLost);
    c.on("end", onLost);
    c.on("notification", (n) => {
      if (n.channel === CHANGES_CHANNEL) onChange();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch {
      onLost();
      return;
    }
    if (stopped) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    delay = RECONNECT_MIN_MS;
    if (reconnect) onChange();
  };
  const schedule = (onChange: () => void): void => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect(onChange, true);
    }, delay);
    timer.unref?.();
    delay = Math.min(RECONNECT_MAX_MS, delay * 2);
  };
  return {
    start(onChange) {
      if (started) return;
      started = true;
      void connect(onChange, false);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
