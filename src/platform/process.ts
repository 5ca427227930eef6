import { readlinkSync } from "node:fs";
import { hostname } from "node:os";
import type { ClaimHolder } from "../core/task.ts";

let host: string | undefined;
let name: string | undefined;

/**
 * os.hostname(), asked once: it costs a uname(2) each time, and the callers (claims, the
 * checkout a store records) want this process's machine, not to follow a rename mid-process.
 */
export function hostName(): string {
  name ??= hostname();
  return name;
}

/**
 * This machine as claims record it: the host name, plus on Linux the pid namespace, since
 * containers sharing a host name do not see each other's pids (a live holder there must not look gone).
 */
export function thisHost(): string {
  if (host !== undefined) return host;
  let ns = "";
  if (process.platform === "linux") {
    try {
      ns = ` ${readlinkSync("/proc/self/ns/pid")}`;
    } catch {
      // No /proc: the host name alone.
    }
  }
  host = `${hostName()}${ns}`;
  return host;
}

/**
 * True only when the holder runs on this host and no process with its pid exists. Another host,
 * or a process of another user (EPERM), counts as alive: only its lease can free the claim then.
 * A pid reused by an unrelated process also counts as alive (the lease still bounds the wait).
 */
export function holderGone(holder: ClaimHolder): boolean {
  if (holder.host !== thisHost() || holder.pid === process.pid) return false;
  if (!Number.isSafeInteger(holder.pid) || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}
