import type { Clock, Random } from "../core/ports.ts";
import type { HolderGone } from "../core/readiness.ts";
import type { ClaimHolder } from "../core/task.ts";
import type { StorePort } from "../store/port.ts";
import type { RolesSnapshot } from "../workspace/roles.ts";

/** Tunables, read once from flags and environment. */
export interface Settings {
  /** How long a claim lasts without activity. */
  readonly leaseMs: number;
  /** Largest `detailed_work` accepted, in bytes (UTF-8). */
  readonly maxArtifactBytes: number;
  /** A task with no activity for this long is stale. */
  readonly staleMs: number;
}

export const DEFAULT_SETTINGS: Settings = {
  leaseMs: 30 * 60_000,
  maxArtifactBytes: 10 * 1024 * 1024,
  staleMs: 24 * 3_600_000,
};

/** Everything a use-case needs for one call in one workspace. */
export interface AppContext {
  readonly store: StorePort;
  readonly workspace: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly settings: Settings;
  readonly roles: () => RolesSnapshot;
  /** The process whose life is the caller's connection, recorded with the claims it makes. */
  readonly holder?: ClaimHolder | undefined;
  /** Whether a claim's holder process is gone; absent, only leases free claims. */
  readonly holderGone?: HolderGone | undefined;
}
