import { sql } from "kysely";
import type { Clock } from "../../core/ports.ts";
import type { Db } from "../database.ts";

const SAMPLES = 5;
const RESAMPLE_MS = 60_000;

/**
 * The database server's clock, read locally: leases written by servers on several machines are
 * compared with one clock, whatever each machine's own says. The offset to the server is measured
 * with `clock_timestamp()` (the true time, not the transaction's start), keeping the sample with
 * the shortest round trip (its midpoint is the best estimate, NTP-style), at open and then every
 * minute in the background. A failed resample keeps the last offset.
 */
export class ServerClock implements Clock {
  #offsetMs = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #db: Db;

  private constructor(db: Db) {
    this.#db = db;
  }

  /** Measures the offset once (throws what the query throws), then keeps it fresh. */
  static async start(db: Db): Promise<ServerClock> {
    const clock = new ServerClock(db);
    await clock.sample();
    clock.#timer = setInterval(() => void clock.sample().catch(() => {}), RESAMPLE_MS);
    // The resampling never keeps a process alive on its own.
    clock.#timer.unref?.();
    return clock;
  }

  /** Milliseconds to add to this machine's time to get the server's. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  now(): string {
    return new Date(Date.now() + this.#offsetMs).toISOString();
  }

  async sample(): Promise<void> {
    const best = await measureClockOffset(this.#db);
    if (best) this.#offsetMs = best.offsetMs;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}

/**
 * One measurement of the server's clock against this machine's: `SAMPLES` reads of
 * `clock_timestamp()`, keeping the one with the shortest round trip (the offset is then known to
 * within half of it). Undefined when the server answered nothing usable; throws what a query throws.
 */
export async function measureClockOffset(db: Db): Promise<{ offsetMs: number; rttMs: number } | undefined> {
  let best: { rtt: number; offset: number } | undefined;
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    const wall0 = Date.now();
    const r = await sql<{ ms: number }>`select extract(epoch from clock_timestamp()) * 1000 as ms`.execute(
      db,
    );
    const rtt = performance.now() - t0;
    const server = Number(r.rows[0]?.ms);
    if (!Number.isFinite(server)) continue;
    const offset = server - (wall0 + rtt / 2);
    if (!best || rtt < best.rtt) best = { rtt, offset };
  }
  return best && { offsetMs: Math.round(best.offset), rttMs: Math.round(best.rtt * 100) / 100 };
}
