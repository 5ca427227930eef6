import type { DashboardDeps } from "../app/dashboard/_context.ts";
import { dashboardAct } from "../app/dashboard/actions.ts";
import { dashboardActivity } from "../app/dashboard/activity.ts";
import { dashboardAgents } from "../app/dashboard/agents.ts";
import { dashboardOverview } from "../app/dashboard/overview.ts";
import { dashboardPlan } from "../app/dashboard/plan-view.ts";
import { dashboardExport, dashboardSynthesis } from "../app/dashboard/synthesis.ts";
import { dashboardTask } from "../app/dashboard/task-view.ts";
import type { Clock } from "../core/ports.ts";
import type { HolderGone } from "../core/readiness.ts";
import { systemClock } from "../platform/clock.ts";
import { holderGone as processGone } from "../platform/process.ts";
import { openChangeFeed } from "../store/changes.ts";
import type { ChangeFeed, StorePort } from "../store/port.ts";
import { createDataFiles } from "../workspace/data-files.ts";
import { createRoleLoader, type RoleLoader } from "../workspace/roles.ts";
import type { DashboardSource } from "./contract.ts";
import { createWatcher } from "./watch.ts";

/**
 * What a dashboard reads, and how. From `orchestrator ui` (src/cli/commands/_workspace.ts's
 * openCliContext gives most of it):
 *
 *   createDashboardSource({
 *     store: ctx.store,                              // opened by the command's StoreCache
 *     target: ctx.database.target,                   // the same database, for the change feed
 *     checkout: { path: ctx.workspace, project: ctx.project },
 *     projects: flags.db ? undefined : [ctx.project], // --db: every project in it
 *     actions: { allowed: flags.allowActions, actor: flags.as },
 *   })
 *
 * and under `serve --http` the server's store and `--db`/workspace target, no checkout unless
 * `--workspace`, the viewer's ProjectScope on every call.
 */
export interface DashboardSourceOptions {
  /** The open store every view reads and every action writes. */
  readonly store: StorePort;
  /**
   * Where that store is: its SQLite file or its postgres:// URL (with the credentials the store was
   * opened with). The change feed opens its own connection there; absent, watch() never fires.
   */
  readonly target?: string | undefined;
  /** close() closes the store too; default false (the caller's StoreCache owns it). */
  readonly ownsStore?: boolean | undefined;
  /**
   * The local checkout of one project: its role files make the specialist prompt, its local copies
   * are read for artifacts written before 2026-12. Other projects get the built-in roles (the task
   * view says so in `promptNote`) and no files.
   */
  readonly checkout?: { readonly path: string; readonly project: string } | undefined;
  /** The projects this dashboard shows (a workspace's own); absent: every project of the store. */
  readonly projects?: readonly string[] | undefined;
  /** Default: the store's clock (PostgreSQL's server time), else the system clock, as use-cases do. */
  readonly clock?: Clock | undefined;
  /** Whether a claim's holder process is gone (stale claims); default: the platform's process check. */
  readonly holderGone?: HolderGone | undefined;
  /** Whether act() may change tasks (--allow-actions) and the name shown for it; default off. */
  readonly actions?: { readonly allowed: boolean; readonly actor?: string | null | undefined } | undefined;
  readonly roleLoader?: RoleLoader | undefined;
  /** The change feed (tests inject one); default: openChangeFeed(target). */
  readonly changes?: (() => ChangeFeed) | undefined;
}

/** A DashboardSource over one store (issue 15); see DashboardSourceOptions. */
export function createDashboardSource(opts: DashboardSourceOptions): DashboardSource {
  const roles = opts.roleLoader ?? createRoleLoader();
  const checkout = opts.checkout;
  const deps: DashboardDeps = {
    store: opts.store,
    clock: opts.clock ?? opts.store.clock ?? systemClock,
    holderGone: opts.holderGone ?? processGone,
    checkout: checkout && {
      project: checkout.project,
      path: checkout.path,
      roles: () => roles.load(checkout.path),
      files: createDataFiles(checkout.path),
    },
    projects: opts.projects,
    actions: { allowed: opts.actions?.allowed === true, actor: opts.actions?.actor ?? null },
    rolesCache: new Map(),
  };
  const target = opts.target;
  const watcher = createWatcher(
    opts.changes ??
      (() =>
        target !== undefined ? openChangeFeed(target) : { start: async () => {}, stop: async () => {} }),
  );
  let closed: Promise<void> | undefined;
  return {
    overview: (scope) => dashboardOverview(deps, scope),
    plan: (scope, project, planId) => dashboardPlan(deps, scope, project, planId),
    task: (scope, project, taskId) => dashboardTask(deps, scope, project, taskId),
    synthesis: (scope, project, planId) => dashboardSynthesis(deps, scope, project, planId),
    exportPlan: (scope, project, planId, format) => dashboardExport(deps, scope, project, planId, format),
    agents: (scope) => dashboardAgents(deps, scope),
    activity: (scope, q) => dashboardActivity(deps, scope, q),
    act: (scope, req, actor) => dashboardAct(deps, scope, req, actor),
    watch: (onChange) => watcher.subscribe(onChange),
    version: () => watcher.version(),
    listening: () => watcher.listening(),
    close() {
      closed ??= (async () => {
        await watcher.close();
        if (opts.ownsStore) await opts.store.close();
      })();
      return closed;
    },
  };
}
