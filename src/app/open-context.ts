import type { Clock, Random } from "../core/ports.ts";
import type { ProjectIdentity } from "../core/project-id.ts";
import type { HolderGone } from "../core/readiness.ts";
import type { Settings } from "../core/settings.ts";
import type { ClaimHolder } from "../core/task.ts";
import { systemClock } from "../platform/clock.ts";
import { hostName } from "../platform/process.ts";
import type { StoreCache } from "../store/cache.ts";
import { createDataFiles } from "../workspace/data-files.ts";
import { chooseDatabase } from "../workspace/database-choice.ts";
import { ensureDataDir } from "../workspace/layout.ts";
import { createProjectResolver, type ProjectResolver } from "../workspace/project.ts";
import type { RoleLoader } from "../workspace/roles.ts";
import { createSettingsLoader, effectiveSettings, type SettingsLoader } from "../workspace/settings.ts";
import type { AppContext } from "./context.ts";
import { readingKey, settleProjectKey } from "./project-key.ts";

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

/**
 * Each source's project resolver (cached by file signature). Built on the source's settings
 * loader; without one (the CLI) on a private loader, since the id must come from the settings
 * file even where its tunables do not apply.
 */
const resolvers = new WeakMap<ContextSources, { project: ProjectResolver; settings: SettingsLoader }>();

function resolversOf(sources: ContextSources): { project: ProjectResolver; settings: SettingsLoader } {
  let r = resolvers.get(sources);
  if (!r) {
    const settings = sources.settingsLoader ?? createSettingsLoader();
    r = { project: createProjectResolver(settings), settings };
    resolvers.set(sources, r);
  }
  return r;
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
  } = {},
): Promise<AppContext> {
  const loaders = resolversOf(sources);
  // One look at settings.yaml for the whole call (project id, store, tunables): a changed file
  // still applies to the next call.
  const fileSettings = loaders.settings.snapshot(workspace);
  // Before the store: a broken settings file must not open (or create) a database under a guessed key.
  const identity = loaders.project.resolve(workspace, fileSettings);
  opts.admit?.(identity);
  // Every call: a changed `db:` applies to the next call; the store it replaces stays open in the
  // cache until the process ends (a call in flight may still be using it).
  const database = chooseDatabase(workspace, {
    given: sources.db,
    allowSettings: sources.allowSettingsDb === true,
    settings: fileSettings,
  });
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
    files: createDataFiles(workspace, { copyDelayMs: sources.copyDelayMs }),
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
            fileSettings.load(workspace),
            sources.settingsFixed ?? new Set(),
          )
        : sources.settings;
      return settings;
    },
    roles: () => sources.roleLoader.load(workspace),
    holder: sources.connection?.holder,
    holderGone: sources.holderGone,
  };
}
