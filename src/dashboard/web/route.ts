/*
 * Hash routes (pure, no DOM: unit-tested under Bun). Project ids hold `/` and `:` and every id
 * came from an agent, so each part is one encodeURIComponent'd segment and a malformed one is a
 * "not found" view, never an exception.
 */
export type Route =
  | { readonly view: "overview" }
  | { readonly view: "plan"; readonly project: string; readonly planId: string }
  | { readonly view: "task"; readonly project: string; readonly taskId: string }
  | { readonly view: "synthesis"; readonly project: string; readonly planId: string }
  | { readonly view: "agents" }
  | { readonly view: "activity" }
  | { readonly view: "notfound"; readonly hash: string };

/** The hash the app treats as a route (`#/...`); anything else (`#main`) is not navigation. */
export function isRouteHash(hash: string): boolean {
  return hash === "" || hash === "#" || hash.startsWith("#/");
}

export function parseRoute(hash: string): Route {
  const raw = hash.startsWith("#") ? hash.slice(1) : hash;
  const path = raw.replace(/^\/+/, "").replace(/\/+$/, "");
  if (path === "") return { view: "overview" };
  const parts: string[] = [];
  for (const p of path.split("/")) {
    try {
      parts.push(decodeURIComponent(p));
    } catch {
      return { view: "notfound", hash };
    }
  }
  const [head, a, b] = parts;
  if (parts.length === 1 && head === "agents") return { view: "agents" };
  if (parts.length === 1 && head === "activity") return { view: "activity" };
  if (parts.length === 1 && head === "overview") return { view: "overview" };
  if (parts.length === 3 && a && b) {
    if (head === "plan") return { view: "plan", project: a, planId: b };
    if (head === "task") return { view: "task", project: a, taskId: b };
    if (head === "synthesis") return { view: "synthesis", project: a, planId: b };
  }
  return { view: "notfound", hash };
}

const seg = (...parts: string[]): string => `#/${parts.map(encodeURIComponent).join("/")}`;

export function routeHash(r: Route): string {
  switch (r.view) {
    case "overview":
      return "#/";
    case "plan":
      return seg("plan", r.project, r.planId);
    case "task":
      return seg("task", r.project, r.taskId);
    case "synthesis":
      return seg("synthesis", r.project, r.planId);
    case "agents":
      return seg("agents");
    case "activity":
      return seg("activity");
    case "notfound":
      return r.hash;
  }
}

export const planHash = (project: string, planId: string): string =>
  routeHash({ view: "plan", project, planId });
export const taskHash = (project: string, taskId: string): string =>
  routeHash({ view: "task", project, taskId });

/** A relative API URL with its query (every value encoded). */
export function apiUrl(
  path: string,
  query: Readonly<Record<string, string | number | undefined>> = {},
): string {
  const q = Object.entries(query)
    .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== "")
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join("&");
  return q ? `api/${path}?${q}` : `api/${path}`;
}
