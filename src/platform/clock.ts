import type { Clock } from "../core/ports.ts";

/**
 * This machine's clock, the one the CLI and `serve` hand to every context. It is one object, so
 * `app/open-context.ts` can tell it from a clock a test injected: it replaces only this one by the
 * store's own clock when the store has one (PostgreSQL's server clock, shared by every machine).
 */
export const systemClock: Clock = { now: () => new Date().toISOString() };
