import type { Migration, MigrationProvider } from "kysely/migration";
import { initial } from "./2026_11_24_000000_initial.ts";
import { claimHolder } from "./2026_11_30_000000_claim_holder.ts";
import { requestResults } from "./2026_11_30_000100_request_results.ts";
import { projects } from "./2026_12_01_000000_projects.ts";
import { artifactContent } from "./2026_12_01_000100_artifact_content.ts";
import { dependencyOrder } from "./2026_12_01_000200_dependency_order.ts";
import { tokens } from "./2026_12_01_000300_tokens.ts";
import { tokenProjects } from "./2026_12_01_000400_token_projects.ts";
import { planCounts } from "./2026_12_02_000000_plan_counts.ts";
import { readyOrder } from "./2026_12_03_000000_ready_order.ts";
import { eventsByPlanTask } from "./2026_12_04_000000_events_by_plan_task.ts";
import { newestFirst } from "./2026_12_05_000000_newest_first.ts";

/**
 * Every migration, statically imported so the compiled binary carries them. Names are dated and
 * sort in order; a released migration is never edited, only followed by a new one.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  "2026_11_24_000000_initial": initial,
  "2026_11_30_000000_claim_holder": claimHolder,
  "2026_11_30_000100_request_results": requestResults,
  "2026_12_01_000000_projects": projects,
  "2026_12_01_000100_artifact_content": artifactContent,
  "2026_12_01_000200_dependency_order": dependencyOrder,
  "2026_12_01_000300_tokens": tokens,
  "2026_12_01_000400_token_projects": tokenProjects,
  "2026_12_02_000000_plan_counts": planCounts,
  "2026_12_03_000000_ready_order": readyOrder,
  "2026_12_04_000000_events_by_plan_task": eventsByPlanTask,
  "2026_12_05_000000_newest_first": newestFirst,
};

/**
 * Migrations a database opened read-only may lack (open-snapshot.ts): they only add tables that
 * every read checks for (`StorePort.migrations`), or only reshape an index that reads use without
 * naming it, so an older file can still be read as it is.
 */
export const SKIPPABLE_FOR_READING: ReadonlySet<string> = new Set([
  "2026_12_01_000000_projects",
  "2026_12_03_000000_ready_order",
  "2026_12_04_000000_events_by_plan_task",
  "2026_12_05_000000_newest_first",
]);

/** Kysely's provider over the static record (FileMigrationProvider would need a real folder at run time). */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};

/** Names among `applied` that this binary does not know: a newer version migrated the database. */
export function unknownMigrations(applied: readonly string[]): string[] {
  return applied.filter((name) => !(name in MIGRATIONS));
}
