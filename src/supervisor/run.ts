import { spawnChild, systemClock } from "./seams.ts";
import { Supervisor, type SupervisorOptions } from "./supervisor.ts";

/**
 * Runs `serve` as the supervisor of a worker, with the real process, clock and signals: SIGHUP
 * restarts the worker gracefully, SIGINT and SIGTERM stop it and exit.
 */
export async function runSupervisor(opts: Omit<SupervisorOptions, "spawn" | "clock" | "pid">): Promise<void> {
  const sup = new Supervisor({ ...opts, spawn: spawnChild, clock: systemClock, pid: process.pid });
  process.on("SIGHUP", () => {
    void sup.restart({ graceful: true, timeoutMs: 30_000, reason: "SIGHUP", trigger: "signal" });
  });
  const stop = (): void => {
    void sup.stop().finally(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await sup.run();
}
