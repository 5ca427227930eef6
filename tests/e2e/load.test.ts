import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { makeProject } from "../helpers/temp.ts";
import { runLoad } from "../stress/load.ts";

const a = makeProject("orch-load-a-");
const b = makeProject("orch-load-b-");
afterAll(() => {
  a.cleanup();
  b.cleanup();
});

// Fast variants (4 × 150 operations); `bun run stress` runs 8 × 1,000 and the soak.
test("4 servers on one workspace: 0 errors, 0 lost or doubled updates", async () => {
  const r = await runLoad({ workspaces: [a.dir], processes: 4, opsPerProcess: 150 });
  expect(r.errors).toBe(0);
  expect(r.acknowledged_completions).toBe(200);
  expect(r.lost_or_doubled).toBe(0);
  expect(r.counter_problems).toEqual([]);
}, 120_000);

test("4 servers, two workspaces, one shared --db: 0 errors, 0 lost or doubled updates", async () => {
  const r = await runLoad({
    workspaces: [a.dir, b.dir],
    db: join(a.dir, "shared.db"),
    processes: 4,
    opsPerProcess: 150,
  });
  expect(r.errors).toBe(0);
  expect(r.acknowledged_completions).toBe(200);
  expect(r.lost_or_doubled).toBe(0);
  expect(r.counter_problems).toEqual([]);
}, 120_000);
