import { z } from "zod";
import { OrchestratorError } from "../../core/errors.ts";
import type { DashboardSource, ProjectScope } from "../contract.ts";

/*
 * The dashboard's read routes (contract.ts): each query validated at the boundary (lengths,
 * shapes; unknown parameters ignored) and handed to the source with the viewer's scope.
 */

const project = z.string().min(1).max(500);
const id = z.string().min(1).max(200);

const QUERIES = {
  overview: z.object({}),
  agents: z.object({}),
  plan: z.object({ project, plan: id }),
  task: z.object({ project, task: id }),
  synthesis: z.object({ project, plan: id }),
  export: z.object({ project, plan: id, format: z.enum(["md", "json"]) }),
  activity: z.object({
    limit: z
      .string()
      .regex(/^\d{1,4}$/, "a whole number")
      .transform(Number)
      .pipe(z.number().int().min(1).max(1000))
      .optional(),
    project: project.optional(),
    plan: id.optional(),
  }),
} as const;

export type ReadRoute = keyof typeof QUERIES;

export function isReadRoute(name: string): name is ReadRoute {
  return Object.hasOwn(QUERIES, name);
}

/** A read's answer: JSON, or a download (export). */
export type ReadAnswer =
  | { readonly kind: "json"; readonly body: unknown }
  | {
      readonly kind: "download";
      readonly body: string;
      readonly filename: string;
      readonly contentType: string;
    };

/** Runs read route `name` for `scope`; bad parameters are INVALID_INPUT naming them. */
export async function answerRead(
  source: DashboardSource,
  scope: ProjectScope,
  name: ReadRoute,
  params: URLSearchParams,
): Promise<ReadAnswer> {
  const raw: Record<string, string> = {};
  // The first value of each parameter; a repeated one does not get to pick another.
  for (const [k, v] of params) if (!(k in raw)) raw[k] = v;
  const parsed = QUERIES[name].safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "query"}: ${i.message}`)
      .join("; ");
    throw new OrchestratorError("INVALID_INPUT", `api/${name}: ${issues}.`);
  }
  const q = parsed.data as Record<string, string | number | undefined>;
  const s = (k: string): string => String(q[k]);
  switch (name) {
    case "overview":
      return json(await source.overview(scope));
    case "agents":
      return json(await source.agents(scope));
    case "plan":
      return json(await source.plan(scope, s("project"), s("plan")));
    case "task":
      return json(await source.task(scope, s("project"), s("task")));
    case "synthesis":
      return json(await source.synthesis(scope, s("project"), s("plan")));
    case "activity":
      return json(
        await source.activity(scope, {
          limit: typeof q.limit === "number" ? q.limit : 200,
          project: q.project === undefined ? undefined : s("project"),
          planId: q.plan === undefined ? undefined : s("plan"),
        }),
      );
    case "export": {
      const doc = await source.exportPlan(scope, s("project"), s("plan"), s("format") as "md" | "json");
      return { kind: "download", ...doc };
    }
  }
}

function json(body: unknown): ReadAnswer {
  return { kind: "json", body };
}

/** The HTTP status of a failure the source or the API raised (its code stays in the body). */
export function statusOf(code: string): number {
  if (code === "INVALID_INPUT" || code === "USAGE") return 400;
  if (/_NOT_FOUND$/.test(code)) return 404;
  if (/FORBIDDEN$|READ_ONLY$/.test(code)) return 403;
  if (code === "TRANSITION_NOT_ALLOWED" || code === "TASK_CLAIMED" || /^CLAIM_/.test(code)) return 409;
  if (code === "DEPENDENCIES_UNMET" || code === "TASK_HAS_DEPENDENTS") return 409;
  if (code === "REQUEST_TOO_LARGE") return 413;
  return 503;
}
