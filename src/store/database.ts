import type { Kysely, Transaction } from "kysely";
import type { ArtifactsTable } from "./tables/artifacts.table.ts";
import type { EventsTable } from "./tables/events.table.ts";
import type { PlanCountsTable } from "./tables/plan-counts.table.ts";
import type { PlansTable } from "./tables/plans.table.ts";
import type { ProjectsTable } from "./tables/projects.table.ts";
import type { RequestResultsTable } from "./tables/request-results.table.ts";
import type { TaskDependenciesTable } from "./tables/task-dependencies.table.ts";
import type { TasksTable } from "./tables/tasks.table.ts";
import type { TokensTable } from "./tables/tokens.table.ts";

/** The typed schema Kysely checks every query against. */
export interface Database {
  plans: PlansTable;
  plan_counts: PlanCountsTable;
  tasks: TasksTable;
  task_dependencies: TaskDependenciesTable;
  artifacts: ArtifactsTable;
  events: EventsTable;
  request_results: RequestResultsTable;
  projects: ProjectsTable;
  tokens: TokensTable;
}

export type Db = Kysely<Database>;
/** Either the database or an open transaction: repositories accept both. */
export type Executor = Kysely<Database> | Transaction<Database>;
