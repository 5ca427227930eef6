import type { ProjectIdentity } from "../core/project-id.ts";
import {
  createDataDirMemo,
  type DataDirLook,
  type DataDirMemo,
  isWorkspaceFolder,
  lookAtDataDir,
} from "../workspace/data-dir-look.ts";
import { chooseDatabase, type DatabaseChoice } from "../workspace/database-choice.ts";
import { createProjectResolver, type ProjectResolver } from "../workspace/project.ts";
import type { RoleLoader, RolesSnapshot } from "../workspace/roles.ts";
import { createSettingsLoader, type SettingsLoader } from "../workspace/settings.ts";

/** What a look reads through: the part of open-context.ts's ContextSources it needs. */
export interface LookSources {
  readonly db?: string | undefined;
  readonly allowSettingsDb?: boolean | undefined;
  readonly settingsLoader?: SettingsLoader | undefined;
  readonly roleLoader: RoleLoader;
}

/**
 * Each source's project resolver (cached by file signature). Built on the source's settings
 * loader; without one (the CLI) on a private loader, since the id must come from the settings
 * file even where its tunables do not apply. And what its looks found in data folders (data-dir-look.ts).
 */
interface Loaders {
  readonly project: ProjectResolver;
  readonly settings: SettingsLoader;
  readonly dataDirs: DataDirMemo;
}

const resolvers = new WeakMap<LookSources, Loaders>();

function resolversOf(sources: LookSources): Loaders {
  let r = resolvers.get(sources);
  if (!r) {
    const settings = sources.settingsLoader ?? createSettingsLoader();
    r = { project: createProjectResolver(settings), settings, dataDirs: createDataDirMemo() };
    resolvers.set(sources, r);
  }
  return r;
}

/**
 * One look at a workspace's files for a call: the data folder's `lstat`, the settings file, the
 * project id, the store choice and the roles, each found once (a failure too, thrown again to
 * each asker). Hot reload rests on it: a call alone takes its own look when it starts, so an
 * edit, a removed workspace or a planted symlink is seen by the next call. The server hands one
 * look to calls that overlap (server/shared-looks.ts has the rule).
 */
export interface WorkspaceLook {
  readonly workspace: string;
  readonly dataDir: DataDirLook;
  /** A new look at the data folder through the same memo (for work done after the call, as a local copy). */
  readonly dataDirAgain: () => DataDirLook;
  /** True while the workspace is a folder: known from the data folder's `lstat` when that found anything. */
  readonly isFolder: () => boolean;
  /** The settings file as it was (SettingsLoader.snapshot). */
  readonly settings: SettingsLoader;
  readonly identity: () => ProjectIdentity;
  readonly database: () => DatabaseChoice;
  readonly roles: () => RolesSnapshot;
}

/** Takes a look at `workspace` now; each part is read when first asked for. */
export function takeLook(sources: LookSources, workspace: string, now = Date.now()): WorkspaceLook {
  const loaders = resolversOf(sources);
  const dataDir = lookAtDataDir(loaders.dataDirs, workspace, now);
  // One look at settings.yaml for the whole call (project id, store, tunables).
  const settings = loaders.settings.snapshot(workspace, dataDir);
  return {
    workspace,
    dataDir,
    dataDirAgain: () => lookAtDataDir(loaders.dataDirs, workspace, Date.now()),
    isFolder: once(() => isWorkspaceFolder(dataDir)),
    settings,
    // Before the store: a broken settings file must not open (or create) a database under a guessed key.
    identity: once(() => loaders.project.resolve(workspace, settings)),
    // A changed `db:` applies to the next look; the store it replaces stays open in the cache until
    // the process ends (a call in flight may still be using it).
    database: once(() =>
      chooseDatabase(workspace, {
        given: sources.db,
        allowSettings: sources.allowSettingsDb === true,
        settings,
        dataDir,
      }),
    ),
    roles: once(() => sources.roleLoader.load(workspace, dataDir)),
  };
}

/** `f`'s first outcome, value or throw, given again on every later call. */
function once<T>(f: () => T): () => T {
  let outcome: { value: T } | { error: unknown } | undefined;
  return () => {
    if (!outcome) {
      try {
        outcome = { value: f() };
      } catch (error) {
        outcome = { error };
      }
    }
    if ("error" in outcome) throw outcome.error;
    return outcome.value;
  };
}
