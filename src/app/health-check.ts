import type { AppContext } from "./context.ts";

export interface HealthReport {
  readonly healthy: boolean;
  readonly problems: readonly string[];
  readonly database: {
    readonly dialect: "sqlite" | "postgres";
    readonly path: string;
    readonly reachable: boolean;
    readonly quick_check: string;
    readonly journal_mode: string;
    readonly schema_version: string | null;
    readonly migrations_applied: number;
    readonly size_bytes: number;
    readonly wal_bytes: number;
    /** PostgreSQL: the server's version and the pool (null on SQLite, or when the server did not answer). */
    readonly postgres: {
      readonly server_version: string;
      readonly pool: {
        readonly size: number;
        readonly idle: number;
        readonly waiting: number;
        readonly max: number;
      };
    } | null;
    /** Which rule chose this store: --db / ORCHESTRATOR_DB, the settings' `db:` (opted in), or the workspace's own file. */
    readonly chosen_by: "given" | "settings" | "workspace";
    /** E.g. a settings `db:` ignored for want of the opt-in, with its fix. */
    readonly warnings: readonly string[];
  };
  readonly claims: { readonly open: number; readonly expired: number };
  readonly plans: { readonly open: number; readonly tasks_in_open_plans: number };
}

/** Real figures about the workspace's store: reachability, integrity, schema, WAL, claims. */
export async function healthCheck(ctx: AppContext): Promise<HealthReport> {
  if (ctx.store.placeholder) return noDatabaseYet(ctx);
  const db = ctx.store.direct;
  const problems: string[] = [];
  const now = ctx.clock.now();
  let reachable = true;
  let quick = "not run";
  let journal = "unknown";
  try {
    const lines = await ctx.store.checkIntegrity(false);
    quick = lines.length === 1 && lines[0] === "ok" ? "ok" : lines.slice(0, 5).join("; ");
    if (quick !== "ok") problems.push(`SQLite quick_check: ${quick}`);
    journal = (await ctx.store.journalMode()) ?? "unknown";
    // PostgreSQL has no journal mode to get wrong (its store answers "postgres").
    if (journal !== "wal" && journal !== "postgres")
      problems.push(`journal_mode is ${journal}, expected wal`);
  } catch (e) {
    reachable = false;
    problems.push(`database unreachable: ${(e as Error).message}`);
  }
  const claims = reachable ? await db.countClaims(ctx.project, now) : { open: 0, expired: 0 };
  const plans = reachable
    ? {
        n: (await db.countPlans(ctx.project)).active,
        total: (await db.sumTaskCounts(ctx.project, ["active"])).total,
      }
    : { total: 0, n: 0 };
  const server =
    reachable && ctx.store.serverInfo ? await ctx.store.serverInfo().catch(() => undefined) : undefined;
  // Local copies that could not be written after their completion's answer (complete_subtask):
  // the texts are stored, but the user expects the files and should hear why they are missing.
  await ctx.files.copiesSettled();
  problems.push(...ctx.files.copyFailures());
  const migrations = ctx.store.migrations;
  const disk = ctx.store.diskUsage();
  return {
    healthy: problems.length === 0,
    problems,
    database: {
      dialect: ctx.store.dialect,
      path: ctx.store.path,
      reachable,
      quick_check: quick,
      journal_mode: journal,
      schema_version: migrations.at(-1) ?? null,
      migrations_applied: migrations.length,
      size_bytes: disk.databaseBytes,
      wal_bytes: disk.walBytes,
      postgres: server ? { server_version: server.serverVersion, pool: server.pool } : null,
      ...choiceFields(ctx),
    },
    claims,
    plans: { open: plans.n, tasks_in_open_plans: plans.total },
  };
}

/** A workspace nothing was written to: healthy, nothing to check, and nothing created to say so. */
function noDatabaseYet(ctx: AppContext): HealthReport {
  return {
    healthy: true,
    problems: [],
    database: {
      dialect: ctx.store.dialect,
      path: ctx.store.path,
      reachable: false,
      quick_check: "not run: no database yet (the first write creates it)",
      journal_mode: "none",
      schema_version: null,
      migrations_applied: 0,
      size_bytes: 0,
      wal_bytes: 0,
      postgres: null,
      ...choiceFields(ctx),
    },
    claims: { open: 0, expired: 0 },
    plans: { open: 0, tasks_in_open_plans: 0 },
  };
}

function choiceFields(ctx: AppContext): Pick<HealthReport["database"], "chosen_by" | "warnings"> {
  const ignored = ctx.database?.ignored;
  return { chosen_by: ctx.database?.source ?? "workspace", warnings: ignored ? [ignored] : [] };
}
