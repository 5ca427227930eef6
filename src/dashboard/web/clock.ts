import { countdown, relativeTime } from "./format.ts";

/*
 * The server's clock as the page sees it: each answer carries `now`, and leases count down from
 * `remainingMs` at that instant, so a browser whose clock is off still shows the right time left.
 * One ticker a second updates every `.countdown` and `.ago` element in place (no refetch).
 */
let skew = 0;

/** Call with each answer's `now`. */
export function syncClock(serverNow: string | undefined): void {
  const t = serverNow ? Date.parse(serverNow) : Number.NaN;
  if (!Number.isNaN(t)) skew = t - Date.now();
}

export const serverNow = (): number => Date.now() + skew;

/** A page-clock deadline for a lease with `remainingMs` left at the last answer. */
export const deadline = (remainingMs: number): number => Date.now() + remainingMs;

/** Soon: under 5 minutes left (as the server's `expiringSoon`). */
export const SOON_MS = 5 * 60_000;

export function tick(root: ParentNode = document): void {
  const now = Date.now();
  for (const node of root.querySelectorAll<Element>("[data-deadline]")) {
    const left = Number(node.getAttribute("data-deadline")) - now;
    const text = countdown(left);
    if (node.textContent !== text) node.textContent = text;
    node.classList.toggle("soon", left > 0 && left < SOON_MS);
    node.classList.toggle("expired", left <= 0);
  }
  for (const node of root.querySelectorAll<Element>("[data-at]")) {
    const text = relativeTime(node.getAttribute("data-at"), serverNow());
    if (node.textContent !== text) node.textContent = text;
  }
}

export function startTicker(): void {
  setInterval(() => tick(), 1000);
}
