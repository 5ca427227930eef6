import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import { dialectOf } from "../dialect.ts";

/**
 * The first schema: plans, tasks, dependencies, artifacts and the event history, keyed by workspace.
 * Frozen. The one dialect difference: `events.seq` is SQLite's autoincrement rowid and a
 * PostgreSQL identity (bigint, "by default" so `store copy` can keep the numbers).
 */
export const initial: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's schema types
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable("plans")
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("id", "text", (c) => c.notNull())
      .addColumn("description", "text", (c) => c.notNull())
      .addColumn("complexity", "text", (c) => c.notNull())
      .addColumn("context", "text")
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("n_pending", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("n_active", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("n_blocked", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("n_completed", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("n_failed", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("n_cancelled", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("n_total", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addColumn("completed_at", "text")
      .addPrimaryKeyConstraint("plans_pk", ["workspace", "id"])
      .execute();
    await db.schema
      .createIndex("plans_by_status")
      .on("plans")
      .columns(["workspace", "status", "updated_at"])
      .execute();

    await db.schema
      .createTable("tasks")
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("id", "text", (c) => c.notNull())
      .addColumn("plan_id", "text", (c) => c.notNull())
      .addColumn("position", "integer", (c) => c.notNull())
      .addColumn("title", "text", (c) => c.notNull())
      .addColumn("description", "text", (c) => c.notNull())
      .addColumn("specialist_type", "text", (c) => c.notNull())
      .addColumn("estimated_effort", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("archived_from", "text")
      .addColumn("summary", "text")
      .addColumn("status_note", "text")
      .addColumn("claimed_by", "text")
      .addColumn("claim_expires_at", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addColumn("started_at", "text")
      .addColumn("completed_at", "text")
      .addPrimaryKeyConstraint("tasks_pk", ["workspace", "id"])
      .addForeignKeyConstraint("tasks_plan_fk", ["workspace", "plan_id"], "plans", ["workspace", "id"], (c) =>
        c.onDelete("cascade"),
      )
      .execute();
    await db.schema
      .createIndex("tasks_by_plan")
      .on("tasks")
      .columns(["workspace", "plan_id", "position"])
      .execute();
    await db.schema
      .createIndex("tasks_by_status")
      .on("tasks")
      .columns(["workspace", "status", "created_at"])
      .execute();
    await db.schema
      .createIndex("tasks_by_plan_status")
      .on("tasks")
      .columns(["workspace", "plan_id", "status"])
      .execute();

    await db.schema
      .createTable("task_dependencies")
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("plan_id", "text", (c) => c.notNull())
      .addColumn("task_id", "text", (c) => c.notNull())
      .addColumn("depends_on", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("task_dependencies_pk", ["workspace", "task_id", "depends_on"])
      .addForeignKeyConstraint(
        "task_dependencies_task_fk",
        ["workspace", "task_id"],
        "tasks",
        ["workspace", "id"],
        (c) => c.onDelete("cascade"),
      )
      .execute();
    await db.schema
      .createIndex("task_dependencies_by_plan")
      .on("task_dependencies")
      .columns(["workspace", "plan_id"])
      .execute();
    await db.schema
      .createIndex("task_dependencies_by_target")
      .on("task_dependencies")
      .columns(["workspace", "depends_on"])
      .execute();

    await db.schema
      .createTable("artifacts")
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("id", "text", (c) => c.notNull())
      .addColumn("task_id", "text", (c) => c.notNull())
      .addColumn("plan_id", "text", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("summary", "text", (c) => c.notNull())
      .addColumn("path", "text", (c) => c.notNull())
      .addColumn("size", "integer", (c) => c.notNull())
      .addColumn("sha256", "text", (c) => c.notNull())
      .addColumn("file_paths", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("artifacts_pk", ["workspace", "id"])
      .addForeignKeyConstraint(
        "artifacts_task_fk",
        ["workspace", "task_id"],
        "tasks",
        ["workspace", "id"],
        (c) => c.onDelete("cascade"),
      )
      .execute();
    await db.schema
      .createIndex("artifacts_by_task")
      .on("artifacts")
      .columns(["workspace", "task_id", "created_at"])
      .execute();

    const pg = dialectOf(db) === "postgres";
    await db.schema
      .createTable("events")
      .addColumn("seq", pg ? "bigint" : "integer", (c) =>
        pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
      )
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("plan_id", "text", (c) => c.notNull())
      .addColumn("task_id", "text")
      .addColumn("action", "text")
      .addColumn("from_status", "text")
      .addColumn("to_status", "text")
      .addColumn("agent_id", "text")
      .addColumn("note", "text")
      .execute();
    await db.schema
      .createIndex("events_by_plan")
      .on("events")
      .columns(["workspace", "plan_id", "seq"])
      .execute();
    await db.schema
      .createIndex("events_by_task")
      .on("events")
      .columns(["workspace", "task_id", "seq"])
      .execute();
  },
};
