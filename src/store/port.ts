import type { Artifact } from "../core/artifact.ts";
import type { HistoryEvent } from "../core/event.ts";
import type { Clock } from "../core/ports.ts";
import type {
  ClaimHolder,
  Plan,
  PlanStatus,
  Task,
  TaskBrief,
  TaskCounts,
  TaskHeader,
  TaskRef,
  TaskStatus,
} from "../core/task.ts";
import type {
  ActivityRecord,
  CleanupCandidate,
  CompletionRecord,
  DanglingDependency,
  HeldClaim,
  KeyClashes,
  KeyRowCounts,
  NewEvent,
  NewPlan,
  NewTask,
  PlanCounters,
  PlanPatch,
  ProjectCheckout,
  ProjectFilter,
  RawRowIds,
  RowRef,
  StoredRequest,
  StoredToken,
  TaskPatch,
  TaskSearch,
} from "./records.ts";

/*
 * The store as use-cases see it: domain objects in, domain objects out, transactions as
 * callbacks. SQLite (store/sqlite-store.ts) is one adapter; a second dialect implements the same
 * interfaces and no use-case changes. Every method takes the workspace first: one database may
 * hold several projects (`--db`).
 */

/** A PostgreSQL store's server and pool, as health_check reports them. */
export interface PgServerInfo {
  readonly serverVersion: string;
  /** Open connections, idle ones, calls waiting for one, and the bound (pool_max). */
  readonly pool: {
    readonly size: number;
    readonly idle: number;
    readonly waiting: number;
    readonly max: number;
  };
}

/** Every read a use-case makes. */
export interface StoreReader {
  /**
   * Differs after any change to the database (SQLite); undefined where no such mark is kept
   * (PostgreSQL). Read outside a transaction, before the reads it vouches for.
   */
  readChangeMark(): Promise<string | undefined>;
  findTask(ws: string, id: string): Promise<Task | undefined>;
  findTaskHeader(ws: string, id: string): Promise<TaskHeader | undefined>;
  findTaskPlanId(ws: string, id: string): Promise<string | undefined>;
  findPlanTasks(ws: string, planId: string): Promise<Task[]>;
  findTasksOfPlans(ws: string, planIds: readonly string[]): Promise<Map<string, Task[]>>;
  /** The first `limit` tasks of a plan in plan order (leaving out `exclude`), and the plan's task total. */
  findPlanTasksPage(
    ws: string,
    planId: string,
    opts: { readonly exclude: readonly TaskStatus[]; readonly limit: number },
  ): Promise<{ tasks: Task[]; total: number }>;
  /** The first `limit` tasks of a plan with one of `statuses`, in plan order. */
  findPlanTasksWithStatus(
    ws: string,
    planId: string,
    statuses: readonly TaskStatus[],
    limit: number,
  ): Promise<Task[]>;
  findExistingTaskIds(ws: string, ids: readonly string[]): Promise<Set<string>>;
  countPlanTasks(ws: string, planId: string): Promise<TaskCounts>;
  countTasksByPlan(ws: string): Promise<Map<string, TaskCounts>>;
  countClaims(ws: string, now: string): Promise<{ open: number; expired: number }>;
  /** Unexpired claims of every project in the database (the /metrics gauge). */
  countHeldClaims(now: string): Promise<number>;
  searchTasks(ws: string, q: TaskSearch): Promise<{ tasks: Task[]; total: number }>;
  /** The same tasks in the same order as searchTasks, read only as far as a brief list shows them. */
  searchTaskBriefs(ws: string, q: TaskSearch): Promise<{ tasks: TaskBrief[]; total: number }>;
  /** The same rule as core/readiness.ts readyTasks, without reading the plan's other tasks. */
  findReadyTaskIds(ws: string, planId: string, now: string, limit: number): Promise<string[]>;
  /** The same rule: a plan's first `limit` ready tasks, the dependents of `after` first, then plan order. */
  findReadyTasksAfter(
    ws: string,
    planId: string,
    after: string,
    now: string,
    limit: number,
  ): Promise<TaskRef[]>;
  /**
   * findReadyTaskIds for several plans in one statement, by plan id (plans with none are absent);
   * `settled`: the answer stays the same as time passes while the data does not change.
   */
  findReadyTaskIdsOfPlans(
    ws: string,
    planIds: readonly string[],
    now: string,
    limit: number,
  ): Promise<{ readonly ids: Map<string, string[]>; readonly settled: boolean }>;
  /**
   * A task and, in plan order, the siblings that decide whether it may start or complete: the
   * tasks it depends on, with their dependencies; not the whole plan.
   */
  findTaskForReadiness(ws: string, id: string): Promise<{ task: Task; siblings: Task[] } | undefined>;
  findCleanupCandidates(
    ws: string,
    opts: { readonly now: string; readonly staleBefore: string; readonly taskId?: string | undefined },
  ): Promise<CleanupCandidate[]>;
  findDependencies(ws: string, taskIds: readonly string[]): Promise<Map<string, string[]>>;
  findDanglingDependencies(ws: string): Promise<DanglingDependency[]>;

