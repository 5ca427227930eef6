import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Db } from "../../src/store/database.ts";
import { openStore } from "../../src/store/open.ts";
import { openPostgresStore } from "../../src/store/postgres/open.ts";
import { prepared } from "../../src/store/prepared.ts";
import { createTestDatabase } from "../helpers/postgres.ts";
import { rawPlanRow } from "../helpers/raw-rows.ts";
import { makeProject } from "../helpers/temp.ts";

/**
 * store/prepared.ts compiles a write-path statement once and then runs its SQL with new values:
 * what it returns and writes must be exactly what the plain Kysely query does, in both dialects,
 * inside transactions too, and a statement whose SQL would depend on its values must fail loudly.
 */
const dialects: [string, () => Promise<{ db: Db; close: () => Promise<void> }>][] = [
  [
    "SQLite",
    async () => {
      const project = makeProject("orch-prepared-");
      const store = await openStore(join(project.dir, "p.db"));
      return {
        db: store.db,
        close: async () => {
          await store.close();
          project.cleanup();
        },
      };
    },
  ],
  [
    "PostgreSQL",
    async () => {
      const database = await createTestDatabase();
      const store = await openPostgresStore(database.url);
      return {
        db: store.db,
        close: async () => {
          await store.close();
          await database.drop();
        },
      };
    },
  ],
];

const plan = (id: string, status: string) =>
  rawPlanRow({ workspace: "/ws", id, status, description: `plan ${id}`, at: "2026-01-01T00:00:00.000Z" });

const selectPlan = prepared((db, p: { workspace: string; id: string }) =>
  db.selectFrom("plans").selectAll().where("workspace", "=", p.workspace).where("id", "=", p.id),
);
const insertPlan = prepared((db, row: ReturnType<typeof plan>) => db.insertInto("plans").values(row));
type Update = {
  workspace: string;
  id: string;
  status?: string;
  n_total?: number;
  completed_at?: string | null;
};
const updatePlan = prepared((db, { workspace, id, ...set }: Update) =>
  db.updateTable("plans").set(set).where("workspace", "=", workspace).where("id", "=", id),
);

for (const [name, open] of dialects) {
  describe(`prepared queries: ${name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ db, close } = await open());
    });
    afterAll(async () => close());

    test("read back and written exactly as the plain query, on the database and in a transaction", async () => {
      await insertPlan(db, plan("task_0000000a", "active"));
      await db.transaction().execute(async (trx) => {
        await insertPlan(trx, plan("task_0000000b", "completed"));
        expect(await selectPlan(trx, { workspace: "/ws", id: "task_0000000b" })).toHaveLength(1);
      });
      for (const id of ["task_0000000a", "task_0000000b", "task_0000000c"]) {
        const plain = await db
          .selectFrom("plans")
          .selectAll()
          .where("workspace", "=", "/ws")
          .where("id", "=", id)
          .execute();
        expect(await selectPlan(db, { workspace: "/ws", id })).toEqual(plain);
      }
      expect((await selectPlan(db, { workspace: "/ws", id: "task_0000000b" }))[0]?.status).toBe("completed");
    });

    test("each shape is compiled for itself: different columns set, null values kept", async () => {
      await insertPlan(db, plan("task_0000000d", "active"));
      await updatePlan(db, { workspace: "/ws", id: "task_0000000d", status: "completed" }, "status");
      await updatePlan(db, { workspace: "/ws", id: "task_0000000d", n_total: 7, completed_at: "x" }, "n,c");
      expect((await selectPlan(db, { workspace: "/ws", id: "task_0000000d" }))[0]).toMatchObject({
        status: "completed",
        n_total: 7,
        completed_at: "x",
      });
      await updatePlan(db, { workspace: "/ws", id: "task_0000000d", n_total: 8, completed_at: null }, "n,c");
      expect((await selectPlan(db, { workspace: "/ws", id: "task_0000000d" }))[0]).toMatchObject({
        status: "completed",
        n_total: 8,
        completed_at: null,
      });
    });

    test("a value that is not a parameter, or undefined, fails at the first call", async () => {
      const decided = prepared((d, p: { workspace: string; which: string }) =>
        // The value steers JavaScript, not a parameter: the SQL would not follow later values.
        d
          .selectFrom(p.which === "plans" ? "plans" : "tasks")
          .select("id")
          .where("workspace", "=", p.workspace),
      );
      await expect(decided(db, { workspace: "/ws", which: "plans" })).rejects.toThrow('value "which"');
      await expect(
        updatePlan(db, { workspace: "/ws", id: "task_0000000d", status: undefined }, "undefined"),
      ).rejects.toThrow('value "status"');
    });
  });
}
