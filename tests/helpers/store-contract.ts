import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { TASK_STATUSES, type Task, type TaskStatus } from "../../src/core/task.ts";
import type { StorePort } from "../../src/store/port.ts";
import type { NewPlan, NewTask } from "../../src/store/records.ts";

/**
 * What every store adapter must do, written against the port alone: SQLite runs it today
 * (store-port.test.ts); a second dialect (issue 13) runs the same suite with its own `open`.
 */
export function describeStoreContract(
  name: string,
  open: () => Promise<{ store: StorePort; cleanup: () => Promise<void> }>,
): void {
  describe(`store contract: ${name}`, () => {
    const ws = "/ws";
    const at = "2026-01-01T00:00:00.000Z";
    const later = "2026-01-01T01:00:00.000Z";
    let store: StorePort;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    const task = (id: string, position: number, dependencies: string[] = []): NewTask => ({
      id,
      planId: "task_0000000a",
      position,
      title: `title ${id}`,
      description: `about ${id}`,
      specialistType: "implementer",
      estimatedEffort: "1h",
      status: "pending",
      dependencies,
      createdAt: at,
      updatedAt: at,
    });
    /** An active plan as the contract's tests insert it. */
    const activePlan = (id: string, description: string, created = at): NewPlan => ({
      id,
      description,
      complexity: "simple",
      context: null,
      status: "active",
      createdAt: created,
      updatedAt: created,
    });

    async function seed(): Promise<void> {
      await store.write(async (w) => {
        await w.insertPlan(ws, activePlan("task_0000000a", "a plan"));
        await w.insertTasks(ws, [task("t_1", 0), task("t_2", 1, ["t_1"]), task("t_3", 2, ["t_2", "t_1"])]);
      });
    }

    test("inserted plans and tasks read back as domain objects, dependencies in order", async () => {
      await seed();
      const plan = await store.direct.findPlan(ws, "task_0000000a");
      expect(plan).toMatchObject({ id: "task_0000000a", status: "active", counts: { total: 0 } });
      const tasks = await store.read((r) => r.findPlanTasks(ws, "task_0000000a"));
      expect(tasks.map((t) => [t.id, t.dependencies])).toEqual([
        ["t_1", []],
        ["t_2", ["t_1"]],
        ["t_3", ["t_2", "t_1"]],
      ]);
      expect(tasks[0]).toMatchObject({ title: "title t_1", specialistType: "implementer", claim: null });
      expect(await store.direct.findTaskPlanId(ws, "t_2")).toBe("task_0000000a");
      expect(await store.direct.findTaskHeader(ws, "t_2")).toEqual({
        id: "t_2",
        planId: "task_0000000a",
        title: "title t_2",
      });
      expect(await store.direct.findTaskHeader("/other", "t_2")).toBeUndefined();
      // One task read alone keeps its dependencies' given order too (the key index lists them by id).
      expect((await store.direct.findTask(ws, "t_3"))?.dependencies).toEqual(["t_2", "t_1"]);
      expect(await store.direct.findTask("/other", "t_1")).toBeUndefined();
    });

    test("a patch changes only what it names; a claim is written and cleared whole", async () => {
      await seed();
      const claim = { agentId: "agent", expiresAt: later, holder: { host: "h", pid: 42 } };
      await store.write((w) => w.updateTask(ws, "t_1", { status: "active", claim, startedAt: at }));
      expect(await store.direct.findTask(ws, "t_1")).toMatchObject({
        status: "active",
        claim,
        startedAt: at,
        title: "title t_1",
      });
      await store.write((w) => w.updateTask(ws, "t_1", { claim: null, statusNote: "why" }));
      expect(await store.direct.findTask(ws, "t_1")).toMatchObject({ claim: null, statusNote: "why" });
      // A new claim without a holder never inherits the earlier one's.
      await store.write((w) => w.updateTask(ws, "t_1", { claim: { agentId: "b", expiresAt: later } }));
      expect((await store.direct.findTask(ws, "t_1"))?.claim).toEqual({
        agentId: "b",
        expiresAt: later,
        holder: null,
      });
    });

    test("a write that throws leaves nothing behind", async () => {
      await seed();
      await expect(
        store.write(async (w) => {
          await w.updateTask(ws, "t_1", { title: "changed" });
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect((await store.direct.findTask(ws, "t_1"))?.title).toBe("title t_1");
    });

    test("writes started together: the one that throws is rolled back alone, its neighbours all commit", async () => {
      await seed();
      // Started in one go, as a server with several requests in flight does (SQLite commits such
      // writes as one group; each must still stand or fall alone).
      const outcomes = await Promise.allSettled(
        ["t_1", "t_2", "t_3"].flatMap((id, i) => [
          store.write(async (w) => {
            await w.updateTask(ws, id, { title: `kept ${i}` });
            return id;
          }),
          store.write(async (w) => {
            await w.updateTask(ws, id, { description: `lost ${i}` });
            await w.appendEvents(ws, [
              { at, kind: "task_status_changed", planId: "task_0000000a", taskId: id },
            ]);
            throw new Error(`boom ${i}`);
          }),
        ]),
      );
      expect(outcomes.map((o) => (o.status === "fulfilled" ? o.value : (o.reason as Error).message))).toEqual(
        ["t_1", "boom 0", "t_2", "boom 1", "t_3", "boom 2"],
      );
      const tasks = await store.read((r) => r.findPlanTasks(ws, "task_0000000a"));
      expect(tasks.map((t) => [t.title, t.description])).toEqual([
        ["kept 0", "about t_1"],
        ["kept 1", "about t_2"],
        ["kept 2", "about t_3"],
      ]);
      expect(await store.direct.findPlanEvents(ws, "task_0000000a")).toEqual([]);
    });

    test("counts, plan counters and readiness follow the tasks", async () => {
      await seed();
      await store.write(async (w) => {
        await w.updateTask(ws, "t_1", { status: "completed", completedAt: at });
        const counts = await w.countPlanTasks(ws, "task_0000000a");
        await w.updatePlan(ws, "task_0000000a", { counts, updatedAt: later });
      });
      const plan = await store.direct.findPlan(ws, "task_0000000a");
      expect(plan?.counts).toMatchObject({ pending: 2, completed: 1, total: 3 });
      expect(plan?.updatedAt).toBe(later);
      expect(await store.direct.findReadyTaskIds(ws, "task_0000000a", at, 10)).toEqual(["t_2"]);
      expect((await store.direct.countTasksByPlan(ws)).get("task_0000000a")?.total).toBe(3);
    });

    test("a shift is added to the plan's counters in one statement that returns the plan", async () => {
      await seed();
      await store.write(async (w) => {
        await w.updatePlan(ws, "task_0000000a", { counts: await w.countPlanTasks(ws, "task_0000000a") });
      });
      const delta = { pending: -1, active: 1, blocked: 0, completed: 0, failed: 0, cancelled: 0, total: 0 };
      const shifted = await store.write((w) => w.shiftPlanCounts(ws, "task_0000000a", delta, later));
      expect(shifted).toMatchObject({ id: "task_0000000a", status: "active", updatedAt: later });
      expect(shifted?.counts).toEqual({ ...delta, pending: 2, active: 1, total: 3 });
      expect(await store.direct.findPlan(ws, "task_0000000a")).toEqual(shifted);
      expect(
        await store.write((w) => w.shiftPlanCounts("/other", "task_0000000a", delta, later)),
      ).toBeUndefined();
    });

    test("ready ids of several plans in one statement: each plan's first ones, in plan order", async () => {
      await seed();
      await store.write(async (w) => {
        await w.insertPlan(ws, activePlan("task_0000000b", "b"));
        // Inserted out of position order: the answer follows positions, not insertion.
        await w.insertTasks(
          ws,
          [3, 0, 2, 1].map((position) => ({ ...task(`u_${position}`, position), planId: "task_0000000b" })),
        );
      });
      const both = await store.direct.findReadyTaskIdsOfPlans(
        ws,
        ["task_0000000a", "task_0000000b", "task_0000000c"],
        at,
        3,
      );
      expect(Object.fromEntries(both.ids)).toEqual({
        task_0000000a: ["t_1"],
        task_0000000b: ["u_0", "u_1", "u_2"],
      });
      expect(both.settled).toBe(true);
      expect(both.ids.get("task_0000000b")).toEqual(
        await store.direct.findReadyTaskIds(ws, "task_0000000b", at, 3),
      );
      expect((await store.direct.findReadyTaskIdsOfPlans(ws, [], at, 3)).ids.size).toBe(0);
      // A statement compiled for a length runs with other values; past 10 plans it is built per call.
      const one = await store.direct.findReadyTaskIdsOfPlans(ws, ["task_0000000a"], at, 2);
      expect(Object.fromEntries(one.ids)).toEqual({ task_0000000a: ["t_1"] });
      const absent = Array.from({ length: 10 }, (_, i) => `task_1000000${i}`);
      const many = await store.direct.findReadyTaskIdsOfPlans(
        ws,
        ["task_0000000b", ...absent, "task_0000000a"],
        at,
        3,
      );
      expect(Object.fromEntries(many.ids)).toEqual(Object.fromEntries(both.ids));
      // A pending task holding a claim is ready once the claim lapses: until then it is left out,
      // the plan's next ones fill its place, and the answer is not settled (time changes it).
      await store.write((w) => w.updateTask(ws, "u_1", { claim: { agentId: "x", expiresAt: later } }));
      for (const length of [2, 12]) {
        const plans = ["task_0000000a", "task_0000000b", ...absent].slice(0, length);
        const held = await store.direct.findReadyTaskIdsOfPlans(ws, plans, at, 3);
        expect(Object.fromEntries(held.ids)).toEqual({
          task_0000000a: ["t_1"],
          task_0000000b: ["u_0", "u_2", "u_3"],
        });
        expect(held.settled).toBe(false);
        const lapsed = await store.direct.findReadyTaskIdsOfPlans(ws, plans, later, 3);
        expect(Object.fromEntries(lapsed.ids)).toEqual(Object.fromEntries(both.ids));
        expect(lapsed.settled).toBe(true);
      }
    });

    test("ready tasks after one: its ready dependents first, then plan order, bounded, the claim rule kept", async () => {
      const plan = "task_0000000d";
      const inPlan = (id: string, position: number, deps: string[] = []) => ({
        ...task(id, position, deps),
        planId: plan,
      });
      await store.write(async (w) => {
        await w.insertPlan(ws, activePlan(plan, "d"));
        await w.insertTasks(ws, [
          inPlan("x", 0),
          inPlan("a", 1),
          inPlan("c", 2, ["x"]),
          inPlan("b", 3),
          inPlan("d", 4, ["x"]),
          inPlan("e", 5, ["y"]),
          inPlan("y", 6),
        ]);
        await w.updateTask(ws, "x", { status: "completed", completedAt: at });
      });
      const ids = async (after: string, limit: number, now = at) =>
        (await store.direct.findReadyTasksAfter(ws, plan, after, now, limit)).map((t) => t.id);
      expect(await ids("x", 3)).toEqual(["c", "d", "a"]);
      expect(await ids("x", 10)).toEqual(["c", "d", "a", "b", "y"]);
      expect(await ids("a", 2)).toEqual(["a", "c"]);
      expect(await store.direct.findReadyTasksAfter(ws, plan, "x", at, 1)).toEqual([
        { id: "c", title: "title c", specialistType: "implementer" },
      ]);
      // A pending task holding a live claim is left out until the claim lapses.
      await store.write((w) => w.updateTask(ws, "d", { claim: { agentId: "other", expiresAt: later } }));
      expect(await ids("x", 10)).toEqual(["c", "a", "b", "y"]);
      expect(await ids("x", 10, later)).toEqual(["c", "d", "a", "b", "y"]);
      expect(await store.direct.findReadyTasksAfter("/other", plan, "x", at, 10)).toEqual([]);
    });

    test("a task's readiness siblings: its dependencies", async () => {
      await seed();
      await store.write(async (w) => {
        await w.updateTask(ws, "t_1", { status: "completed", completedAt: at });
        await w.updateTask(ws, "t_3", { status: "active" });
      });
      const all = await store.direct.findPlanTasks(ws, "task_0000000a");
      const only = await store.direct.findTaskForReadiness(ws, "t_3");
      expect(only?.task).toEqual(all[2]!);
      expect(only?.siblings.map((t) => t.id)).toEqual(["t_1", "t_2", "t_3"]);
      const alone = await store.read((r) => r.findTaskForReadiness(ws, "t_1"));
      expect(alone?.siblings).toEqual([all[0]!]);
      expect(await store.direct.findTaskForReadiness(ws, "t_9")).toBeUndefined();
    });

    test("search filters, counts and pages", async () => {
      await seed();
      const all = await store.direct.searchTasks(ws, { status: [], specialistType: [], limit: 2, offset: 0 });
      expect(all.total).toBe(3);
      expect(all.tasks).toHaveLength(2);
      const text = await store.direct.searchTasks(ws, {
        status: [],
        specialistType: [],
        text: "T_3",
        limit: 10,
        offset: 0,
      });
      expect(text.tasks.map((t) => t.id)).toEqual(["t_3"]);
    });

    test("search pages newest first over every status as one sorted list would, each filter with its count", async () => {
      await seed();
      // Two more plans created at other times, tasks spread over statuses (archived left out by default).
      const statuses: TaskStatus[] = [
        ...["completed", "pending", "active", "archived", "failed", "completed"],
        ...["completed", "pending", "completed", "blocked", "cancelled", "completed"],
      ] as TaskStatus[];
      await store.write(async (w) => {
        for (const [p, created] of [
          ["task_0000000b", "2026-01-02T00:00:00.000Z"],
          ["task_0000000c", "2026-01-02T00:00:00.000Z"],
        ] as const) {
          await w.insertPlan(ws, activePlan(p, p, created));
          await w.insertTasks(
            ws,
            statuses.map((status, i) => ({
              ...task(`${p.slice(-1)}_${i}`, 11 - i),
              planId: p,
              status,
              createdAt: created,
            })),
          );
        }
      });
      const rows = [
        ...(await store.direct.findPlanTasks(ws, "task_0000000a")),
        ...(await store.direct.findPlanTasks(ws, "task_0000000b")),
        ...(await store.direct.findPlanTasks(ws, "task_0000000c")),
      ];
      const newestFirst = (a: Task, b: Task) =>
        a.createdAt !== b.createdAt
          ? a.createdAt < b.createdAt
            ? 1
            : -1
          : a.planId !== b.planId
            ? a.planId < b.planId
              ? -1
              : 1
            : a.position - b.position;
      // No filter and every live status named walk the newest tasks in one statement (archived ones
      // too when named); the others read each status's newest and merge them.
      const live = TASK_STATUSES.filter((s) => s !== "archived");
      for (const status of [
        [],
        ["completed"],
        ["pending", "completed", "pending"],
        ["archived", "failed"],
        [...live].reverse(),
        [...TASK_STATUSES],
        live.slice(1),
      ] as TaskStatus[][]) {
        const expected = rows
          .filter((t) => (status.length > 0 ? status.includes(t.status) : t.status !== "archived"))
          .sort(newestFirst)
          .map((t) => t.id);
        for (const [offset, limit] of [
          [0, 100],
          [0, 2],
          [2, 3],
          [7, 5],
        ]) {
          const page = await store.direct.searchTasks(ws, {
            status,
            specialistType: [],
            limit: limit!,
            offset: offset!,
          });
          expect(page.tasks.map((t) => t.id)).toEqual(expected.slice(offset, offset! + limit!));
          expect(page.total).toBe(expected.length);
          // A brief list (query_tasks' default) reads less but lists the same page the same way.
          const briefs = await store.direct.searchTaskBriefs(ws, {
            status,
            specialistType: [],
            limit: limit!,
            offset: offset!,
          });
          expect(briefs).toEqual({
            total: page.total,
            tasks: page.tasks.map((t) => ({ id: t.id, planId: t.planId, title: t.title, status: t.status })),
          });
          // One plan's tasks (its own compiled statements), and with a per-call filter too.
          const inPlan = expected.filter((id) => id.startsWith("b_"));
          const q = { status, specialistType: [], planId: "task_0000000b", limit: limit!, offset: offset! };
          const planPage = await store.direct.searchTaskBriefs(ws, q);
          expect(planPage.tasks.map((t) => t.id)).toEqual(inPlan.slice(offset, offset! + limit!));
          expect(planPage.total).toBe(inPlan.length);
          const filtered = await store.direct.searchTasks(ws, { ...q, specialistType: ["implementer"] });
          expect(filtered.tasks.map((t) => t.id)).toEqual(inPlan.slice(offset, offset! + limit!));
          expect(filtered.total).toBe(inPlan.length);
        }
      }
    });

    test("renewing claims extends only live ones of the named agents", async () => {
      await seed();
      await store.write(async (w) => {
        await w.updateTask(ws, "t_1", { claim: { agentId: "a", expiresAt: later } });
        await w.updateTask(ws, "t_2", { claim: { agentId: "a", expiresAt: at } });
        await w.updateTask(ws, "t_3", { claim: { agentId: "b", expiresAt: later } });
      });
      const expiresAt = "2026-01-01T02:00:00.000Z";
      await store.direct.renewClaims(ws, {
        agentIds: ["a"],
        now: "2026-01-01T00:30:00.000Z",
        expiresAt,
        holder: { host: "h", pid: 7 },
      });
      const [t1, t2, t3] = await store.direct.findPlanTasks(ws, "task_0000000a");
      expect(t1?.claim).toEqual({ agentId: "a", expiresAt, holder: { host: "h", pid: 7 } });
      expect(t2?.claim?.expiresAt).toBe(at);
      expect(t3?.claim?.expiresAt).toBe(later);
      expect(await store.direct.countClaims(ws, "2026-01-01T00:30:00.000Z")).toEqual({ open: 3, expired: 1 });
      // The /metrics gauge: live claims of every project, the expired one left out.
      expect(await store.direct.countHeldClaims("2026-01-01T00:30:00.000Z")).toBe(2);
    });

    test("dependencies are replaced, and a dangling one is found and removed", async () => {
      await seed();
      await store.write((w) => w.replaceDependencies(ws, { id: "t_3", planId: "task_0000000a" }, ["t_1"]));
      expect((await store.direct.findTask(ws, "t_3"))?.dependencies).toEqual(["t_1"]);
      await store.write(async (w) => {
        await w.deleteDependenciesOn(ws, ["t_2"]);
        await w.deleteTask(ws, "t_2");
      });
      expect(await store.direct.findDanglingDependencies(ws)).toEqual([]);
      expect(await store.direct.findTask(ws, "t_2")).toBeUndefined();
    });

    test("request results are stored and found per workspace", async () => {
      const request = {
        tool: "plan_task",
        requestId: "r1",
        fingerprint: "f",
        result: "{}",
        createdAt: at,
      };
      await store.write((w) => w.insertRequestResult(ws, request));
      expect(await store.direct.findRequestResult(ws, "plan_task", "r1")).toEqual(request);
      expect(await store.direct.findRequestResult("/other", "plan_task", "r1")).toBeUndefined();
      await store.write((w) => w.pruneRequestResults(later));
      expect(await store.direct.findRequestResult(ws, "plan_task", "r1")).toBeUndefined();
    });

    test("checkouts of a project are recorded once per host and path, last_seen moving", async () => {
      const c = { project: "github.com/o/r", host: "h1", path: "/a", source: "git-remote" };
      await store.write((w) => w.recordProjectCheckout({ ...c, now: at }));
      await store.write((w) => w.recordProjectCheckout({ ...c, now: later }));
      await store.write((w) => w.recordProjectCheckout({ ...c, host: "h2", path: "/b", now: at }));
      expect(await store.direct.findProjectCheckouts("github.com/o/r")).toEqual([
        { ...c, firstSeen: at, lastSeen: later },
        { ...c, host: "h2", path: "/b", firstSeen: at, lastSeen: at },
      ]);
      expect(await store.direct.findProjectCheckouts("other")).toEqual([]);
    });

    test("rows move from an old key to a new one whole; clashing ids are found first", async () => {
      await seed();
      await store.write((w) =>
        w.insertRequestResult(ws, {
          tool: "plan_task",
          requestId: "r1",
          fingerprint: "f",
          result: "{}",
          createdAt: at,
        }),
      );
      expect(await store.direct.keyInUse(ws)).toBe(true);
      expect(await store.direct.keyInUse("proj")).toBe(false);
      expect(await store.direct.findKeyClashes(ws, "proj")).toEqual({ plans: [], tasks: [], artifacts: [] });
      const before = await store.direct.countKeyRows(ws);
      expect(before).toMatchObject({ plans: 1, tasks: 3, dependencies: 3 });
      expect(await store.write((w) => w.rekeyRows(ws, "proj"))).toEqual(before);
      expect(await store.direct.countKeyRows(ws)).toEqual({
        plans: 0,
        tasks: 0,
        dependencies: 0,
        artifacts: 0,
        events: 0,
      });
      expect(await store.direct.findRequestResult("proj", "plan_task", "r1")).toMatchObject({
        requestId: "r1",
      });
      expect(await store.direct.countKeyRows("proj")).toEqual(before);
      expect((await store.direct.findTask("proj", "t_3"))?.dependencies).toEqual(["t_2", "t_1"]);
      await seed();
      expect(await store.direct.findKeyClashes(ws, "proj")).toEqual({
        plans: ["task_0000000a"],
        tasks: ["t_1", "t_2", "t_3"],
        artifacts: [],
      });
    });

    test("plans counted by status follow every plan write: insert, status change, move to a new key, delete", async () => {
      const none = { active: 0, completed: 0, cancelled: 0, archived: 0 };
      expect(await store.direct.countPlans(ws)).toEqual(none);
      await seed();
      await store.write((w) => w.insertPlan(ws, activePlan("task_0000000b", "another")));
      expect(await store.direct.countPlans(ws)).toEqual({ ...none, active: 2 });
      // A counters-only update (every task write makes one) leaves the counts alone.
      await store.write((w) => w.updatePlan(ws, "task_0000000b", { updatedAt: later }));
      await store.write((w) =>
        w.updatePlan(ws, "task_0000000a", { status: "completed", completedAt: later }),
      );
      expect(await store.direct.countPlans(ws)).toEqual({ ...none, active: 1, completed: 1 });
      await store.write((w) => w.deletePlan(ws, "task_0000000b"));
      expect(await store.direct.countPlans(ws)).toEqual({ ...none, completed: 1 });
      await store.write((w) => w.rekeyRows(ws, "proj"));
      expect(await store.direct.countPlans(ws)).toEqual(none);
      expect(await store.direct.countPlans("proj")).toEqual({ ...none, completed: 1 });
      expect(await store.direct.countPlans("/other")).toEqual(none);
    });

    test("dependencies read back in the order given, whatever their ids' order (issue 13)", async () => {
      await seed();
      const order = async () => ({
        one: (await store.direct.findTask(ws, "t_3"))?.dependencies,
        plan: (await store.read((r) => r.findPlanTasks(ws, "task_0000000a"))).at(-1)?.dependencies,
        many: (await store.direct.findDependencies(ws, ["t_2", "t_3"])).get("t_3"),
        page: (await store.direct.findPlanTasksPage(ws, "task_0000000a", { exclude: [], limit: 5 })).tasks.at(
          -1,
        )?.dependencies,
      });
      expect(await order()).toEqual({
        one: ["t_2", "t_1"],
        plan: ["t_2", "t_1"],
        many: ["t_2", "t_1"],
        page: ["t_2", "t_1"],
      });
      await store.write((w) =>
        w.replaceDependencies(ws, { id: "t_3", planId: "task_0000000a" }, ["t_1", "t_2"]),
      );
      expect((await order()).plan).toEqual(["t_1", "t_2"]);
      await store.write((w) =>
        w.replaceDependencies(ws, { id: "t_3", planId: "task_0000000a" }, ["t_2", "t_1"]),
      );
      expect(await order()).toEqual({
        one: ["t_2", "t_1"],
        plan: ["t_2", "t_1"],
        many: ["t_2", "t_1"],
        page: ["t_2", "t_1"],
      });
    });

    test("text search folds ASCII case only, and % _ \\ match themselves, in every dialect", async () => {
      await seed();
      await store.write(async (w) => {
        await w.updateTask(ws, "t_1", { title: "Straße ÉCOLE MiXeD" });
        await w.updateTask(ws, "t_2", { summary: "100% done_ok \\ here" });
      });
      const find = async (text: string) =>
        (
          await store.direct.searchTasks(ws, { status: [], specialistType: [], text, limit: 10, offset: 0 })
        ).tasks
          .map((t) => t.id)
          .sort();
      expect(await find("mixed")).toEqual(["t_1"]);
      expect(await find("MIXED")).toEqual(["t_1"]);
      expect(await find("STRASSE")).toEqual([]);
      expect(await find("straße")).toEqual(["t_1"]);
      // SQLite's LIKE folds A-Z only: é does not match É, and PostgreSQL must agree.
      expect(await find("école")).toEqual([]);
      expect(await find("ÉCOLE")).toEqual(["t_1"]);
      expect(await find("100%")).toEqual(["t_2"]);
      expect(await find("0%")).toEqual(["t_2"]);
      expect(await find("1%0")).toEqual([]);
      expect(await find("done_ok")).toEqual(["t_2"]);
      expect(await find("done_o_")).toEqual([]);
      expect(await find("\\ HERE")).toEqual(["t_2"]);
      expect(await find("ABOUT T_")).toEqual(["t_1", "t_2", "t_3"]);
    });

    test("numbers come back as numbers, history in append order", async () => {
      await seed();
      await store.write(async (w) => {
        await w.updateTask(ws, "t_1", {
          claim: { agentId: "a", expiresAt: later, holder: { host: "h", pid: 4_000_000 } },
        });
        await w.appendEvents(ws, [
          {
            at,
            kind: "task_status_changed",
            planId: "task_0000000a",
            taskId: "t_1",
            action: "start",
            from: "pending",
            to: "active",
          },
          {
            at,
            kind: "task_status_changed",
            planId: "task_0000000a",
            taskId: "t_1",
            action: "complete",
            from: "active",
            to: "completed",
          },
          // Neither is t_1's history: another task's event and a plan-level one, in between.
          { at, kind: "task_status_changed", planId: "task_0000000a", taskId: "t_2", action: "start" },
          { at, kind: "plan_created", planId: "task_0000000a", taskId: null },
        ]);
      });
      const events = await store.direct.findTaskEvents(ws, "task_0000000a", "t_1");
      expect(events.map((e) => e.action)).toEqual(["start", "complete"]);
      // Newest first, then oldest first in the answer: the limit keeps the latest.
      expect((await store.direct.findTaskEvents(ws, "task_0000000a", "t_1", 1)).map((e) => e.action)).toEqual(
        ["complete"],
      );
      expect(await store.direct.findTaskEvents("/other", "task_0000000a", "t_1")).toEqual([]);
      expect(typeof events[0]?.seq).toBe("number");
      expect((events[1]?.seq ?? 0) > (events[0]?.seq ?? 0)).toBe(true);
      const claims = await store.direct.countClaims(ws, at);
      expect(claims).toEqual({ open: 1, expired: 0 });
      expect((await store.direct.findTask(ws, "t_1"))?.claim?.holder?.pid).toBe(4_000_000);
      const counts = await store.direct.countPlanTasks(ws, "task_0000000a");
      expect(counts.pending).toBe(3);
      expect(
        typeof (await store.direct.findPlanTasksPage(ws, "task_0000000a", { exclude: [], limit: 1 })).total,
      ).toBe("number");
      expect((await store.direct.sumTaskCounts(ws, ["active"])).total).toBe(0);
    });

    test("an artifact's text is stored with its row, read back by id, and listings carry only whether it is there", async () => {
      await seed();
      const artifact = (id: string) => ({
        id,
        taskId: "t_1",
        planId: "task_0000000a",
        type: "code" as const,
        summary: "s",
        path: `.task_orchestrator/artifacts/task_0000000a/t_1/${id}.md`,
        size: 9,
        sha256: "0".repeat(64),
        filePaths: ["src/a.ts"],
        createdAt: at,
        inStore: true,
      });
      const text = "é ünïcode";
      expect(await store.write((w) => w.insertArtifact(ws, artifact("artifact_0000000a"), text))).toBe(true);
      // A taken id stores nothing and says so (the use-case draws another).
      expect(
        await store.write((w) =>
          w.insertArtifact(ws, { ...artifact("artifact_0000000a"), summary: "other" }, "x"),
        ),
      ).toBe(false);
      const found = await store.direct.findArtifact(ws, "artifact_0000000a");
      expect(found).toEqual(artifact("artifact_0000000a"));
      const listed = await store.direct.findTaskArtifacts(ws, ["t_1"]);
      expect(listed.get("t_1")?.map((a) => a.inStore)).toEqual([true]);
      expect(await store.direct.findArtifactContents(ws, ["artifact_0000000a", "artifact_0000000b"])).toEqual(
        new Map([["artifact_0000000a", text]]),
      );
      expect((await store.direct.findArtifactContents("/other", ["artifact_0000000a"])).size).toBe(0);
    });

    test("tokens: stored by name and digest, listed, revoked once, touched; per database", async () => {
      const hash = (c: string): string => c.repeat(64);
      const token = {
        name: "alice",
        hash: hash("a"),
        createdAt: at,
        lastUsedAt: null,
        expiresAt: later,
        revokedAt: null,
        projects: null,
      };
      expect(await store.direct.countTokens()).toBe(0);
      await store.write((w) => w.insertToken(token));
      await store.write((w) => w.insertToken({ ...token, name: "bob", hash: hash("b"), expiresAt: null }));
      expect(await store.direct.findToken("alice")).toEqual(token);
      expect((await store.direct.findTokenByHash(hash("b")))?.name).toBe("bob");
      expect(await store.direct.findTokenByHash(hash("c"))).toBeUndefined();
      expect((await store.direct.listTokens()).map((t) => t.name)).toEqual(["alice", "bob"]);
      // A name and a digest are each unique.
      await expect(store.write((w) => w.insertToken({ ...token, hash: hash("d") }))).rejects.toThrow();
      await expect(store.write((w) => w.insertToken({ ...token, name: "carol" }))).rejects.toThrow();
      expect(await store.direct.revokeToken("alice", later)).toBe(true);
      expect(await store.direct.revokeToken("alice", later)).toBe(false);
      expect(await store.direct.revokeToken("nobody", later)).toBe(false);
      await store.direct.touchToken("bob", later);
      expect(await store.direct.findToken("bob")).toMatchObject({ lastUsedAt: later, revokedAt: null });
      expect(await store.direct.findToken("alice")).toMatchObject({ revokedAt: later });
      expect(await store.direct.countTokens()).toBe(2);
    });

    test("tokens: a project list is kept in order, null is every project, an invalid list is refused", async () => {
      const hash = (c: string): string => c.repeat(64);
      const base = { createdAt: at, lastUsedAt: null, expiresAt: null, revokedAt: null };
      const limited = { ...base, name: "dora", hash: hash("e"), projects: ["github.com/acme/b", "acme-a"] };
      await store.write((w) => w.insertToken(limited));
      await store.write((w) => w.insertToken({ ...base, name: "eve", hash: hash("f"), projects: null }));
      expect(await store.direct.findToken("dora")).toEqual(limited);
      expect((await store.direct.findTokenByHash(hash("f")))?.projects).toBeNull();
      for (const projects of [[], ["Not Valid"], ["../x"]]) {
        await expect(
          store.write((w) => w.insertToken({ ...base, name: "frank", hash: hash("9"), projects })),
        ).rejects.toThrow(/project ids/);
      }
      expect(await store.direct.findToken("frank")).toBeUndefined();
    });

    test("dashboard reads: projects, per-plan groups, newest events with titles, claims and completions across projects", async () => {
      await seed();
      const other = "github.com/acme/other";
      await store.write(async (w) => {
        await w.insertPlan(other, {
          id: "task_0000000b",
          description: "other plan",
          complexity: "simple",
          context: null,
          status: "active",
          createdAt: at,
          updatedAt: at,
        });
        await w.insertTasks(other, [
          { ...task("o_1", 0), planId: "task_0000000b", specialistType: "tester" },
        ]);
        await w.updateTask(ws, "t_1", { status: "active", claim: { agentId: "ann", expiresAt: later } });
        await w.updateTask(ws, "t_3", { status: "archived" });
        await w.updateTask(other, "o_1", { status: "active", claim: { agentId: "bob", expiresAt: at } });
        await w.appendEvents(ws, [
          {
            at,
            kind: "task_status_changed",
            planId: "task_0000000a",
            taskId: "t_2",
            to: "completed",
            agentId: "ann",
          },
          { at: later, kind: "task_updated", planId: "task_0000000a", taskId: "t_9" },
        ]);
        await w.appendEvents(other, [{ at, kind: "plan_created", planId: "task_0000000b", taskId: null }]);
      });
      const r = store.direct;
      expect(await r.findPlanProjects()).toEqual([other, ws].sort());
      expect(await r.countTasksByRole(ws, ["task_0000000a", "task_nope"])).toEqual(
        new Map([["task_0000000a", { implementer: 2 }]]),
      );
      const mid = "2026-01-01T00:30:00.000Z";
      expect(await r.countClaimsByPlan(ws, ["task_0000000a"], mid)).toEqual(new Map([["task_0000000a", 1]]));
      expect(await r.countClaimsByPlan(ws, ["task_0000000a"], later)).toEqual(new Map());
      const newest = await r.findLastActivity(ws, ["task_0000000a", "task_nope"]);
      expect([...newest.keys()]).toEqual(["task_0000000a"]);
      expect(newest.get("task_0000000a")!.at).toBe(later);
      const seqs = (await r.findPlanEvents(ws, "task_0000000a")).map((e) => e.seq);
      expect(newest.get("task_0000000a")!.seq).toBe(Math.max(...seqs));
      expect(await r.countArtifactsByTask(ws, ["t_1"])).toEqual(new Map());

      const events = await r.findRecentEvents({ projects: null, limit: 10 });
      expect(events.map((e) => [e.project, e.event.kind, e.planTitle, e.taskTitle])).toEqual([
        [other, "plan_created", "other plan", null],
        [ws, "task_updated", "a plan", null],
        [ws, "task_status_changed", "a plan", "title t_2"],
      ]);
      expect((await r.findRecentEvents({ projects: [ws], limit: 1 })).map((e) => e.event.kind)).toEqual([
        "task_updated",
      ]);
      expect(await r.findRecentEvents({ projects: [ws], planId: "task_0000000b", limit: 10 })).toEqual([]);
      expect(await r.findRecentEvents({ projects: [], limit: 10 })).toEqual([]);

      const claims = await r.findHeldClaims({ projects: [ws, other], limit: 10 });
      expect(claims.map((c) => [c.project, c.taskId, c.claim.agentId, c.status])).toEqual([
        [other, "o_1", "bob", "active"],
        [ws, "t_1", "ann", "active"],
      ]);
      expect((await r.findHeldClaims({ projects: [ws], limit: 10 })).map((c) => c.taskId)).toEqual(["t_1"]);
      expect(await r.findRecentCompletions({ projects: null, since: at, window: 100 })).toEqual([
        { project: ws, planId: "task_0000000a", taskId: "t_2", title: "title t_2", agentId: "ann", at },
      ]);
      expect(await r.findRecentCompletions({ projects: null, since: later, window: 100 })).toEqual([]);
      // Only the newest `window` events are looked at.
      expect(await r.findRecentCompletions({ projects: null, since: at, window: 2 })).toEqual([]);
      expect(await r.findAgentsLastSeen({ projects: [ws], window: 100 })).toEqual(new Map([["ann", at]]));
    });

    test("the engine reports its own health", async () => {
      expect(await store.checkIntegrity(false)).toEqual(["ok"]);
      expect(store.migrations.length).toBeGreaterThan(0);
    });
  });
}
