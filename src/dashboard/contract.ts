import { z } from "zod";
import { PLAN_STATUSES, TASK_STATUSES } from "../core/task.ts";

/*
 * The dashboard's wire contract (issue 15): every JSON shape the dashboard's HTTP API answers and
 * the browser reads, as zod schemas (the server's single source of types; the browser imports the
 * types only, so no zod ships to it). Every string in here may have been written by an agent: the
 * browser renders them as text (textContent, SVG text nodes), never as HTML, except artifact
 * Markdown, which goes through the sanitiser.
 *
 * Routes, relative to the dashboard's base (`/` for `orchestrator ui`, `/ui/` under `serve --http`):
 *   GET  api/overview                          → Overview
 *   GET  api/plan?project=P&plan=ID            → PlanView
 *   GET  api/task?project=P&task=ID            → TaskView
 *   GET  api/synthesis?project=P&plan=ID       → SynthesisView
 *   GET  api/export?project=P&plan=ID&format=md|json → the export document as a download
 *   GET  api/agents                            → AgentsView
 *   GET  api/activity?limit=N[&project=P][&plan=ID]  → ActivityView
 *   GET  api/events                            → text/event-stream of `change` events (ChangeEvent)
 *   POST api/action  (JSON ActionRequest, header X-Orchestrator-Dashboard: 1) → ActionResult
 * Errors answer { error: { code, message } } (ApiError) with a 4xx/5xx status.
 */

export const TaskStatusWire = z.enum(TASK_STATUSES);
export const PlanStatusWire = z.enum(PLAN_STATUSES);

export const CountsSchema = z.object({
  pending: z.number().int(),
  active: z.number().int(),
  blocked: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  /** Every task of the plan but archived ones. */
  total: z.number().int(),
});
export type Counts = z.infer<typeof CountsSchema>;

/** Who holds a task: the agent, until when, and the milliseconds left at the answer's `now`. */
export const ClaimWire = z.object({
  agentId: z.string(),
  expiresAt: z.string(),
  remainingMs: z.number(),
  /** True once the lease ran out or its holder's process is known to be gone: it no longer blocks. */
  stale: z.boolean(),
});
export type ClaimView = z.infer<typeof ClaimWire>;

export const PlanSummarySchema = z.object({
  id: z.string(),
  /** The plan's description (the upstream's parent task description), as the plan's title. */
  title: z.string(),
  status: PlanStatusWire,
  createdAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().nullable(),
  /** The newest history event's time (or updatedAt). */
  lastActivity: z.string(),
  counts: CountsSchema,
  /** Completed (and cancelled) share of the total, 0..1. */
  progress: z.number(),
  /** Tasks per role (specialist type), archived ones left out. */
  roles: z.record(z.string(), z.number().int()),
  /** Unexpired claims in the plan. */
  claimed: z.number().int(),
});
export type PlanSummary = z.infer<typeof PlanSummarySchema>;

export const ProjectSummarySchema = z.object({
  /** The store key (project id): `github.com/owner/repo`, `local:<folder>`, ... */
  id: z.string(),
  plans: z.array(PlanSummarySchema),
  /** Plans left out of `plans` (only the most recently updated are listed); absent means none. */
  morePlans: z.number().int().optional(),
});

export const OverviewSchema = z.object({
  now: z.string(),
  /** What the dashboard reads: the engine and where (a PostgreSQL URL without its password). */
  store: z.object({ dialect: z.enum(["sqlite", "postgres"]), location: z.string() }),
  /** Whether the action buttons are on (--allow-actions), and the name actions are recorded under. */
  actions: z.object({ allowed: z.boolean(), actor: z.string().nullable() }),
  projects: z.array(ProjectSummarySchema),
});
export type Overview = z.infer<typeof OverviewSchema>;

export const GraphTaskSchema = z.object({
  id: z.string(),
  title: z.string(),
  role: z.string(),
  status: TaskStatusWire,
  position: z.number().int(),
  /** Ids of the sibling tasks this one depends on (an edge each). */
  dependencies: z.array(z.string()),
  /** Pending, every dependency satisfied, not claimed by anyone whose claim still blocks. */
  ready: z.boolean(),
  claim: ClaimWire.nullable(),
  updatedAt: z.string(),
  completedAt: z.string().nullable(),
  artifactCount: z.number().int(),
});
export type GraphTask = z.infer<typeof GraphTaskSchema>;

export const PlanViewSchema = z.object({
  now: z.string(),
  project: z.string(),
  plan: PlanSummarySchema.extend({ complexity: z.string() }),
  /** Every task of the plan but archived ones, in plan order. */
  tasks: z.array(GraphTaskSchema),
});
export type PlanView = z.infer<typeof PlanViewSchema>;

export const TaskRefSchema = z.object({ id: z.string(), title: z.string(), status: TaskStatusWire });

