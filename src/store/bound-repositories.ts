import type { Executor } from "./database.ts";
import type { StoreWriter } from "./port.ts";
import {
  findAllArtifacts,
  findArtifact,
  findArtifactContents,
  findArtifactPaths,
  findTaskArtifacts,
  insertArtifact,
} from "./repositories/artifacts.repository.ts";
import { readChangeMark } from "./repositories/change-mark.repository.ts";
import {
  countArtifactsByTask,
  countClaimsByPlan,
  countTasksByRole,
  findAgentsLastSeen,
  findHeldClaims,
  findLastActivity,
  findPlanProjects,
  findRecentCompletions,
  findRecentEvents,
} from "./repositories/dashboard.repository.ts";
import {
  deleteDependenciesOn,
  deleteDependency,
  findDanglingDependencies,
  findDependencies,
  replaceDependencies,
} from "./repositories/dependencies.repository.ts";
import { appendEvents, findPlanEvents, findTaskEvents } from "./repositories/events.repository.ts";
import {
  countPlans,
  deletePlan,
  findActivePlanIds,
  findPlan,
  findPlanCounters,
  findPlans,
  insertPlan,
  planExists,
  shiftPlanCounts,
  sumTaskCounts,
  updatePlan,
} from "./repositories/plans.repository.ts";
import {
  countKeyRows,
  findKeyClashes,
  findProjectCheckouts,
  keyInUse,
  recordProjectCheckout,
  rekeyRows,
} from "./repositories/projects.repository.ts";
import { findRawRowIds, removeRows } from "./repositories/raw-rows.repository.ts";
import {
  findReadyTaskIds,
  findReadyTaskIdsOfPlans,
  findReadyTasksAfter,
} from "./repositories/ready.repository.ts";
import {
  findRequestResult,
  insertRequestResult,
  pruneRequestResults,
} from "./repositories/request-results.repository.ts";
import {
  findCleanupCandidates,
  findPlanTasksWithStatus,
  findTaskForReadiness,
  searchTaskBriefs,
  searchTasks,
} from "./repositories/task-queries.repository.ts";
import {
  countClaims,
  countHeldClaims,
  countPlanTasks,
  countTasksByPlan,
  deleteTask,
  findExistingTaskIds,
  findPlanTasks,
  findPlanTasksPage,
  findTask,
  findTaskHeader,
  findTaskPlanId,
  findTasksOfPlans,
  insertTasks,
  renewClaims,
  updateTask,
} from "./repositories/tasks.repository.ts";
import {
  countTokens,
  findToken,
  findTokenByHash,
  insertToken,
  listTokens,
  revokeToken,
  touchToken,
} from "./repositories/tokens.repository.ts";

/** The repositories, each a plain function taking the database or a transaction first (kysely example/). */
const REPOSITORIES = {
  readChangeMark,
  findTask,
  findTaskHeader,
  findTaskPlanId,
  findPlanTasks,
  findTasksOfPlans,
  findPlanTasksPage,
  findPlanTasksWithStatus,
  findExistingTaskIds,
  countPlanTasks,
  countTasksByPlan,
  countClaims,
  countHeldClaims,
  searchTasks,
  searchTaskBriefs,
  findReadyTaskIds,
  findReadyTasksAfter,
  findReadyTaskIdsOfPlans,
  findTaskForReadiness,
  findCleanupCandidates,
  findDependencies,
  findDanglingDependencies,
  findPlan,
  planExists,
  findPlans,
  countPlans,
  sumTaskCounts,
  findActivePlanIds,
  findPlanCounters,
  findArtifact,
  findTaskArtifacts,
  findAllArtifacts,
  findArtifactContents,
  findArtifactPaths,
  findPlanEvents,
  findTaskEvents,
  findRequestResult,
  findRawRowIds,
  findProjectCheckouts,
  keyInUse,
  countKeyRows,
  findKeyClashes,
  findPlanProjects,
  countTasksByRole,
  countClaimsByPlan,
  findLastActivity,
  countArtifactsByTask,
  findRecentEvents,
  findHeldClaims,
  findRecentCompletions,
  findAgentsLastSeen,
  insertPlan,
  updatePlan,
  shiftPlanCounts,
  deletePlan,
  insertTasks,
  updateTask,
  deleteTask,
  renewClaims,
  replaceDependencies,
  deleteDependenciesOn,
  deleteDependency,
  insertArtifact,
  appendEvents,
  insertRequestResult,
  pruneRequestResults,
  removeRows,
  recordProjectCheckout,
  rekeyRows,
  findToken,
  findTokenByHash,
  listTokens,
  countTokens,
  insertToken,
  revokeToken,
  touchToken,
} as const;

type Repositories = typeof REPOSITORIES;
/** The repositories with their first argument (the executor) filled in. */
type Bound = {
  [K in keyof Repositories]: Repositories[K] extends (db: Executor, ...args: infer A) => infer R
    ? (...args: A) => R
    : never;
};

/** Bound sets already made, by executor: the writes of one group commit share its transaction. */
const BOUND = new WeakMap<Executor, StoreWriter>();

/**
 * The port's repositories on one executor: the database itself, or an open transaction. Made once
 * per executor (issue 16: making the ~70 closures for every write of a group was 3 % of a write
 * call's CPU); the object is shared, so it is frozen.
 */
export function bindRepositories(db: Executor): StoreWriter {
  const known = BOUND.get(db);
  if (known) return known;
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(REPOSITORIES)) {
    out[name] = (...args: unknown[]) => (fn as (db: Executor, ...a: unknown[]) => unknown)(db, ...args);
  }
  const bound = Object.freeze(out) as Bound;
  BOUND.set(db, bound);
  return bound;
}
