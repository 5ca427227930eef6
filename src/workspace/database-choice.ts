import { isOrchestratorError } from "../core/errors.ts";
import { isDatabaseUrl, parsePostgresUrl } from "../store/postgres/url.ts";
import { ALLOW_SETTINGS_DB } from "./allow-settings-db.ts";
import type { DataDirLook } from "./data-dir-look.ts";
import { databasePath } from "./layout.ts";
import { SETTINGS_FILE, type SettingsLoader } from "./settings.ts";

/** The store a workspace's calls use, and the rule that chose it. */
export interface DatabaseChoice {
  /** What the store cache opens: a SQLite file or a `postgres://` URL. */
  readonly target: string;
  /** `given`: --db / ORCHESTRATOR_DB; `settings`: the workspace's `db:` (opted in); `workspace`: its own SQLite file. */
  readonly source: "given" | "settings" | "workspace";
  /**
   * A `db:` in the workspace's settings that was not used because the user did not opt in: one
   * line naming host and database (never a password) and the fix, for health_check, status and doctor.
   */
  readonly ignored?: string | undefined;
}

/**
 * The one rule for a workspace's store, for the server (stdio and HTTP) and every CLI command:
 * `--db` / ORCHESTRATOR_DB (`given`), else the settings file's `db:` when the user opted in with
 * ORCHESTRATOR_ALLOW_SETTINGS_DB, else `<workspace>/.task_orchestrator/orchestrator.db`.
 * Read on every call (the settings loader rereads the file when it changes), so a changed `db:`
 * applies to the next call. Opted in, a broken or invalid `db:` throws SETTINGS_INVALID: guessing
 * another store would split the project's plans. Not opted in, `db:` is never used, whatever it holds.
 */
export function chooseDatabase(
  workspace: string,
  opts: {
    readonly given: string | undefined;
    readonly allowSettings: boolean;
    readonly settings: SettingsLoader;
    /** The call's look at the data folder, through which the database's path is checked (layout.ts). */
    readonly dataDir?: DataDirLook | undefined;
  },
): DatabaseChoice {
  if (opts.given !== undefined) return { target: opts.given, source: "given" };
  const own = (): string => databasePath(workspace, undefined, opts.dataDir);
  if (opts.allowSettings) {
    const url = opts.settings.db(workspace);
    if (url !== undefined) return { target: url, source: "settings" };
    return { target: own(), source: "workspace" };
  }
  const target = own();
  return { target, source: "workspace", ignored: ignoredNotice(workspace, opts.settings, target) };
}

/** Where a choice points, fit to print: a URL without its password, or the file's path. */
export function shownTarget(target: string): string {
  return isDatabaseUrl(target) ? parsePostgresUrl(target).redacted : target;
}

function ignoredNotice(workspace: string, settings: SettingsLoader, target: string): string | undefined {
  let url: string | undefined;
  try {
    url = settings.db(workspace);
  } catch (e) {
    // A file that does not parse is reported by the calls that need its settings; an invalid
    // `db:` in a parseable file is worth saying here, since it is the line being ignored.
    if (!isOrchestratorError(e, "SETTINGS_INVALID") || !/: db /.test(e.message)) return undefined;
    return `${SETTINGS_FILE} sets a db: that is ignored (${ALLOW_SETTINGS_DB} is not set) and is invalid: ${e.message}`;
  }
  if (url === undefined) return undefined;
  const pg = parsePostgresUrl(url);
  return `${SETTINGS_FILE} asks for the database ${pg.database} on ${pg.host}:${pg.port} (${pg.redacted}); ignored, since a repository's file does not choose where your plans go unless you allow it. If you trust this repository, set ${ALLOW_SETTINGS_DB}=1 in your client's server entry or shell; or pass --db / ORCHESTRATOR_DB. Using ${target}.`;
}