export const HistoryEntrySchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  kind: z.string(),
  action: z.string().nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  agentId: z.string().nullable(),
  note: z.string().nullable(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export const ArtifactViewSchema = z.object({
  id: z.string(),
  type: z.string(),
  summary: z.string(),
  path: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  createdAt: z.string(),
  filePaths: z.array(z.string()),
  /** The Markdown text (untrusted: sanitise before rendering), or null when it cannot be read. */
  content: z.string().nullable(),
  /** ok: the text's sha256 matches the row; mismatch: it does not (shown, flagged); missing: no text. */
  checksum: z.enum(["ok", "mismatch", "missing"]),
  /** Why the text is missing or does not match, for people. */
  problem: z.string().nullable(),
});
export type ArtifactView = z.infer<typeof ArtifactViewSchema>;

export const DASHBOARD_ACTIONS = ["release", "cancel", "reopen"] as const;
export const DashboardActionSchema = z.enum(DASHBOARD_ACTIONS);
export type DashboardAction = z.infer<typeof DashboardActionSchema>;

export const TaskViewSchema = z.object({
  now: z.string(),
  project: z.string(),
  planId: z.string(),
  planTitle: z.string(),
  task: z.object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    role: z.string(),
    status: TaskStatusWire,
    estimatedEffort: z.string(),
    summary: z.string().nullable(),
    statusNote: z.string().nullable(),
    claim: ClaimWire.nullable(),
    ready: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
  }),
  dependencies: z.array(TaskRefSchema),
  dependents: z.array(TaskRefSchema),
  /** The specialist prompt execute_subtask gives for this task (built-in and the workspace's roles). */
  prompt: z.string().nullable(),
  /** Why the prompt may differ from the one the agent got (no local checkout: built-in roles only). */
  promptNote: z.string().nullable().optional(),
  /** Every transition, oldest first, with who and when. */
  history: z.array(HistoryEntrySchema),
  artifacts: z.array(ArtifactViewSchema),
  /** The actions this task allows now (empty unless --allow-actions). */
  actions: z.array(DashboardActionSchema),
});
export type TaskView = z.infer<typeof TaskViewSchema>;

export const SynthesisViewSchema = z.object({
  project: z.string(),
  planId: z.string(),
  /** The synthesis report as Markdown (sanitised before rendering like artifacts). */
  markdown: z.string(),
  allCompleted: z.boolean(),
});
export type SynthesisView = z.infer<typeof SynthesisViewSchema>;

export const AgentViewSchema = z.object({
  agentId: z.string(),
  holding: z.array(
    z.object({
      project: z.string(),
      planId: z.string(),
      taskId: z.string(),
      title: z.string(),
      status: TaskStatusWire,
      claim: ClaimWire,
      /** The lease ends within 5 minutes. */
      expiringSoon: z.boolean(),
    }),
  ),
  recentCompletions: z.array(
    z.object({
      project: z.string(),
      planId: z.string(),
      taskId: z.string(),
      title: z.string(),
      at: z.string(),
    }),
  ),
  /** Newest event this agent caused. */
  lastSeen: z.string().nullable(),
});
export type AgentView = z.infer<typeof AgentViewSchema>;

export const AgentsViewSchema = z.object({ now: z.string(), agents: z.array(AgentViewSchema) });
export type AgentsView = z.infer<typeof AgentsViewSchema>;

export const ActivityEntrySchema = HistoryEntrySchema.extend({
  project: z.string(),
  planId: z.string(),
  planTitle: z.string().nullable(),
  taskId: z.string().nullable(),
  taskTitle: z.string().nullable(),
});
export type ActivityEntry = z.infer<typeof ActivityEntrySchema>;

/** Newest first. */
export const ActivityViewSchema = z.object({ now: z.string(), events: z.array(ActivityEntrySchema) });
export type ActivityView = z.infer<typeof ActivityViewSchema>;

/** The body of POST api/action. The actor is never taken from here: it is --as or the token's name. */
export const ActionRequestSchema = z
  .object({
    project: z.string().min(1).max(500),
    taskId: z.string().min(1).max(200),
    action: DashboardActionSchema,
    /** Why, recorded in the task's history. */
    note: z.string().max(2000).optional(),
  })
  .strict();
export type ActionRequest = z.infer<typeof ActionRequestSchema>;

export const ActionResultSchema = z.object({
  taskId: z.string(),
  action: DashboardActionSchema,
  from: TaskStatusWire,
  to: TaskStatusWire,
  actor: z.string(),
});
export type ActionResult = z.infer<typeof ActionResultSchema>;

/** One `change` event of api/events: something in the store changed; `version` only grows. */
export interface ChangeEvent {
  readonly version: number;
}

export interface ApiError {
  readonly error: { readonly code: string; readonly message: string };
}

/** Which projects a viewer may see: every project in the store, or only these (a limited token). */
export type ProjectScope =
  | { readonly all: true }
  | { readonly all: false; readonly projects: readonly string[] };

/**
 * What the dashboard's HTTP layer asks of the data (src/dashboard/source.ts builds one over a
 * store). Each call is one consistent read. A project outside `scope`, an unknown plan or task
 * throws OrchestratorError (NOT_FOUND-like codes, never naming what the scope hides).
 */
export interface DashboardSource {
  overview(scope: ProjectScope): Promise<Overview>;
  plan(scope: ProjectScope, project: string, planId: string): Promise<PlanView>;
  task(scope: ProjectScope, project: string, taskId: string): Promise<TaskView>;
  synthesis(scope: ProjectScope, project: string, planId: string): Promise<SynthesisView>;
  exportPlan(
    scope: ProjectScope,
    project: string,
    planId: string,
    format: "md" | "json",
  ): Promise<{ readonly body: string; readonly filename: string; readonly contentType: string }>;
  agents(scope: ProjectScope): Promise<AgentsView>;
  activity(
    scope: ProjectScope,
    q: {
      readonly limit: number;
      readonly project?: string | undefined;
      readonly planId?: string | undefined;
    },
  ): Promise<ActivityView>;
  /** Applies a dashboard action as `actor`, recorded in the task's history (only with --allow-actions). */
  act(scope: ProjectScope, req: ActionRequest, actor: string): Promise<ActionResult>;
  /** Calls `onChange` (at most a few times a second) after the store changed; returns the unsubscribe. */
  watch(onChange: (version: number) => void): () => void;
  /** The newest change version told in this process (0 before any): an event stream's first event. */
  version(): number;
  /**
   * Resolves once watch()'s feed listens: a commit after that is told. An event stream says it is
   * connected only then, so a page that reads after that event misses no change.
   */
  listening(): Promise<void>;
  close(): Promise<void>;
}
