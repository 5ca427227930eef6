import { startTicker, tick } from "./clock.ts";
import { el, fill, link } from "./dom.ts";
import { installKeys } from "./keys.ts";
import { startLive } from "./live.ts";
import { isRouteHash, parseRoute, type Route } from "./route.ts";
import { themeToggle } from "./theme.ts";
import { activityView } from "./views/activity.ts";
import { agentsView } from "./views/agents.ts";
import { overviewView } from "./views/overview.ts";
import { planView } from "./views/plan.ts";
import { synthesisView } from "./views/synthesis.ts";
import { taskView } from "./views/task.ts";
import type { Crumb, Shell, View } from "./views/view.ts";

/*
 * The app shell: hash routing, the nav, the error banner, live refreshes. Refreshes coalesce
 * (one fetch in flight per view, at most one more queued), a stale answer for a view already
 * left is dropped, and after each completed render body[data-view] and body[data-renders] tell
 * the browser tests (and the benchmark) that the data is on screen.
 */
const main = document.getElementById("main") as HTMLElement;
const banner = document.getElementById("error") as HTMLElement;
const crumbsNav = document.getElementById("crumbs") as HTMLElement;
const live = document.getElementById("live") as HTMLElement;

let view: View | null = null;
let generation = 0;
let inFlight = -1;
let queued = false;
let renders = 0;

function showError(error: unknown): void {
  const e = error as { code?: string; message?: string };
  banner.textContent = e?.code ? `${e.code}: ${e.message ?? ""}` : String(e?.message ?? error);
  banner.hidden = false;
}

const shell: Shell = {
  root: main,
  crumbs(...items: Crumb[]) {
    document.title = `${items.at(-1)?.[0] ?? "Dashboard"} · Orchestrator`;
    fill(
      crumbsNav,
      el(
        "ol",
        {},
        items.map(([label, hash], i) =>
          el(
            "li",
            {},
            hash && i < items.length - 1 ? link(hash, label) : el("span", { "aria-current": "page" }, label),
          ),
        ),
      ),
    );
  },
  refresh,
  navigate(hash: string) {
    if (location.hash === hash) refresh();
    else location.hash = hash;
  },
  showError,
};

function create(route: Route): View {
  switch (route.view) {
    case "overview":
      return overviewView(shell);
    case "plan":
      return planView(shell, route.project, route.planId);
    case "task":
      return taskView(shell, route.project, route.taskId);
    case "synthesis":
      return synthesisView(shell, route.project, route.planId);
    case "agents":
      return agentsView(shell);
    case "activity":
      return activityView(shell);
    case "notfound":
      return {
        name: "notfound",
        load: async () => null,
        render() {
          shell.crumbs(["Overview", "#/"], ["Not found"]);
          fill(main, el("h1", {}, "Nothing here"), el("p", {}, link("#/", "Back to the overview")));
        },
      };
  }
}

/** How to find the focused element again after a re-render: its data-key, or a link by its target. */
function focusSelector(active: Element | null): string | null {
  if (!active || !main.contains(active)) return null;
  const key = active.getAttribute("data-key");
  if (key) return `[data-key="${CSS.escape(key)}"]`;
  const href = active.getAttribute("href");
  return active.tagName === "A" && href ? `a[href="${CSS.escape(href)}"]` : null;
}

async function refresh(): Promise<void> {
  const g = generation;
  const current = view;
  if (!current) return;
  if (inFlight === g) {
    queued = true;
    return;
  }
  inFlight = g;
  try {
    const data = await current.load();
    if (g !== generation) return;
    const focusKey = focusSelector(document.activeElement);
    const scroll = window.scrollY;
    current.render(data);
    banner.hidden = true;
    banner.textContent = "";
    tick(main);
    if (focusKey && !main.contains(document.activeElement))
      main.querySelector<HTMLElement>(focusKey)?.focus();
    if (window.scrollY !== scroll) window.scrollTo(0, scroll);
    document.body.dataset.view = current.name;
    document.body.dataset.renders = String(++renders);
  } catch (e) {
    if (g === generation) {
      showError(e);
      // Nothing of this view on screen yet: say so where its content would be.
      if (!main.hasChildNodes()) {
        fill(
          main,
          el("p", { class: "empty" }, "This view could not be loaded (see above)."),
          link("#/", "Overview"),
        );
      }
    }
  } finally {
    if (inFlight === g) inFlight = -1;
    if (queued && g === generation) {
      queued = false;
      void refresh();
    }
  }
}

function route(): void {
  if (!isRouteHash(location.hash)) return;
  const r = parseRoute(location.hash);
  generation++;
  queued = false;
  view = create(r);
  main.replaceChildren();
  for (const a of document.querySelectorAll("#nav a")) {
    const target = a.getAttribute("data-view");
    if (target === r.view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  window.scrollTo(0, 0);
  void refresh();
}

function boot(): void {
  document.getElementById("theme")?.replaceWith(themeToggle());
  document.querySelector("a.skip")?.addEventListener("click", (e) => {
    e.preventDefault();
    main.focus();
  });
  window.addEventListener("hashchange", route);
  installKeys((e) => view?.key?.(e) ?? false, shell.navigate);
  // The view's data first, then the event stream: the first paint waits on the former only.
  route();
  startLive(
    () => void refresh(),
    (state) => {
      live.dataset.state = state;
      live.title = `Live updates: ${state}`;
      const label = live.querySelector(".label");
      if (label)
        label.textContent = state === "open" ? "Live" : state === "connecting" ? "Connecting…" : "Offline";
    },
  );
  startTicker();
}

boot();
