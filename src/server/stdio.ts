import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { copiesSettled, EXIT_GRACE_MS } from "../workspace/local-copies.ts";
import { createServer } from "./create-server.ts";
import { LineTransport } from "./line-transport.ts";
import { requestRunner } from "./sdk-compat.ts";
import type { ServerDeps } from "./session.ts";

/**
 * Serves one client over this process's stdin/stdout until the client closes stdin or a signal
 * arrives; then closes the databases so WAL is checkpointed. The only server file touching stdio.
 */
export async function runStdioServer(
  deps: ServerDeps,
  opts: { maxLineBytes: number; listChanged?: boolean },
): Promise<void> {
  const { server } = createServer(deps);
  if (opts.listChanged) {
    // Told once the client is initialized (the SDK refuses notifications before it).
    const initialized = server.server.oninitialized;
    server.server.oninitialized = () => {
      initialized?.();
      void server.sendToolListChanged();
    };
  }
  // The SDK waits for 'drain' once per response when stdout is full; with many requests in flight
  // and large results that is more than Node's 10-listener warning threshold, legitimately.
  process.stdout.setMaxListeners(1000);
  const transport = new LineTransport({
    input: process.stdin,
    output: process.stdout,
    maxLineBytes: opts.maxLineBytes,
    log: (line) => process.stderr.write(line),
  });
  let closing: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    closing ??= (async () => {
      await server.close().catch(() => {});
      // Artifacts' local copies still queued after their answers: a normal exit leaves them written.
      await copiesSettled(undefined, EXIT_GRACE_MS);
      await deps.stores.closeAll();
    })();
    return closing;
  };
  const onSignal = (): void => {
    void shutdown().finally(() => process.exit(0));
  };
  // A bug in one request must not take the connection down: report it on stderr (the client's log).
  process.on("unhandledRejection", (e) => {
    process.stderr.write(
      `orchestrator: unhandled error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
  });
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const done = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
  });
  await server.connect(transport);
  // A tools/call the transport has already checked goes straight to the SDK's request runner.
  const route = transport.onmessage;
  const run = requestRunner(server);
  transport.onmessage = (message: JSONRPCMessage) => {
    if (transport.isCheckedToolCall(message)) run(message);
    else route?.(message);
  };
  const inFlight = trackRequests(transport);
  await done;
  // A client may send its last requests and close stdin at once (a script piping a file): answer
  // them before closing the stores, or they fail half-way with a closed database.
  const deadline = Date.now() + DRAIN_MS;
  while (inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await shutdown();
}

/** How long the server keeps answering requests after the client closed stdin. */
const DRAIN_MS = 30_000;

type Id = string | number;

/** The ids of the requests received and not answered yet, kept by wrapping the transport. */
function trackRequests(transport: LineTransport): Set<Id> {
  const open = new Set<Id>();
  const receive = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage) => {
    if ("method" in message && "id" in message) open.add(message.id as Id);
    receive?.(message);
  };
  const send = transport.send.bind(transport);
  transport.send = (message: JSONRPCMessage) => {
    if (!("method" in message) && "id" in message) open.delete(message.id as Id);
    return send(message);
  };
  return open;
}
