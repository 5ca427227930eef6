import type { ServerResponse } from "node:http";
import type { DashboardSource } from "../contract.ts";

/** A heartbeat comment this often keeps proxies and idle timers from closing a quiet stream. */
export const HEARTBEAT_MS = 15_000;
/** Open streams at once; more get 503 (each holds a connection and a slot in the broadcast). */
const MAX_STREAMS = 256;
/** A client this far behind (bytes queued) is dropped rather than buffered without end. */
const MAX_QUEUED_BYTES = 256 * 1024;

/**
 * The `api/events` streams (server-sent events): `retry: 1000`, one `change` at once with the
 * version known (so the page knows it is connected), then one per change the source reports,
 * coalesced to the newest. One `source.watch` subscription for every stream, held only while a
 * stream is open. `closeAll` ends them cleanly: a stopping or retiring server must not wait on
 * streams that never end, and the browser reconnects to whoever serves next.
 */
export interface EventHub {
  /** Answers `res` as a stream; false when the server is at its stream limit (the caller answers 503). */
  open(res: ServerResponse): boolean;
  readonly size: number;
  closeAll(): void;
}

export function createEventHub(source: () => DashboardSource, heartbeatMs = HEARTBEAT_MS): EventHub {
  const streams = new Set<ServerResponse>();
  let version = 0;
  let unwatch: (() => void) | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let flushing = false;
  let closed = false;

  const send = (res: ServerResponse, chunk: string): void => {
    if (res.writableLength > MAX_QUEUED_BYTES) {
      res.destroy();
      return;
    }
    res.write(chunk);
  };
  const broadcast = (chunk: string): void => {
    for (const res of streams) send(res, chunk);
  };
  const changeEvent = (): string => `event: change\ndata: ${JSON.stringify({ version })}\n\n`;
  const onChange = (v: number): void => {
    version = Math.max(version, v);
    if (flushing) return;
    flushing = true;
    // Several callbacks in one turn become one event carrying the newest version.
    setImmediate(() => {
      flushing = false;
      broadcast(changeEvent());
    });
  };
  const stopWatching = (): void => {
    unwatch?.();
    unwatch = undefined;
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = undefined;
  };

  return {
    get size() {
      return streams.size;
    },
    open(res) {
      if (closed || streams.size >= MAX_STREAMS) return false;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        // nginx and similar proxies buffer answers unless told not to.
        "x-accel-buffering": "no",
      });
      streams.add(res);
      res.on("close", () => {
        streams.delete(res);
        if (streams.size === 0) stopWatching();
      });
      if (!unwatch) unwatch = source().watch(onChange);
      if (!heartbeat) {
        heartbeat = setInterval(() => broadcast(": heartbeat\n\n"), heartbeatMs);
        heartbeat.unref();
      }
      // The first event says "connected": only once the feed listens (PostgreSQL's LISTEN takes a
      // round trip or a reconnect), else a change committed in between would never be told.
      const src = source();
      void src.listening().then(() => {
        if (!streams.has(res)) return;
        version = Math.max(version, src.version());
        send(res, `retry: 1000\n\n${changeEvent()}`);
      });
      return true;
    },
    closeAll() {
      closed = true;
      stopWatching();
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
