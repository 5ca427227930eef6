import { OrchestratorError } from "../../core/errors.ts";
import {
  ReconnectTestInput,
  ReconnectTestOutput,
  RestartServerInput,
  RestartServerOutput,
  RestartStatusInput,
  RestartStatusOutput,
  ShutdownPrepareInput,
  ShutdownPrepareOutput,
} from "../../protocol/reboot-tools.ts";
import type { Session } from "../session.ts";
import type { ToolHost } from "./_catalog.ts";
import { failure, ok } from "./_shared.ts";

/**
 * Definitions of the reboot tools for tools/list; their schemas are the contract in
 * protocol/reboot-tools.ts. Their calls never reach a worker: the supervisor (src/supervisor/)
 * answers them, since it owns the worker and the restarts.
 * They are listed only in the `all` profile and only when a supervisor runs.
 */
export function registerRebootTools(server: ToolHost, _session: Session): void {
  const unreachable = async () =>
    failure(
      new OrchestratorError(
        "INTERNAL",
        "This reboot tool is answered by the serve supervisor, which is not running (serve --no-supervisor). Restart the client to restart the server.",
      ),
    );
  server.registerTool(
    "orchestrator_restart_server",
    restartServerConfig(
      "Start a fresh worker from the binary on disk (an upgrade, new settings) without closing this connection. The old worker finishes the requests it has; graceful waits for them before switching. Task state lives in the database: nothing is lost.",
    ),
    unreachable,
  );

  server.registerTool(
    "orchestrator_shutdown_prepare",
    {
      title: "Is a restart safe now?",
      description:
        "Measured readiness for a restart: requests in flight and queued, open transactions, claimed tasks, database state.",
      inputSchema: ShutdownPrepareInput.shape,
      outputSchema: ShutdownPrepareOutput.shape,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    unreachable,
  );

  server.registerTool(
    "orchestrator_restart_status",
    {
      title: "Restarts of this connection",
      description:
        "The server's phase, its worker (pid, generation, version), requests in flight, and the restarts of this connection: when, why, how long, result, worker pids.",
      inputSchema: RestartStatusInput.shape,
      outputSchema: RestartStatusOutput.shape,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    unreachable,
  );

  server.registerTool(
    "orchestrator_reconnect_test",
    {
      title: "Test the server round trip",
      description:
        "A timed round trip supervisor → worker → database (the worker's health check), with the buffer and restart figures.",
      inputSchema: ReconnectTestInput.shape,
      outputSchema: ReconnectTestOutput.shape,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    unreachable,
  );
}

/**
 * Over HTTP behind `serve --http`'s front, orchestrator_restart_server is the one reboot tool: the
 * front starts a new worker, sends it every new request, and retires this one once it answered
 * what it had (docs/reboot.md, "HTTP"). The other reboot tools describe a stdio connection, which
 * a stateless HTTP server does not have.
 */
export function registerHttpRestartTool(server: ToolHost, session: Session): void {
  const restart = session.deps.httpRestart;
  if (!restart) return;
  server.registerTool(
    "orchestrator_restart_server",
    restartServerConfig(
      "Start a fresh worker from the binary on disk (an upgrade, new settings, new database connections) while the server keeps listening: new requests go to it as soon as it is up, and the old worker finishes the requests it has within timeout. No request is refused. Task state lives in the database: nothing is lost.",
    ),
    async (args) => {
      const result = await restart({ graceful: args.graceful, timeout: args.timeout, reason: args.reason });
      const out = RestartServerOutput.safeParse(result);
      if (!out.success) {
        return failure(
          new OrchestratorError("INTERNAL", "the front answered the restart with an unexpected shape"),
        );
      }
      return ok(out.data, out.data.message);
    },
  );
}

/** orchestrator_restart_server as stdio and HTTP register it: one contract, told as each transport restarts. */
function restartServerConfig(description: string) {
  return {
    title: "Restart the server",
    description,
    inputSchema: RestartServerInput.shape,
    outputSchema: RestartServerOutput.shape,
    annotations: {
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: false,
    },
  };
}
