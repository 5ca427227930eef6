/**
 * A `plans` row as the table stores it, for tests that write rows around the repositories: an
 * empty plan (every counter 0), `at` as both timestamps, not completed.
 */
export function rawPlanRow(opts: {
  readonly workspace: string;
  readonly id: string;
  readonly at: string;
  readonly status?: string;
  readonly description?: string;
}) {
  return {
    workspace: opts.workspace,
    id: opts.id,
    description: opts.description ?? "p",
    complexity: "simple",
    context: null,
    status: opts.status ?? "active",
    n_pending: 0,
    n_active: 0,
    n_blocked: 0,
    n_completed: 0,
    n_failed: 0,
    n_cancelled: 0,
    n_total: 0,
    created_at: opts.at,
    updated_at: opts.at,
    completed_at: null,
  };
}
