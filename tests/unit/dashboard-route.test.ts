import { describe, expect, test } from "bun:test";
import { countdown, relativeTime, truncate } from "../../src/dashboard/web/format.ts";
import { apiUrl, isRouteHash, parseRoute, type Route, routeHash } from "../../src/dashboard/web/route.ts";
import { inlineImageUrl, safeLinkUrl } from "../../src/dashboard/web/url.ts";

// Project ids hold `/` and `:` and ids come from agents: every route must survive a round trip.
const PROJECT = "github.com/acme/search:service";

describe("dashboard hash routes", () => {
  test("each view round-trips through its hash, hostile ids included", () => {
    const routes: Route[] = [
      { view: "overview" },
      { view: "agents" },
      { view: "activity" },
      { view: "plan", project: PROJECT, planId: "task_1a2b3c4d" },
      { view: "task", project: "local:/home/me/a b#c?d", taskId: "impl/../x%2F" },
      { view: "synthesis", project: PROJECT, planId: "plan with spaces & ünïcode" },
    ];
    for (const r of routes) expect(parseRoute(routeHash(r))).toEqual(r);
    expect(routeHash({ view: "plan", project: PROJECT, planId: "p" })).toBe(
      "#/plan/github.com%2Facme%2Fsearch%3Aservice/p",
    );
  });

  test("the empty hash is the overview; malformed and unknown hashes are not found, never a throw", () => {
    expect(parseRoute("")).toEqual({ view: "overview" });
    expect(parseRoute("#")).toEqual({ view: "overview" });
    expect(parseRoute("#/")).toEqual({ view: "overview" });
    expect(parseRoute("#/task/%E0%A4%A/x").view).toBe("notfound");
    expect(parseRoute("#/plan/only-project").view).toBe("notfound");
    expect(parseRoute("#/plan/a/b/c").view).toBe("notfound");
    expect(parseRoute("#/nothing").view).toBe("notfound");
    expect(parseRoute("#/plan//b").view).toBe("notfound");
  });

  test("only #/ hashes are navigation (the skip link's #main is not)", () => {
    expect(isRouteHash("#main")).toBe(false);
    expect(isRouteHash("#/agents")).toBe(true);
    expect(isRouteHash("")).toBe(true);
  });

  test("API URLs are relative and encode every value; empty ones are left out", () => {
    expect(apiUrl("overview")).toBe("api/overview");
    expect(apiUrl("plan", { project: PROJECT, plan: "a&b=c" })).toBe(
      "api/plan?project=github.com%2Facme%2Fsearch%3Aservice&plan=a%26b%3Dc",
    );
    expect(apiUrl("activity", { limit: 300, project: undefined, plan: "" })).toBe("api/activity?limit=300");
  });
});

describe("dashboard formatting", () => {
  const now = Date.parse("2026-11-30T12:00:00Z");
  test("relative times, past and future, and missing or broken ones", () => {
    expect(relativeTime("2026-11-30T11:59:58Z", now)).toBe("just now");
    expect(relativeTime("2026-11-30T11:59:18Z", now)).toBe("42 s ago");
    expect(relativeTime("2026-11-30T11:55:00Z", now)).toBe("5 min ago");
    expect(relativeTime("2026-11-30T09:00:00Z", now)).toBe("3 h ago");
    expect(relativeTime("2026-11-28T12:00:00Z", now)).toBe("2 d ago");
    expect(relativeTime("2026-11-30T12:05:00Z", now)).toBe("in 5 min");
    expect(relativeTime(null, now)).toBe("never");
    expect(relativeTime("not a date", now)).toBe("unknown");
  });

  test("lease countdowns", () => {
    expect(countdown(245_000)).toBe("4:05");
    expect(countdown(3_723_000)).toBe("1:02:03");
    expect(countdown(999)).toBe("0:00");
    expect(countdown(0)).toBe("expired");
    expect(countdown(-5)).toBe("expired");
    expect(countdown(Number.NaN)).toBe("expired");
  });

  test("truncation counts characters, not UTF-16 units, and folds whitespace", () => {
    expect(truncate("short", 10)).toBe("short");
    expect(truncate("a\n  b", 10)).toBe("a b");
    expect(truncate("abcdefghij", 5)).toBe("abcd…");
    expect(truncate("😀😀😀😀😀😀", 4)).toBe("😀😀😀…");
  });
});

describe("dashboard link and image URLs", () => {
  test("links: relative, http(s) and mailto only, whatever the case, spacing or hidden tabs", () => {
    for (const ok of [
      "#/plan/a/b",
      "api/export?project=p&format=md",
      "docs/guide.md",
      "/absolute/path",
      "//other.example/x",
      "?q=1",
      "https://example.com/a",
      "HTTP://example.com",
      "mailto:someone@example.com",
      "a/b:c",
    ]) {
      expect([ok, safeLinkUrl(ok)]).toEqual([ok, true]);
    }
    for (const bad of [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      "  javascript:alert(1)",
      "java\tscript:alert(1)",
      "java\nscript:alert(1)",
      "vbscript:msgbox",
      "data:text/html,<script>alert(1)</script>",
      "file:///etc/passwd",
      "ftp://example.com",
    ]) {
      expect([bad, safeLinkUrl(bad)]).toEqual([bad, false]);
    }
  });

  test("images: only inline data: images load", () => {
    expect(inlineImageUrl("data:image/png;base64,iVBORw0KGgo=")).toBe(true);
    expect(inlineImageUrl(" DATA:IMAGE/gif;base64,R0lGOD")).toBe(true);
    expect(inlineImageUrl("https://tracker.example/pixel.png")).toBe(false);
    expect(inlineImageUrl("x")).toBe(false);
    expect(inlineImageUrl("data:text/html,<b>")).toBe(false);
  });
});
