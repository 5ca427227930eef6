/**
 * How many plans of a project are in each status, kept by triggers on `plans` (migration
 * 2026_12_02_000000_plan_counts) in the statement that changes a plan, so every writer (use-cases,
 * `store copy`, import-legacy, repairs, hand-written SQL) keeps it in step and it cannot drift.
 * A status whose plans are all gone keeps its row with n = 0.
 */
export interface PlanCountsTable {
  workspace: string;
  status: string;
  n: number;
}
