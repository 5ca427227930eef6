/** Tunables, read once from flags and environment, and per workspace from its settings file. */
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
