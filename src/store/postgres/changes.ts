import type { ChangeFeed } from "../port.ts";
import { CHANGES_CHANNEL } from "./notify.ts";
import { tlsOptions } from "./pool.ts";
import { parsePostgresUrl } from "./url.ts";

/** Reconnect backoff after a lost LISTEN connection: 250 ms doubling to 5 s. */
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5000;
/**
 * A connection cut without a reset (a dropped route, a suspended VM) shows no error until TCP
 * keepalive gives up, hours later by default: a `select 1` this often, answered within the
 * timeout, proves the LISTEN connection is alive, and a missing answer counts as a loss.
 */
const PROBE_EVERY_MS = 30_000;
const PROBE_TIMEOUT_MS = 10_000;

type PgClient = import("pg").Client;

/**
 * PostgreSQL: LISTEN on a dedicated client (not from the store's pool: a pooled connection would
 * be handed to queries and lose the LISTEN). Writers notify inside their transaction, so a signal
 * arrives only after a commit. A lost connection (server restart, network cut, idle kill) is
 * reconnected with backoff, and one change is signalled after each reconnect, since
 * notifications sent while it was down are lost.
 */
export function postgresChangeFeed(
  url: string,
  timing: { readonly probeEveryMs?: number; readonly probeTimeoutMs?: number } = {},
): ChangeFeed {
  const opts = parsePostgresUrl(url);
  const probeEvery = timing.probeEveryMs ?? PROBE_EVERY_MS;
  const probeTimeout = timing.probeTimeoutMs ?? PROBE_TIMEOUT_MS;
  let client: PgClient | undefined;
  let stopped = false;
  let started = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delay = RECONNECT_MIN_MS;
  /** The liveness probe of the one connection in use. */
  let probe: ReturnType<typeof setInterval> | undefined;

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
      keepAliveInitialDelayMillis: 10_000,
    });
    let lost = false;
    const onLost = (): void => {
      if (lost) return;
      lost = true;
      if (client === c) {
        client = undefined;
        if (probe) clearInterval(probe);
      }
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
    probe = setInterval(() => {
      const late = setTimeout(onLost, probeTimeout);
      late.unref?.();
      c.query("select 1").then(
        () => clearTimeout(late),
        () => {
          clearTimeout(late);
          onLost();
        },
      );
    }, probeEvery);
    probe.unref?.();
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
    async start(onChange) {
      if (started) return;
      started = true;
      await connect(onChange, false);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (probe) clearInterval(probe);
      timer = undefined;
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
