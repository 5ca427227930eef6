import { OrchestratorError } from "../../core/errors.ts";
import type { HistoryEvent } from "../../core/event.ts";
import { isValidId, showId } from "../../core/ids.ts";
import type { Clock, DataFiles } from "../../core/ports.ts";
import { claimLapse, type HolderGone } from "../../core/readiness.ts";
import { builtinRoles } from "../../core/roles/merge.ts";
import { DEFAULT_SETTINGS } from "../../core/settings.ts";
import type { Claim } from "../../core/task.ts";
import type { ClaimView, HistoryEntry, ProjectScope } from "../../dashboard/contract.ts";
import type { StorePort, StoreReader } from "../../store/port.ts";
import type { RolesSnapshot } from "../../workspace/roles.ts";
import type { AppContext } from "../context.ts";

/** The local checkout of one project: where its role files and local artifact copies are. */
export interface DashboardCheckout {
  /** The project's store key. */
  readonly project: string;
  /** The folder's absolute path. */
  readonly path: string;
  readonly roles: () => RolesSnapshot;
  readonly files: DataFiles;
}

/** Roles per plan with the state they were counted at (overview.ts planSummaries). */
export type RolesCache = Map<string, { readonly key: string; readonly roles: Record<string, number> }>;

/** What every dashboard read model and action needs (src/dashboard/source.ts builds it). */
export interface DashboardDeps {
  readonly store: StorePort;
  readonly clock: Clock;
  readonly holderGone: HolderGone;
  readonly checkout?: DashboardCheckout | undefined;
  /** The projects this dashboard shows (a workspace's own); undefined: every project in the store. */
  readonly projects?: readonly string[] | undefined;
  readonly actions: { readonly allowed: boolean; readonly actor: string | null };
  /** The overview's roles per plan between refreshes (overview.ts); absent, counted every time. */
  readonly rolesCache?: RolesCache | undefined;
}

/** Whether `project` may be shown: inside both the viewer's scope and the dashboard's own projects. */
export function visible(deps: DashboardDeps, scope: ProjectScope, project: string): boolean {
  if (typeof project !== "string") return false;
  if (deps.projects !== undefined && !deps.projects.includes(project)) return false;
  return scope.all || scope.projects.includes(project);
}

/** The projects a cross-project read covers: the store's projects with plans, narrowed to what may be shown. */
export async function visibleProjects(
  r: StoreReader,
  deps: DashboardDeps,
  scope: ProjectScope,
): Promise<string[]> {
  return (await r.findPlanProjects()).filter((p) => visible(deps, scope, p));
}

/**
 * The filter of a read across projects: null when every project of the store may be shown (the
 * read then needs no filter, and walks the history without one), else the visible projects.
 */
export async function projectFilter(
  r: StoreReader,
  deps: DashboardDeps,
  scope: ProjectScope,
): Promise<string[] | null> {
  if (scope.all && deps.projects === undefined) return null;
  return visibleProjects(r, deps, scope);
}

/*
 * Not-found answers say the same for a project that does not exist and one the scope hides, so
 * they never tell a limited viewer what else the database holds.
 */
export function planNotFound(project: string, planId: string): OrchestratorError {
  return new OrchestratorError(
    "PLAN_NOT_FOUND",
    `Plan ${shown(planId)} was not found in project ${showId(project)}.`,
    { data: { project, plan_id: planId } },
  );
}

export function taskNotFound(project: string, taskId: string): OrchestratorError {
  return new OrchestratorError(
    "TASK_NOT_FOUND",
    `Task ${shown(taskId)} was not found in project ${showId(project)}.`,
    { data: { project, task_id: taskId } },
  );
}

/** A valid id as it is; anything else quoted and cut, so a crafted request cannot shape the message. */
function shown(id: string): string {
  return isValidId(id) ? id : showId(id);
}

/** A claim as the dashboard shows it at `now`: milliseconds left (0 once run out) and whether it still blocks. */
export function claimView(claim: Claim, now: string, gone: HolderGone): ClaimView {
  return {
    agentId: claim.agentId,
    expiresAt: claim.expiresAt,
    // A lease time that does not parse (a row from elsewhere) counts as run out, not as NaN.
    remainingMs: Math.max(0, Date.parse(claim.expiresAt) - Date.parse(now)) || 0,
    stale: claimLapse(claim, now, gone) !== null,
  };
}

const BUILTIN: RolesSnapshot = { roles: builtinRoles(), files: [], errors: [] };

/** Files of a project with no checkout here: every local copy is missing, and nothing is written. */
const NO_FILES: DataFiles = {
  writeArtifact: async () => {
    throw new OrchestratorError("INTERNAL", "the dashboard writes no file");
  },
  copyLater: () => {},
  copiesSettled: async () => {},
  copyFailures: () => [],
  checkArtifactPath: () => {},
  readArtifact: async () => ({ unreadable: "no local checkout of this project here", cause: undefined }),
  prepareRemoval: () => async () => {},
  verifyArtifact: () => ({ state: "missing" }),
  listArtifactFolder: () => ({ problem: "no local checkout of this project here" }),
  modifiedMs: () => 0,
  moveOrphan: async () => {
    throw new OrchestratorError("INTERNAL", "the dashboard moves no file");
  },
  writeDocument: async () => {
    throw new OrchestratorError("INTERNAL", "the dashboard writes no file");
  },
};

/**
 * A use-case context for `project`, so the existing builders (specialist prompt, artifact texts,
 * export) run unchanged: the checkout's roles and files when it is this project's, else the
 * built-in roles and no files. `workspace` is the checkout's path, or "" without one.
 */
export function projectContext(deps: DashboardDeps, project: string): AppContext {
  const local = deps.checkout?.project === project ? deps.checkout : undefined;
  return {
    store: deps.store,
    project,
    identity: { id: project, source: "settings" },
    workspace: local?.path ?? "",
    files: local?.files ?? NO_FILES,
    clock: deps.clock,
    random: {
      hex: () => {
        throw new OrchestratorError("INTERNAL", "the dashboard creates no ids");
      },
    },
    settings: DEFAULT_SETTINGS,
    roles: local?.roles ?? (() => BUILTIN),
    holderGone: deps.holderGone,
  };
}

/** Whether `project` has a local checkout here (role files and local copies are read). */
export function hasCheckout(deps: DashboardDeps, project: string): boolean {
  return deps.checkout?.project === project;
}

/** A history event as the dashboard shows it (the task view's history, the activity timeline). */
export function historyEntry(e: HistoryEvent): HistoryEntry {
  return {
    seq: e.seq,
    at: e.at,
    kind: e.kind,
    action: e.action,
    from: e.from,
    to: e.to,
    agentId: e.agentId,
    note: e.note,
  };
}
