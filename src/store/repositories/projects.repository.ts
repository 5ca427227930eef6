import type { Executor } from "../database.ts";
import type { KeyClashes, KeyRowCounts, ProjectCheckout } from "../records.ts";

/*
 * The `projects` table (where each project key was seen) and moving a workspace's rows from one
 * key to another: the absolute path that keyed them before project ids, to the project id.
 */

/** Records that `project` was written from this host and folder (first_seen kept, last_seen moved). */
export async function recordProjectCheckout(
  db: Executor,
  c: Omit<ProjectCheckout, "firstSeen" | "lastSeen"> & { readonly now: string },
): Promise<void> {
  await db
    .insertInto("projects")
    .values({
      project: c.project,
      host: c.host,
      path: c.path,
      source: c.source,
      first_seen: c.now,
      last_seen: c.now,
    })
    .onConflict((oc) =>
      oc.columns(["project", "host", "path"]).doUpdateSet({ source: c.source, last_seen: c.now }),
    )
    .execute();
}

/** Every checkout of `project`, the most recently seen first. */
export async function findProjectCheckouts(db: Executor, project: string): Promise<ProjectCheckout[]> {
  const rows = await db
    .selectFrom("projects")
    .selectAll()
    .where("project", "=", project)
    .orderBy("last_seen", "desc")
    .orderBy("host")
    .orderBy("path")
    .limit(100)
    .execute();
  return rows.map((r) => ({
    project: r.project,
    host: r.host,
    path: r.path,
    source: r.source,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
  }));
}

/**
 * Whether any plan or event is kept under `key` (one indexed probe each). Tables of the first
 * schema only, so it also reads a database opened read-only and never migrated.
 */
export async function keyInUse(db: Executor, key: string): Promise<boolean> {
  for (const table of ["plans", "events"] as const) {
    const hit = await db
      .selectFrom(table)
      .select("workspace")
      .where("workspace", "=", key)
      .limit(1)
      .executeTakeFirst();
    if (hit) return true;
  }
  return false;
}

/** How many rows each table of the first schema holds under `key` (stored answers are a day's cache, not counted). */
export async function countKeyRows(db: Executor, key: string): Promise<KeyRowCounts> {
  const count = async (
    table: "plans" | "tasks" | "task_dependencies" | "artifacts" | "events",
  ): Promise<number> => {
    const r = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("workspace", "=", key)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  };
  return {
    plans: await count("plans"),
    tasks: await count("tasks"),
    dependencies: await count("task_dependencies"),
    artifacts: await count("artifacts"),
    events: await count("events"),
  };
}

/** Up to 20 ids per table present under both keys. */
export async function findKeyClashes(db: Executor, from: string, to: string): Promise<KeyClashes> {
  const clash = async (table: "plans" | "tasks" | "artifacts"): Promise<string[]> => {
    // Typed as plans: the three tables share the (workspace, id) key this reads.
    const t = table as "plans";
    const rows = await db
      .selectFrom(`${t} as a`)
      .innerJoin(`${t} as b`, (j) => j.onRef("b.id", "=", "a.id").on("b.workspace", "=", to))
      .select("a.id")
      .where("a.workspace", "=", from)
      .orderBy("a.id")
      .limit(20)
      .execute();
    return rows.map((r) => r.id);
  };
  return { plans: await clash("plans"), tasks: await clash("tasks"), artifacts: await clash("artifacts") };
}

/** Rows copied per insert: well under both dialects' bound-parameter limits at ~25 columns. */
const BATCH = 200;

/**
 * Moves every row keyed `from` to `to`, inside the caller's write transaction. Plans and tasks
 * are copied then deleted (the foreign keys of tasks, dependencies and artifacts have no ON
 * UPDATE, and are not deferrable on PostgreSQL); the others are updated in place. Rows are copied
 * whole (`selectAll`), so columns added by later migrations move too. Stored answers whose
 * request_id is taken under `to` stay under `from` (a day's retry cache, pruned as usual).
 * The caller checks findKeyClashes first.
 */
export async function rekeyRows(db: Executor, from: string, to: string): Promise<KeyRowCounts> {
  const moved = await countKeyRows(db, from);
  for (const table of ["plans", "tasks"] as const) {
    let after = "";
    for (;;) {
      const rows = await db
        .selectFrom(table)
        .selectAll()
        .where("workspace", "=", from)
        .where("id", ">", after)
        .orderBy("id")
        .limit(BATCH)
        .execute();
      if (rows.length === 0) break;
      await db
        .insertInto(table)
        .values(rows.map((r) => ({ ...r, workspace: to })) as never)
        .execute();
      after = rows[rows.length - 1]?.id ?? after;
    }
  }
  for (const table of ["task_dependencies", "artifacts", "events"] as const) {
    await db.updateTable(table).set({ workspace: to }).where("workspace", "=", from).execute();
  }
  await db
    .updateTable("request_results")
    .set({ workspace: to })
    .where("workspace", "=", from)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("request_results as taken")
            .select("taken.request_id")
            .where("taken.workspace", "=", to)
            .whereRef("taken.tool", "=", "request_results.tool")
            .whereRef("taken.request_id", "=", "request_results.request_id"),
        ),
      ),
    )
    .execute();
  await db.deleteFrom("tasks").where("workspace", "=", from).execute();
  await db.deleteFrom("plans").where("workspace", "=", from).execute();
  return moved;
}
