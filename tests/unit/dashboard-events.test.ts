import { afterEach, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DashboardSource } from "../../src/dashboard/contract.ts";
import { createEventHub, type EventHub } from "../../src/dashboard/http/events.ts";
import { readEvents } from "../helpers/dashboard.ts";

/*
 * The api/events hub over a real node:http server and fetch: one watch for every stream, held only
 * while a stream is open, bursts coalesced to the newest version, heartbeats, a clean end.
 */

/** A source whose only live part is watch(): the test fires changes by hand. */
function watchable() {
  const listeners = new Set<(v: number) => void>();
  let subscriptions = 0;
  let emptied: () => void = () => {};
  const empty = new Promise<void>((r) => {
    emptied = r;
  });
  const source = {
    version: () => 0,
    listening: () => Promise.resolve(),
    watch(onChange: (v: number) => void) {
      subscriptions++;
      listeners.add(onChange);
      return () => {
        listeners.delete(onChange);
        if (listeners.size === 0) emptied();
      };
    },
  } as unknown as DashboardSource;
  return {
    source,
    fire: (v: number) => {
      for (const l of listeners) l(v);
    },
    /** Resolves once the last subscriber left. */
    empty,
    get listening() {
      return listeners.size;
    },
    get subscriptions() {
      return subscriptions;
    },
  };
}

let server: Server | undefined;
let hub: EventHub | undefined;
afterEach(async () => {
  hub?.closeAll();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function serve(h: EventHub): Promise<string> {
  server = createServer((_req, res) => {
    if (!h.open(res)) res.writeHead(503).end();
  });
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe("dashboard event hub", () => {
  test("one watch for all streams; a burst is one event with the newest version; unwatched when the last leaves", async () => {
    const w = watchable();
    hub = createEventHub(() => w.source);
    const url = await serve(hub);
    const a = readEvents(await fetch(url));
    const b = readEvents(await fetch(url));
    expect(JSON.parse((await a.next()).data)).toEqual({ version: 0 });
    expect(JSON.parse((await b.next()).data)).toEqual({ version: 0 });
    expect(a.preamble).toContain("retry: 1000");
    expect(w.subscriptions).toBe(1);
    w.fire(3);
    w.fire(5);
    w.fire(4);
    expect(JSON.parse((await a.next()).data)).toEqual({ version: 5 });
    expect(JSON.parse((await b.next()).data)).toEqual({ version: 5 });
    w.fire(6);
    expect(JSON.parse((await a.next()).data)).toEqual({ version: 6 });
    await a.cancel();
    await b.cancel();
    await w.empty;
    expect(w.listening).toBe(0);
  });

  test("heartbeat comments keep a quiet stream alive; closeAll ends every stream and refuses new ones", async () => {
    const w = watchable();
    hub = createEventHub(() => w.source, 50);
    const url = await serve(hub);
    const s = readEvents(await fetch(url));
    await s.next();
    for (let i = 0; i < 100 && !s.preamble.includes(": heartbeat"); i++) {
      await s.next(60).catch(() => {});
    }
    expect(s.preamble).toContain(": heartbeat");
    hub.closeAll();
    await s.end(2_000);
    expect(s.ended).toBe(true);
    expect(hub.size).toBe(0);
    expect(w.listening).toBe(0);
    expect((await fetch(url)).status).toBe(503);
  });
});
