import type { DashboardSource, ProjectScope } from "../../dashboard/contract.ts";
import { systemClock } from "../../platform/clock.ts";
import type { Env } from "../../platform/env.ts";
import { isPostgresUrl, parsePostgresUrl } from "../../store/postgres/url.ts";
import { settingsDbAllowed } from "../../workspace/allow-settings-db.ts";
import { checkDirectory, findProjectRoot } from "../../workspace/resolve.ts";
import { cliWorkspaceFolder } from "./_workspace.ts";
import { checkDbPath } from "./serve.ts";

/** What `ui` serves: the source, the scope every view is read in, and what that is, for people. */
export interface UiSource {
  readonly source: DashboardSource;
  readonly scope: ProjectScope;
  readonly what: string;
  close(): Promise<void>;
}

/**
 * The data `orchestrator ui` shows. `--db`: every project of that database (the project around
 * the current folder, if any, lends its role files to the prompts). Otherwise the project of
 * `--workspace` or around the current folder, in the store its calls use (ORCHESTRATOR_DB, the
 * settings' `db:` when allowed, its own file), and only that project. The store is opened for
 * writing like the server's (the data folder is made when missing), so a dashboard started before
 * the first plan sees it arrive.
 */
export async function openUiSource(
  env: Env,
  flags: { readonly workspace?: string | undefined; readonly db?: string | undefined },
  actions: { readonly allowed: boolean; readonly actor: string },
): Promise<UiSource> {
  const [{ StoreCache }, { openContext }, { createRoleLoader }, { DEFAULT_SETTINGS }, { randomHex }, src] =
    await Promise.all([
      import("../../store/cache.ts"),
      import("../../app/open-context.ts"),
      import("../../workspace/roles.ts"),
      import("../../core/settings.ts"),
      import("../../platform/fs.ts"),
      import("../../dashboard/source.ts"),
    ]);
  const dbFlag = flags.db === undefined ? undefined : checkDbPath(String(flags.db), env.cwd);
  const home = { cwd: env.cwd, homedir: env.homedir };
  const workspace = dbFlag
    ? flags.workspace
      ? checkDirectory(String(flags.workspace), "--workspace", home)
      : findProjectRoot(env.cwd, env.homedir)
    : cliWorkspaceFolder(env, flags);
  const stores = new StoreCache();
  const roleLoader = createRoleLoader();
  const envDb = env.vars.ORCHESTRATOR_DB ? checkDbPath(env.vars.ORCHESTRATOR_DB, env.cwd) : undefined;
  try {
    const ctx = workspace
      ? await openContext(
          {
            db: dbFlag ?? envDb,
            allowSettingsDb: settingsDbAllowed(env.vars),
            settings: DEFAULT_SETTINGS,
            roleLoader,
            stores,
            clock: systemClock,
            random: { hex: randomHex },
          },
          workspace,
        )
      : undefined;
    const target = dbFlag ?? ctx?.database?.target;
    const store = ctx?.store ?? (await stores.get(dbFlag as string));
    const projects = dbFlag || !ctx ? undefined : [ctx.project];
    const source = src.createDashboardSource({
      store,
      target,
      checkout: ctx ? { path: ctx.workspace, project: ctx.project } : undefined,
      projects,
      roleLoader,
      actions: { allowed: actions.allowed, actor: actions.allowed ? actions.actor : null },
    });
    const where = target && isPostgresUrl(target) ? parsePostgresUrl(target).redacted : (target ?? "?");
    return {
      source,
      scope: projects ? { all: false, projects } : { all: true },
      what: projects ? `project ${projects[0]} (${where})` : `every project of ${where}`,
      close: async () => {
        await source.close();
        await stores.closeAll();
      },
    };
  } catch (e) {
    await stores.closeAll();
    throw e;
  }
}
