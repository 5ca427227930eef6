import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createServer } from "./create-server.ts";
import type { ServerDeps } from "./session.ts";

/**
 * Serves one client over this process's stdin/stdout until the client closes stdin or a signal
 * arrives; then closes the databases so WAL is checkpointed. The only server file touching stdio.
 */
export async function runStdioServer(deps: ServerDeps): Promise<void> {
  const { server } = createServer(deps);
  const transport = new StdioServerTransport(process.stdin, process.stdout);
  let closing: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    closing ??= (async () => {
      await server.close().catch(() => {});
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
  await done;
  await shutdown();
}