  findPlan(ws: string, id: string): Promise<Plan | undefined>;
  planExists(ws: string, id: string): Promise<boolean>;
  findPlans(ws: string, statuses: readonly PlanStatus[], limit: number): Promise<Plan[]>;
  countPlans(ws: string): Promise<Record<PlanStatus, number>>;
  sumTaskCounts(ws: string, statuses: readonly PlanStatus[]): Promise<TaskCounts>;
  findActivePlanIds(
    ws: string,
    opts: { readonly only?: string | undefined; readonly limit: number },
  ): Promise<string[]>;
  findPlanCounters(ws: string): Promise<PlanCounters[]>;

  findArtifact(ws: string, id: string): Promise<Artifact | undefined>;
  findTaskArtifacts(ws: string, taskIds: readonly string[]): Promise<Map<string, Artifact[]>>;
  findAllArtifacts(
    ws: string,
    skip: {
      readonly ids: ReadonlySet<string>;
      readonly taskIds: ReadonlySet<string>;
      readonly planIds: ReadonlySet<string>;
    },
  ): Promise<Artifact[]>;
  /** The stored text of those of `ids` that have one (rows written before 2026-12 have none). */
  findArtifactContents(ws: string, ids: readonly string[]): Promise<Map<string, string>>;
  /** Paths of the artifact files of `taskIds`, each checked against its row's ids. */
  findArtifactPaths(ws: string, taskIds: readonly string[]): Promise<string[]>;

  findPlanEvents(ws: string, planId: string, limit?: number): Promise<HistoryEvent[]>;
  /** A task's history, oldest first; `planId` is the task's plan (its events are read through it). */
  findTaskEvents(ws: string, planId: string, taskId: string, limit?: number): Promise<HistoryEvent[]>;

  findRequestResult(ws: string, tool: string, requestId: string): Promise<StoredRequest | undefined>;
  /** Ids of every row, unchecked, so validate_structure finds the rows the mappers refuse. */
  findRawRowIds(ws: string): Promise<RawRowIds>;

  /** Where a project was written from (machine and folder), most recent first. */
  findProjectCheckouts(project: string): Promise<ProjectCheckout[]>;
  /** Whether any plan or event is kept under this key. */
  keyInUse(key: string): Promise<boolean>;
  countKeyRows(key: string): Promise<KeyRowCounts>;
  /** Ids held under both keys, which moving `from` to `to` would mix. */
  findKeyClashes(from: string, to: string): Promise<KeyClashes>;
  /* The dashboard (issue 15): grouped counts for a page of plans, and reads across projects. */
  /** Every project key with plans in the database, sorted. */
  findPlanProjects(): Promise<string[]>;
  /** Tasks per role of each plan (archived left out). */
  countTasksByRole(ws: string, planIds: readonly string[]): Promise<Map<string, Record<string, number>>>;
  /** Unexpired claims per plan. */
  countClaimsByPlan(ws: string, planIds: readonly string[], now: string): Promise<Map<string, number>>;
  /** Each plan's newest event (its seq and time). */
  findLastActivity(
    ws: string,
    planIds: readonly string[],
  ): Promise<Map<string, { readonly seq: number; readonly at: string }>>;
  countArtifactsByTask(ws: string, taskIds: readonly string[]): Promise<Map<string, number>>;
  /** The newest events of the projects (or of one plan), newest first, with plan and task titles. */
  findRecentEvents(q: {
    readonly projects: ProjectFilter;
    readonly planId?: string | undefined;
    readonly limit: number;
  }): Promise<ActivityRecord[]>;
  /** Recorded claims (running or lapsed) of the projects, soonest expiry first. */
  findHeldClaims(q: { readonly projects: ProjectFilter; readonly limit: number }): Promise<HeldClaim[]>;
  /** Completions naming their agent since `since`, among the newest `window` events. */
  findRecentCompletions(q: {
    readonly projects: ProjectFilter;
    readonly since: string;
    readonly window: number;
  }): Promise<CompletionRecord[]>;
  /** Each agent's newest event time among the newest `window` events. */
  findAgentsLastSeen(q: {
    readonly projects: ProjectFilter;
    readonly window: number;
  }): Promise<Map<string, string>>;
  /* Tokens of the HTTP server: per database, so no workspace argument. */
  findToken(name: string): Promise<StoredToken | undefined>;
  /** The token whose secret has this sha256 digest. */
  findTokenByHash(hash: string): Promise<StoredToken | undefined>;
  /** Every token, oldest first. */
  listTokens(): Promise<StoredToken[]>;
  /** Every row, revoked and expired included. */
  countTokens(): Promise<number>;
}

