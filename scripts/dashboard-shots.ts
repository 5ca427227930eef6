/**
 * Dev-only, for scripts/dashboard-dev.ts --shots: every view in headless Chromium (light and
 * dark), screenshots, console errors and CSP violations, requests off the origin, and the time
 * from navigation to the 250-node graph drawn. Prints; asserts nothing.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_FLAGS } from "../tests/helpers/browser.ts";
import { PROJECT } from "./dashboard-fixtures.ts";

const enc = encodeURIComponent;

/** The page's globals as the callbacks run in it see them (this program has no DOM types). */
interface Page$ {
  readonly document: {
    readonly body: { readonly dataset: Record<string, string | undefined> };
    readonly activeElement: { getAttribute(n: string): string | null } | null;
  };
  readonly __pwned?: string;
}

export async function takeShots(base: string, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "orch-dev-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: CHROMIUM_FLAGS,
  });
  const problems: string[] = [];
  const origin = new URL(base).origin;
  await ctx.route("**/*", (route) => {
    const u = route.request().url();
    if (u.startsWith(origin) || u.startsWith("data:")) return route.continue();
    problems.push(`off-origin request: ${u}`);
    return route.abort();
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  const renders = (): Promise<number> =>
    page.evaluate(() => Number((globalThis as unknown as Page$).document.body.dataset.renders ?? 0));
  const waitView = async (view: string, after = 0): Promise<void> => {
    await page.waitForFunction(
      ([v, n]) =>
        (globalThis as unknown as Page$).document.body.dataset.view === v &&
        Number((globalThis as unknown as Page$).document.body.dataset.renders ?? 0) > Number(n),
      [view, after] as const,
      { timeout: 10_000 },
    );
  };
  const views: [string, string, string][] = [
    ["overview", "#/", "overview"],
    ["plan", `#/plan/${enc(PROJECT)}/plan_small`, "plan"],
    ["task", `#/task/${enc(PROJECT)}/task_0`, "task"],
    ["task-active", `#/task/${enc(PROJECT)}/task_2`, "task"],
    ["synthesis", `#/synthesis/${enc(PROJECT)}/plan_small`, "synthesis"],
    ["agents", "#/agents", "agents"],
    ["activity", "#/activity", "activity"],
    ["plan-big", `#/plan/${enc(PROJECT)}/plan_big`, "plan"],
  ];
  try {
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, hash, view] of views) {
        await page.goto("about:blank");
        await page.goto(`${base}${hash}`);
        await waitView(view);
        await page.screenshot({
          path: join(dir, `${name}-${scheme}.png`),
          fullPage: name !== "plan-big" && !name.startsWith("plan"),
        });
      }
    }
    const pwned = await page.evaluate(() => (globalThis as unknown as Page$).__pwned);
    if (pwned) problems.push(`artifact script ran: ${pwned}`);
    // The 250-node plan: navigation start → graph-drawn.
    const times: number[] = [];
    const layouts: number[] = [];
    for (let i = 0; i < 5; i++) {
      await page.goto("about:blank");
      await page.goto(`${base}#/plan/${enc(PROJECT)}/plan_big`);
      await page.waitForFunction(() => performance.getEntriesByName("graph-drawn").length > 0, undefined, {
        timeout: 30_000,
      });
      times.push(
        await page.evaluate(() => performance.getEntriesByName("graph-drawn")[0]?.startTime ?? Number.NaN),
      );
      layouts.push(
        await page.evaluate(() => performance.getEntriesByName("graph-layout")[0]?.duration ?? Number.NaN),
      );
    }
    console.log(
      `250-node graph drawn after ${times.map((t) => t.toFixed(0)).join(", ")} ms; layout took ${layouts.map((t) => t.toFixed(0)).join(", ")} ms`,
    );
    // Live: a change event recolours in place.
    await page.goto(`${base}#/plan/${enc(PROJECT)}/plan_small`);
    await waitView("plan");
    const before = await renders();
    const t0 = Date.now();
    await fetch(`${base}dev/change`, { method: "POST" });
    await waitView("plan", before);
    console.log(
      `live refresh rendered ${Date.now() - t0} ms after the change; #live=${await page.getAttribute("#live", "data-state")}`,
    );
    await liveKeys(page, dir);
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(
    problems.length
      ? `problems:\n  ${problems.join("\n  ")}`
      : "no console errors, CSP violations or off-origin requests",
  );
  console.log(`screenshots in ${dir}`);
}

async function liveKeys(page: Page, dir: string): Promise<void> {
  await page.locator('#graph g.node[data-task-id="task_1"]').focus();
  await page.keyboard.press("ArrowRight");
  const focused = await page.evaluate(() =>
    (globalThis as unknown as Page$).document.activeElement?.getAttribute("data-task-id"),
  );
  await page.keyboard.press("+");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => (globalThis as unknown as Page$).document.body.dataset.view === "task");
  console.log(
    `keyboard: ArrowRight from task_1 focused ${focused}; Enter opened ${decodeURIComponent(new URL(page.url()).hash)}`,
  );
  await page.screenshot({ path: join(dir, "after-keys.png") });
}
