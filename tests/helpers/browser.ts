import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium (`apt-get install -y chromium`; `.ci/run` installs it when missing). */
export const CHROMIUM = process.env.ORCHESTRATOR_CHROMIUM ?? "/usr/bin/chromium";

/** Flags for a headless Chromium that itself asks nothing of the network. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** What a page did that a test must see: errors, CSP violations, requests to another origin. */
export interface PageWatch {
  readonly consoleErrors: string[];
  /** Every request whose origin is not the dashboard's (aborted, then recorded here). */
  readonly outside: string[];
}

/**
 * A headless Chromium with a fresh profile (removed by `close`), at 1280×800. Every request to
 * another origin than `origin` is aborted and recorded, so a test can assert none was tried.
 * Fails with the fix when Chromium is missing: browser tests fail, never skip.
 */
export async function openBrowser(origin: string): Promise<{
  context: BrowserContext;
  watch: PageWatch;
  newPage: () => Promise<Page>;
  close: () => Promise<void>;
}> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Chromium (apt-get install -y chromium) or set ORCHESTRATOR_CHROMIUM`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), "orch-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 800 },
  });
  const watch: PageWatch = { consoleErrors: [], outside: [] };
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (sameOrigin(url, origin)) return route.continue();
    watch.outside.push(url);
    return route.abort();
  });
  const observe = (page: Page): void => {
    page.on("console", (m) => {
      if (m.type() === "error") watch.consoleErrors.push(`${page.url()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => watch.consoleErrors.push(`${page.url()}: ${e.message}`));
  };
  context.on("page", observe);
  for (const p of context.pages()) observe(p);
  return {
    context,
    watch,
    newPage: async () => {
      const page = context.pages()[0] ?? (await context.newPage());
      return page;
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

function sameOrigin(url: string, origin: string): boolean {
  // data: and blob: URLs never leave the machine.
  if (url.startsWith("data:") || url.startsWith("blob:") || url === "about:blank") return true;
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** Waits until the dashboard rendered `view` more often than `after` times (data-renders counter). */
export async function waitForRender(page: Page, view: string, after = 0, timeout = 10_000): Promise<number> {
  await page.waitForFunction(
    ([v, n]) => {
      const body = (globalThis as unknown as PageGlobals).document.body;
      return body.dataset.view === v && Number(body.dataset.renders ?? "0") > Number(n);
    },
    [view, after] as const,
    { timeout },
  );
  return renders(page);
}

/** How many renders the dashboard completed so far. */
export function renders(page: Page): Promise<number> {
  return page.evaluate(() =>
    Number((globalThis as unknown as PageGlobals).document.body.dataset.renders ?? "0"),
  );
}

/** An element as the functions a test runs in the page see it (the test program has no DOM types). */
export interface PageElement {
  readonly tagName: string;
  readonly attributes: ArrayLike<{ readonly name: string; readonly value: string }> &
    Iterable<{ readonly name: string; readonly value: string }>;
  readonly classList: { contains(c: string): boolean };
  readonly dataset: Record<string, string | undefined>;
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
}

/** The page's globals, for `page.evaluate` callbacks: `(globalThis as unknown as PageGlobals).document`. */
export interface PageGlobals {
  readonly document: { readonly body: PageElement } & Pick<PageElement, "querySelector" | "querySelectorAll">;
  readonly __pwned?: string;
}
