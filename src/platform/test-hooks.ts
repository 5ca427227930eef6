import type { Env } from "./env.ts";

/**
 * The hooks end-to-end tests of the compiled binary need, and nothing else uses: a slow tool call
 * (to restart under calls in flight), a worker that dies at start (crash recovery), an install
 * write that fails half-way (rollback, which a read-only folder cannot prove when tests run as
 * root). Read from the environment here, once, at the CLI edge, and passed down as explicit
 * options; no module deeper down reads the environment for them.
 */
export interface TestHooks {
  /** ORCHESTRATOR_TEST_DELAY_MS: every tool call waits this long first (0: off). */
  readonly toolDelayMs: number;
  /** ORCHESTRATOR_TEST_COPY_DELAY_MS: an artifact's local copy waits this long after the answer (0: off). */
  readonly copyDelayMs: number;
  /** ORCHESTRATOR_TEST_WORKER_CRASH=1: a supervised worker exits 3 as it starts. */
  readonly workerCrash: boolean;
  /** ORCHESTRATOR_INSTALL_FAULT=after-backup|after-write: the config write fails at that point. */
  readonly installFault: InstallFault | undefined;
}

export type InstallFault = "after-backup" | "after-write";

export function readTestHooks(env: Env): TestHooks {
  const fault = env.vars.ORCHESTRATOR_INSTALL_FAULT;
  return {
    toolDelayMs: Number(env.vars.ORCHESTRATOR_TEST_DELAY_MS ?? 0) || 0,
    copyDelayMs: Number(env.vars.ORCHESTRATOR_TEST_COPY_DELAY_MS ?? 0) || 0,
    workerCrash: env.vars.ORCHESTRATOR_TEST_WORKER_CRASH === "1",
    installFault: fault === "after-backup" || fault === "after-write" ? fault : undefined,
  };
}
