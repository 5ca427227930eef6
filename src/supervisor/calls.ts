import type { Id } from "../protocol/jsonrpc.ts";

/** A client request a worker has been sent and has not answered yet. */
export interface InFlight {
  readonly worker: number;
  readonly method: string;
  /** The tool of a tools/call, else null. */
  readonly tool: string | null;
  readonly at: number;
}

/**
 * The relay's bookkeeping: which worker runs each client request (so an answer is relayed once,
 * from the worker that got it, and a worker's exit knows what it leaves unanswered), and the ids
 * given to the workers' own requests to the client (roots, sampling), which may collide between
 * workers.
 */
export class CallTable {
  readonly #inFlight = new Map<Id, InFlight>();
  /** Server→client requests: our id → the worker and its own id. */
  readonly #outbound = new Map<string, { readonly worker: number; readonly id: Id }>();

  get size(): number {
    return this.#inFlight.size;
  }

  /** Whether a request under `id` is in flight: an id names one request at a time. */
  has(id: Id): boolean {
    return this.#inFlight.has(id);
  }

  track(id: Id, call: InFlight): void {
    this.#inFlight.set(id, call);
  }

  /** Takes the request `id` off the table if worker `gen` runs it; null for anything else. */
  settle(id: Id, gen: number): InFlight | null {
    const call = this.#inFlight.get(id);
    if (!call || call.worker !== gen) return null; // never answer a request twice
    this.#inFlight.delete(id);
    return call;
  }

  /** How many requests worker `gen` still runs. */
  runningOn(gen: number): number {
    let n = 0;
    for (const call of this.#inFlight.values()) if (call.worker === gen) n++;
    return n;
  }

  /** Takes every request worker `gen` still runs off the table (it exited). */
  orphansOf(gen: number): [Id, InFlight][] {
    const orphans = [...this.#inFlight.entries()].filter(([, call]) => call.worker === gen);
    for (const [id] of orphans) this.#inFlight.delete(id);
    return orphans;
  }

  /** The id a worker's request to the client goes out with: no other worker uses it. */
  outbound(gen: number, id: Id): string {
    const ours = `w${gen}:${JSON.stringify(id)}`;
    this.#outbound.set(ours, { worker: gen, id });
    return ours;
  }

  /** Where the client's answer to `ours` goes back to, once. */
  inbound(ours: Id): { readonly worker: number; readonly id: Id } | null {
    const route = this.#outbound.get(String(ours));
    if (!route) return null;
    this.#outbound.delete(String(ours));
    return route;
  }
}
