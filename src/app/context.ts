import type { Clock, DataFiles, Random } from "../core/ports.ts";
import type { ProjectIdentity } from "../core/project-id.ts";
import type { HolderGone } from "../core/readiness.ts";
import type { Settings } from "../core/settings.ts";
import type { ClaimHolder } from "../core/task.ts";
import type { StorePort } from "../store/port.ts";
import type { DatabaseChoice } from "../workspace/database-choice.ts";
import type { RolesSnapshot } from "../workspace/roles.ts";

/** Everything a use-case needs for one call in one workspace. */
export interface AppContext {
  readonly store: StorePort;
  /** The store key: the project id, the same on every machine (or, reading a store not moved yet, the old path key). */
  readonly project: string;
  /** The project id and the rule that gave it. */
  readonly identity: ProjectIdentity;
  /** The store this call uses and the rule that chose it (with a settings `db:` that was ignored). */
  readonly database?: DatabaseChoice | undefined;
  /** The workspace's absolute path on this machine: files only, never a store key. */
  readonly workspace: string;
  /** The workspace's artifact files and documents under `.task_orchestrator/`. */
  readonly files: DataFiles;
  readonly clock: Clock;
  readonly random: Random;
  readonly settings: Settings;
  /**
   * The roles as the call's look at the workspace found them (read on first use); `again`: as
   * the role files are now, after a change this call made to them (initialize_session's seed).
   */
  readonly roles: (opts?: { readonly again?: boolean }) => RolesSnapshot;
  /** The process whose life is the caller's connection, recorded with the claims it makes. */
  readonly holder?: ClaimHolder | undefined;
  /** Whether a claim's holder process is gone; absent, only leases free claims. */
  readonly holderGone?: HolderGone | undefined;
}
