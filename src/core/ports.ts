/** Time source; adapters pass the system clock, tests a fixed one. Returns ISO-8601 UTC. */
export interface Clock {
  now(): string;
}

/** Randomness for ids; adapters use crypto, tests a seeded sequence. */
export interface Random {
  /** `n` lower-case hex digits. */
  hex(n: number): string;
}

/** Plan ids keep the upstream shape `task_<8 hex>`. */
export function newPlanId(random: Random): string {
  return `task_${random.hex(8)}`;
}

/** Subtask ids keep the upstream shape `<role>_<6 hex>`. */
export function newTaskId(random: Random, role: string): string {
  return `${role}_${random.hex(6)}`;
}

/** Artifact ids keep the upstream shape `artifact_<8 hex>`. */
export function newArtifactId(random: Random): string {
  return `artifact_${random.hex(8)}`;
}

/** Adds `ms` milliseconds to an ISO time. */
export function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/**
 * The files a use-case keeps under a workspace's `.task_orchestrator/`: artifacts and the
 * generated documents. Paths are the stored workspace-relative ones (`.task_orchestrator/...`);
 * the adapter refuses any that would leave the data folder (PATH_OUTSIDE_DATA_DIR), so a
 * use-case never builds a path itself.
 */
export interface DataFiles {
  /**
   * Writes an artifact's local copy atomically (owner-only file and folders; temp file + rename,
   * no fsync: the store holds the text, and a lost or torn copy is written again from it).
   */
  writeArtifact(path: string, bytes: Uint8Array): Promise<void>;
  /**
   * The same, queued to run after the caller has answered (complete_subtask: the text is already
   * committed). A failure is logged and listed by `copyFailures` until the file is written.
   */
  copyLater(path: string, bytes: Uint8Array): void;
  /**
   * Waits (bounded) for the copies queued so far in this workspace, or into `path`'s folder:
   * before checking or restoring copies.
   */
  copiesSettled(path?: string): Promise<void>;
  /** Queued copies that could not be written and have not been since, each in words with its fix. */
  copyFailures(): readonly string[];
  /**
   * Throws PATH_OUTSIDE_DATA_DIR when an artifact's local copy could not be written at `path`
   * (a symlinked folder on the way): checked before a completion commits, so a hostile layout
   * is refused loudly rather than turned into a warning after the fact.
   */
  checkArtifactPath(path: string): void;
  /** An artifact's text and the sha256 of its bytes, or why it cannot be read (an errno code). */
  readArtifact(
    path: string,
  ): Promise<{ text: string; sha256: string } | { unreadable: string; cause: unknown }>;
  /**
   * Resolves, and so checks, what a hard delete removes: the artifact files and the task's (or,
   * without `taskId`, the plan's) artifact folder. Call it before the rows go, so a refused path
   * stops the delete; run the returned removal after they are gone.
   */
  prepareRemoval(files: readonly string[], folder: { planId: string; taskId?: string }): () => Promise<void>;
  /** Whether a recorded artifact's file is still as written; `deep` also compares its sha256. */
  verifyArtifact(artifact: { path: string; size: number; sha256: string }, deep: boolean): ArtifactFileState;
  /** Every file under `artifacts/`, symlinks listed and never followed; or why the folder is refused. */
  listArtifactFolder(): { files: readonly ArtifactFolderEntry[] } | { problem: string };
  /** When a file the last listing returned was last modified, ms since the epoch. */
  modifiedMs(path: string): number;
  /** Moves a file the last listing returned (by its `path`) to `orphaned/`; returns where it went. */
  moveOrphan(path: string): Promise<string>;
  /** Writes `.task_orchestrator/<name>` atomically (owner-only); returns its stored path. */
  writeDocument(name: string, text: string): Promise<string>;
}

export type ArtifactFileState =
  | { readonly state: "refused"; readonly problem: string }
  | { readonly state: "missing" }
  | { readonly state: "resized"; readonly size: number }
  | { readonly state: "altered" }
  | { readonly state: "intact" };

export interface ArtifactFolderEntry {
  /** Workspace-relative POSIX path. */
  readonly path: string;
  /** The link's target when the entry is a symlink ("?" when it cannot be read). */
  readonly symlinkTo: string | null;
  /** Whether the name is one this orchestrator writes (an artifact, or the temp file of its write). */
  readonly ours: boolean;
}
