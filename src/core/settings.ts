/** Tunables, read once from flags and environment, and per workspace from its settings file. */
export interface Settings {
  /** How long a claim lasts without activity. */
  readonly leaseMs: number;
  /** Largest `detailed_work` accepted, in bytes (UTF-8). */
  readonly maxArtifactBytes: number;
  /** A task with no activity for this long is stale. */
  readonly staleMs: number;
}

/**
 * The largest artifact limit allowed (256 MiB), from the environment or a settings file: the limit
 * also sizes the longest request line the server buffers (6 × it + 1 MiB), so an unbounded value
 * would lift that cap.
 */
export const MAX_ARTIFACT_BYTES_LIMIT = 256 * 1024 * 1024;

/** The longest stale threshold, in hours, `ORCHESTRATOR_STALE_HOURS` accepts (ten years). */
export const MAX_STALE_HOURS = 87_600;

export const DEFAULT_SETTINGS: Settings = {
  leaseMs: 30 * 60_000,
  maxArtifactBytes: 10 * 1024 * 1024,
  staleMs: 24 * 3_600_000,
};
