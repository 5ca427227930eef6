import { type AddressInfo, connect, createServer, type Socket } from "node:net";

/**
 * A TCP relay to a PostgreSQL server (or any TCP service named by `url`'s host and port), for
 * faults the tests need on a real connection:
 * - `freeze()`: the connections it holds silently stop passing bytes for good (a dead route: no
 *   FIN, no RST); new connections pass again.
 * - `pause()` / `resume()`: every connection, held or new, holds its bytes until `resume()`,
 *   which passes them on in order (a server that is slow to answer, not gone).
 */
export async function tcpProxy(url: string): Promise<{
  url: string;
  connections: () => number;
  freeze: () => void;
  pause: () => void;
  resume: () => void;
  close: () => void;
}> {
  const target = new URL(url);
  const open: { a: Socket; b: Socket }[] = [];
  let frozen: { a: Socket; b: Socket }[] = [];
  let held: { to: Socket; data: Buffer }[] | null = null;
  let count = 0;
  const server = createServer((a) => {
    count++;
    const b = connect(Number(target.port || 5432), target.hostname);
    const pair = { a, b };
    open.push(pair);
    const relay = (from: Socket, to: Socket) =>
      from.on("data", (d: Buffer) => {
        if (frozen.includes(pair)) return;
        if (held) held.push({ to, data: d });
        else to.write(d);
      });
    relay(a, b);
    relay(b, a);
    for (const s of [a, b]) s.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const proxied = new URL(url);
  proxied.hostname = "127.0.0.1";
  proxied.port = String(port);
  return {
    url: proxied.href,
    connections: () => count,
    freeze: () => {
      frozen = [...open];
    },
    pause: () => {
      held ??= [];
    },
    resume: () => {
      const pending = held ?? [];
      held = null;
      for (const { to, data } of pending) if (!to.destroyed) to.write(data);
    },
    close: () => {
      for (const { a, b } of open) {
        a.destroy();
        b.destroy();
      }
      server.close();
    },
  };
}
