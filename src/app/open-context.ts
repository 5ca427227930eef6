import type { Clock, Random } from "../core/ports.ts";
import type { ProjectIdentity } from "../core/project-id.ts";
import type { HolderGone } from "../core/readiness.ts";
import type { Settings } from "../core/settings.ts";
import type { ClaimHolder } from "../core/task.ts";
import { systemClock } from "../platform/clock.ts";
import { hostName } from "../platform/process.ts";
import type { StoreCache } from "../store/cache.ts";
import { createDataFiles } from "../workspace/data-files.ts";
import { ensureDataDir } from "../workspace/layout.ts";
import type { RoleLoader } from "../workspace/roles.ts";
import { effectiveSettings, type SettingsLoader } from "../workspace/settings.ts";
import type { AppContext } from "./context.ts";
import { readingKey, settleProjectKey } from "./project-key.ts";
import { takeLook, type WorkspaceLook } from "./workspace-look.ts";

/** What a process provides for every call's context: the server's deps, or a CLI command's. */
export interface ContextSources {
  /** `--db` / ORCHESTRATOR_DB: one database for every workspace; else each workspace's own (workspace/database-choice.ts). */
  readonly db?: string | undefined;
  /** ORCHESTRATOR_ALLOW_SETTINGS_DB: a workspace's settings `db:` may choose its store. */
  readonly allowSettingsDb?: boolean | undefined;
  /** Defaults plus what flags and environment set. */
  readonly settings: Settings;
  /** Settings set by flags or environment, which the workspace's settings file cannot override. */
  readonly settingsFixed?: ReadonlySet<keyof Settings> | undefined;
  /** Reads each workspace's .task_orchestrator/settings.yaml when it changes (hot reload); absent, `settings` alone. */
  readonly settingsLoader?: SettingsLoader | undefined;
  readonly roleLoader: RoleLoader;
  readonly stores: StoreCache;
  readonly clock: Clock;
  readonly random: Random;
  /** The client connection, whose process is recorded with each claim (absent: leases only). */
  readonly connection?: { readonly holder: ClaimHolder } | undefined;
  readonly holderGone?: HolderGone | undefined;
  /** Test hook (ORCHESTRATOR_TEST_COPY_DELAY_MS): artifacts' local copies wait this long after the answer. */
  readonly copyDelayMs?: number | undefined;
}

/** Data folders this process has made sure of, per set of sources (creating one is idempotent; this saves the syscalls). */
const ensured = new WeakMap<ContextSources, Set<string>>();

/**
 * The one place a use-case context is built, for the server and the CLI alike: the data folder
 * ensured, the store open, settings merged with the workspace's file, roles loaded. A read-only
 * call creates nothing: without a database it gets an empty store (0 plans, nothing found).
 */
export async function openContext(
  sources: ContextSources,
  workspace: string,
  opts: {
    readonly readOnly?: boolean;
    /** Refuses a project (throws) before anything is opened or created: a project-limited caller. */
    readonly admit?: ((identity: ProjectIdentity) => void) | undefined;
    /** The look at the workspace's files to use (takeLook); absent, one is taken now. */
    readonly look?: WorkspaceLook | undefined;
  } = {},
): Promise<AppContext> {
  const look = opts.look?.workspace === workspace ? opts.look : takeLook(sources, workspace);
  const identity = look.identity();
  opts.admit?.(identity);
  const database = look.database();
  if (!opts.readOnly) {
    const done = ensured.get(sources) ?? new Set<string>();
    ensured.set(sources, done);
    if (!done.has(workspace)) {
      ensureDataDir(workspace);
      done.add(workspace);
    }
  }
  const store = await (opts.readOnly
    ? sources.stores.forReading(database.target)
    : sources.stores.get(database.target));
  let project = identity.id;
  if (opts.readOnly) project = await readingKey(store, workspace, identity.id);
  else
    await settleProjectKey(store, {
      workspace,
      identity,
      host: hostName(),
      now: sources.clock.now(),
    });
  let settings: Settings | undefined;
  return {
    store,
    project,
    identity,
    database,
    workspace,
    files: createDataFiles(workspace, {
      copyDelayMs: sources.copyDelayMs,
      looks: { now: look.dataDir, again: look.dataDirAgain },
    }),
    // Leases written by servers on several machines must be compared on one clock: a shared
    // store's (PostgreSQL's server time) replaces this machine's; a clock a test injected stays.
    clock: sources.clock === systemClock && store.clock ? store.clock : sources.clock,
    random: sources.random,
    // Read when a use-case needs it, so a broken settings file fails the calls that depend on
    // settings (with SETTINGS_INVALID and the place) but not every read; once per call.
    get settings() {
      settings ??= sources.settingsLoader
        ? effectiveSettings(
            sources.settings,
            look.settings.load(workspace),
            sources.settingsFixed ?? new Set(),
          )
        : sources.settings;
      return settings;
    },
    roles: (o) => (o?.again ? sources.roleLoader.load(workspace) : look.roles()),
    holder: sources.connection?.holder,
    holderGone: sources.holderGone,
  };
}
