import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import { dialectOf } from "../dialect.ts";

/**
 * Plans per project and status, kept by triggers on `plans` (issue 16): get_status and
 * health_check counted plans by status from the plan index, a scan of every plan the project ever
 * had (0.5 ms at 10,000 plans, growing). Triggers rather than use-case code, so every writer of
 * `plans` keeps the counts in step in its own statement: use-cases, `store copy`, import-legacy,
 * validate_structure's repair, the project key move and any hand-written SQL. The update trigger
 * fires only when a plan's status or project changes, not on the counter updates every task
 * write makes. Filled from the plans present. Frozen.
 */
export const planCounts: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's schema types
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable("plan_counts")
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("n", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("plan_counts_pk", ["workspace", "status"])
      .execute();
    const add = (w: string, s: string) =>
      `insert into plan_counts (workspace, status, n) values (${w}, ${s}, 1)
        on conflict (workspace, status) do update set n = plan_counts.n + 1;`;
    const remove = (w: string, s: string) =>
      `update plan_counts set n = n - 1 where workspace = ${w} and status = ${s};`;
    if (dialectOf(db) === "postgres") {
      await sql
        .raw(`create function plan_counts_track() returns trigger language plpgsql as $$
          begin
            if tg_op in ('UPDATE', 'DELETE') then ${remove("old.workspace", "old.status")} end if;
            if tg_op in ('UPDATE', 'INSERT') then ${add("new.workspace", "new.status")} end if;
            return null;
          end $$`)
        .execute(db);
      await sql
        .raw(`create trigger plan_counts_insert_delete after insert or delete on plans
          for each row execute function plan_counts_track()`)
        .execute(db);
      await sql
        .raw(`create trigger plan_counts_update after update of workspace, status on plans for each row
          when (old.workspace is distinct from new.workspace or old.status is distinct from new.status)
          execute function plan_counts_track()`)
        .execute(db);
    } else {
      await sql
        .raw(
          `create trigger plan_counts_insert after insert on plans begin ${add("new.workspace", "new.status")} end`,
        )
        .execute(db);
      await sql
        .raw(
          `create trigger plan_counts_delete after delete on plans begin ${remove("old.workspace", "old.status")} end`,
        )
        .execute(db);
      await sql
        .raw(`create trigger plan_counts_update after update of workspace, status on plans
          when old.workspace <> new.workspace or old.status <> new.status
          begin ${remove("old.workspace", "old.status")} ${add("new.workspace", "new.status")} end`)
        .execute(db);
    }
    await sql`insert into plan_counts (workspace, status, n)
      select workspace, status, count(*) from plans group by workspace, status`.execute(db);
  },
};
