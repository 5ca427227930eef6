import { describe, expect, test } from "bun:test";
import { noteActivity } from "../../src/platform/activity.ts";
import { copiesSettled, queueCopy } from "../../src/workspace/local-copies.ts";

/** Queues a copy that records when it ran instead of writing a file. */
function queue(log: string[], abs: string, bytes = 10): void {
  queueCopy(
    abs,
    async () => {
      log.push(abs);
    },
    { bytes, describe: (r) => r },
  );
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("local copies wait for a quiet moment", () => {
  test("no copy is written while requests keep arriving; all are, in order, once they stop", async () => {
    const log: string[] = [];
    queue(log, "/ws/a/t1/one.md");
    queue(log, "/ws/a/t1/two.md");
    queue(log, "/ws/a/t2/three.md");
    // Requests every few ms for ~100 ms: far past the quiet period, yet nothing starts.
    const until = Date.now() + 100;
    while (Date.now() < until) {
      noteActivity();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(log).toEqual([]);
    const settled = new Promise<void>((resolve) => {
      const poll = (): void => {
        if (log.length === 3) resolve();
        else setTimeout(poll, 5);
      };
      poll();
    });
    await settled;
    expect(log.indexOf("/ws/a/t1/one.md")).toBeLessThan(log.indexOf("/ws/a/t1/two.md"));
  });

  test("anything that reads or removes copies writes the waiting ones first", async () => {
    const log: string[] = [];
    queue(log, "/ws/b/t1/one.md");
    noteActivity();
    expect(await copiesSettled(undefined, 5_000)).toBe(true);
    expect(log).toEqual(["/ws/b/t1/one.md"]);
  });

  test("past the bound on waiting bytes they are written without a quiet moment", async () => {
    const log: string[] = [];
    queue(log, "/ws/c/t1/big.md", 40 * 1024 * 1024);
    // Only the answer's own turn of the event loop passes: no quiet period, no settle call.
    await tick();
    await tick();
    expect(log).toEqual(["/ws/c/t1/big.md"]);
  });

  test("synchronous copies run in short slices: a timer due meanwhile runs before the last of them", async () => {
    const log: string[] = [];
    // 200 copies of ~0.5 ms each: 100 ms of work, far past one slice (2 ms).
    for (let i = 0; i < 200; i++) {
      queueCopy(
        `/ws/d/t${i}/copy.md`,
        () => {
          const until = performance.now() + 0.5;
          while (performance.now() < until) {
            // Busy, as a slice of mkdir/open/write calls is.
          }
          log.push(`copy ${i}`);
        },
        { bytes: 10, describe: (r) => r },
      );
    }
    setTimeout(() => log.push("timer"), 5);
    expect(await copiesSettled(undefined, 5_000)).toBe(true);
    const timer = log.indexOf("timer");
    expect(timer).toBeGreaterThan(0);
    expect(timer).toBeLessThan(log.length - 1);
    // In order, each once.
    expect(log.filter((l) => l !== "timer")).toEqual(Array.from({ length: 200 }, (_, i) => `copy ${i}`));
  });

  test("a synchronous copy that throws is reported; waiting for one folder's copies does not wait for later ones elsewhere", async () => {
    const log: string[] = [];
    const { copyFailures } = await import("../../src/workspace/local-copies.ts");
    queueCopy(
      "/ws/e/t1/bad.md",
      () => {
        throw new Error("no space");
      },
      { bytes: 10, describe: (r) => `copy failed: ${r}` },
    );
    queue(log, "/ws/e/t2/good.md");
    expect(await copiesSettled("/ws/e/t1/", 5_000)).toBe(true);
    expect(copyFailures("/ws/e/")).toEqual(["copy failed: no space"]);
    expect(await copiesSettled("/ws/e/", 5_000)).toBe(true);
    expect(log).toEqual(["/ws/e/t2/good.md"]);
  });
});
