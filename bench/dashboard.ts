/**
 * The dashboard's figures (issue 15), part of `bun run bench`; alone: `bun bench/dashboard.ts`.
 * - A plan of 250 subtasks opened in headless Chromium: from navigation start to the graph drawn
 *   (the front end's `graph-drawn` performance mark), fresh page load each run. Target ≤ 500 ms.
 * - Live: from an MCP complete_subtask returning to its node recoloured in the open page. Target ≤ 1 s.
 * - The embedded front end's size per asset, raw and gzipped.
 * It prints numbers and asserts nothing.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openBrowser, type PageGlobals } from "../tests/helpers/browser.ts";
import { callOk, connectBinary } from "../tests/helpers/client.ts";
import { seedPlan, startUi, tempHome, widePlan } from "../tests/helpers/dashboard.ts";
import { percentile } from "../tests/stress/load.ts";
import { round } from "./_util.ts";

export interface DashboardFigures {
  readonly tasks: number;
  readonly dependencies: number;
  readonly graph_drawn_ms: { readonly median: number; readonly max: number; readonly runs: number };
  readonly live_update_ms: { readonly p50: number; readonly max: number; readonly runs: number };
  readonly targets: { readonly graph_drawn_ms: number; readonly live_update_ms: number };
}

const TASKS = 250;

export async function dashboardFigures(quick: boolean): Promise<DashboardFigures> {
  const ws = mkdtempSync(join(tmpdir(), "orch-bench-ui-"));
  mkdirSync(join(ws, ".git"));
  const mcp = await connectBinary({ cwd: ws });
  const home = tempHome();
  const ui = await startUi({ cwd: ws, home: home.dir, args: ["--workspace", ws] });
  const browser = await openBrowser(ui.origin);
  try {
    const plan = widePlan(TASKS);
    const { planId, ids } = await seedPlan(mcp.client, ws, "A plan of 250 subtasks", plan);
    const page = await browser.newPage();
    await page.goto(ui.url);
    const overview = (await (await page.request.get(`${ui.origin}/api/overview`)).json()) as {
      projects: { id: string }[];
    };
    const project = overview.projects[0]?.id ?? "";
    const target = `${ui.origin}/#/plan/${encodeURIComponent(project)}/${encodeURIComponent(planId)}`;
    const drawn: number[] = [];
    const runs = quick ? 3 : 10;
    for (let i = 0; i < runs; i++) {
      // A fresh document each run: about:blank first, so the hash change is a real navigation.
      await page.goto("about:blank");
      await page.goto(target);
      await page.waitForFunction(
        () =>
          (globalThis as unknown as { performance: Performance }).performance.getEntriesByName("graph-drawn")
            .length > 0,
        undefined,
        { timeout: 30_000 },
      );
      drawn.push(
        await page.evaluate(
          () =>
            (globalThis as unknown as { performance: Performance }).performance.getEntriesByName(
              "graph-drawn",
            )[0]?.startTime ?? Number.NaN,
        ),
      );
    }
    // Live: complete ready tasks one by one and wait for each node's colour.
    const live: number[] = [];
    const liveRuns = quick ? 3 : 10;
    for (let i = 0; i < liveRuns; i++) {
      const taskId = ids.get(`Task ${i}`) ?? "";
      await callOk(mcp.client, "orchestrator_complete_subtask", {
        task_id: taskId,
        summary: `done ${i}`,
        detailed_work: `Result ${i}`,
      });
      const returned = performance.now();
      await page.waitForFunction(
        (id) =>
          (globalThis as unknown as PageGlobals).document
            .querySelector(`#graph g.node[data-task-id="${id}"]`)
            ?.getAttribute("data-status") === "completed",
        taskId,
        { timeout: 30_000, polling: 10 },
      );
      live.push(performance.now() - returned);
    }
    const deps = plan.reduce((n, t) => n + (t.dependencies?.length ?? 0), 0);
    return {
      tasks: TASKS,
      dependencies: deps,
      graph_drawn_ms: { median: round(percentile(drawn, 50), 1), max: round(Math.max(...drawn), 1), runs },
      live_update_ms: {
        p50: round(percentile(live, 50), 1),
        max: round(Math.max(...live), 1),
        runs: liveRuns,
      },
      targets: { graph_drawn_ms: 500, live_update_ms: 1000 },
    };
  } finally {
    await browser.close();
    await ui.stop();
    await mcp.close();
    rmSync(ws, { recursive: true, force: true });
    home.cleanup();
  }
}

export function printDashboardFigures(f: DashboardFigures): void {
  console.log(
    `dashboard: ${f.tasks}-subtask plan (${f.dependencies} dependencies) drawn in Chromium ${f.graph_drawn_ms.median} ms median, ${f.graph_drawn_ms.max} ms max over ${f.graph_drawn_ms.runs} loads (target ≤ ${f.targets.graph_drawn_ms}); live update ${f.live_update_ms.p50} ms p50, ${f.live_update_ms.max} ms max (target ≤ ${f.targets.live_update_ms})`,
  );
}

if (import.meta.main) printDashboardFigures(await dashboardFigures(process.argv.includes("--quick")));
