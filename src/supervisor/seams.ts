import { spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";

/**
 * What the supervisor takes from the outside world, injected so tests drive it in-process: a
 * way to start a worker process and a clock. `run.ts` passes the real ones.
 */

/** The part of a child process the supervisor uses; a Node ChildProcess is one. */
export interface WorkerProcess {
  readonly pid?: number | undefined;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  kill(signal?: NodeJS.Signals): boolean;
  on(event: "exit", listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  on(event: "error", listener: (error: Error) => void): this;
  once(event: "exit", listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  listenerCount(event: string): number;
}

export type SpawnWorker = (
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
) => WorkerProcess;

/** Starts the worker as a real child process with piped stdio. */
export const spawnChild: SpawnWorker = (command, args, env) =>
  spawn(command, [...args], { stdio: ["pipe", "pipe", "pipe"], env: env as NodeJS.ProcessEnv });

/** Time as the supervisor sees it: deadlines, backoff and timestamps all go through here. */
export interface SupervisorClock {
  /** Wall-clock milliseconds since the epoch (timestamps, deadlines). */
  now(): number;
  /** A monotonic reading with sub-millisecond precision (round-trip timings). */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

export const systemClock: SupervisorClock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

export function sleep(clock: SupervisorClock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}