/** Every write, plus the reads (a write transaction reads what it is about to change). */
export interface StoreWriter extends StoreReader {
  insertPlan(ws: string, plan: NewPlan): Promise<void>;
  updatePlan(ws: string, id: string, patch: PlanPatch): Promise<void>;
  /**
   * Adds `delta` to a plan's task counters and sets its updated_at in one statement; the plan as
   * it is then, or undefined when there is no such plan.
   */
  shiftPlanCounts(ws: string, id: string, delta: TaskCounts, updatedAt: string): Promise<Plan | undefined>;
  deletePlan(ws: string, id: string): Promise<void>;
  insertTasks(ws: string, tasks: readonly NewTask[]): Promise<void>;
  updateTask(ws: string, id: string, patch: TaskPatch): Promise<void>;
  deleteTask(ws: string, id: string): Promise<void>;
  renewClaims(
    ws: string,
    renewal: {
      readonly agentIds: readonly string[];
      readonly now: string;
      readonly expiresAt: string;
      readonly holder?: ClaimHolder | undefined;
    },
  ): Promise<void>;
  replaceDependencies(
    ws: string,
    task: { readonly id: string; readonly planId: string },
    dependsOn: readonly string[],
  ): Promise<void>;
  deleteDependenciesOn(ws: string, taskIds: readonly string[]): Promise<void>;
  deleteDependency(ws: string, edge: { readonly taskId: string; readonly dependsOn: string }): Promise<void>;
  /**
   * The row holds `content`, the text whose UTF-8 bytes `artifact.size` and `sha256` describe.
   * False (nothing stored) when the id is taken in the project: draw another.
   */
  insertArtifact(ws: string, artifact: Artifact, content: string): Promise<boolean>;
  appendEvents(ws: string, events: readonly NewEvent[]): Promise<void>;
  insertRequestResult(ws: string, request: StoredRequest): Promise<void>;
  /** Forgets answers older than `before`, in every workspace of the database. */
  pruneRequestResults(before: string): Promise<void>;
  removeRows(ws: string, refs: readonly RowRef[]): Promise<void>;
  recordProjectCheckout(
    checkout: Omit<ProjectCheckout, "firstSeen" | "lastSeen"> & { readonly now: string },
  ): Promise<void>;
  /** Moves every row keyed `from` (an old absolute-path key) to `to`; check findKeyClashes first. */
  rekeyRows(from: string, to: string): Promise<KeyRowCounts>;
  insertToken(token: StoredToken): Promise<void>;
  /** True when the token was active until now; false when unknown or revoked already. */
  revokeToken(name: string, at: string): Promise<boolean>;
  /** Records a use at `at` (last_used). */
  touchToken(name: string, at: string): Promise<void>;
}

/**
 * "Something in the database changed" for the dashboard (issue 15). A feed may signal more often
 * than data changed (a reconnect, a write that changed nothing), never less: readers refetch.
 */
export interface ChangeFeed {
  /**
   * Starts watching (once); `onChange` runs after another connection's commit. Resolves once it
   * listens (or its first attempt failed: it keeps trying), so a commit after that is heard.
   */
  start(onChange: () => void): Promise<void>;
  /** Stops watching and closes the feed's own connection. */
  stop(): Promise<void>;
}

/** An open store. */
export interface StorePort {
  /** Where the data lives (a file path for SQLite, the URL without its password for PostgreSQL), for reports. */
  readonly path: string;
  /** Which engine: a SQLite file on this machine, or a PostgreSQL server several machines share. */
  readonly dialect: "sqlite" | "postgres";
  /** PostgreSQL only: the server's version and the connection pool now (health_check). */
  serverInfo?(): Promise<PgServerInfo>;
  /** Names of applied migrations, oldest first. */
  readonly migrations: readonly string[];
  /**
   * The database's own clock, when the store is shared between machines (PostgreSQL): leases and
   * their renewals are then compared on one clock. Absent for SQLite (one machine, its clock).
   */
  readonly clock?: Clock | undefined;
  /** True for the empty stand-in of a database that does not exist yet: reads find nothing. */
  readonly placeholder?: boolean | undefined;
  /** Single statements outside a transaction (each commits on its own). */
  readonly direct: StoreWriter;
  /** Runs `fn` on one consistent snapshot without taking the write lock. */
  read<T>(fn: (r: StoreReader) => Promise<T>): Promise<T>;
  /** Runs `fn` in a write transaction: commits on return, rolls back on throw. */
  write<T>(fn: (w: StoreWriter) => Promise<T>): Promise<T>;
  /** The engine's own verdict on its files: `["ok"]` when sound (deep: the full check). */
  checkIntegrity(deep: boolean): Promise<string[]>;
  /** The journal mode ("wal" for SQLite once a server opened it; "postgres" for PostgreSQL, which has none). */
  journalMode(): Promise<string | undefined>;
  /**
   * Bytes the store holds on disk: its main file and its write-ahead log (0 when absent). 0 and 0
   * on PostgreSQL, whose files are the server's (a synchronous answer cannot ask it).
   */
  diskUsage(): { readonly databaseBytes: number; readonly walBytes: number };
  close(): Promise<void>;
}
