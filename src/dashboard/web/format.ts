/* Formatting for people (pure, no DOM: unit-tested under Bun). */

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago" (or "in 5 min" for the future). */
export function relativeTime(iso: string | null | undefined, nowMs: number): string {
  if (!iso) return "never";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "unknown";
  const d = nowMs - t;
  const abs = Math.abs(d);
  const say = (n: number, unit: string): string => (d >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`);
  if (abs < 5_000) return "just now";
  if (abs < 60_000) return say(Math.floor(abs / 1000), "s");
  if (abs < 3_600_000) return say(Math.floor(abs / 60_000), "min");
  if (abs < 86_400_000) return say(Math.floor(abs / 3_600_000), "h");
  return say(Math.floor(abs / 86_400_000), "d");
}

/** A lease's time left: "4:05", "1:02:03", or "expired". */
export function countdown(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return "expired";
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

// The server's get_status overview cuts text the same way.
export { truncate } from "../../core/text.ts";

/** A local date and time, for tooltips and tables. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toLocaleString();
}

/** The status's non-colour cue (shape), so colour is never the only one. */
export const STATUS_ICON: Readonly<Record<string, string>> = {
  pending: "○",
  active: "◐",
  blocked: "■",
  completed: "✓",
  failed: "✕",
  cancelled: "⊘",
  archived: "▣",
};

export const statusIcon = (status: string): string => STATUS_ICON[status] ?? "?";
