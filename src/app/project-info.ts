import { isFolderProjectId, type ProjectSource } from "../core/project-id.ts";
import type { ProjectCheckout } from "../store/records.ts";
import type { AppContext } from "./context.ts";

/** The migration that added the `projects` table. */
const PROJECTS_MIGRATION = "2026_12_01_000000_projects";

import { clashMessage, oldKeyState } from "./project-key.ts";

/** What `status` and `doctor` show of a workspace's identity. */
export interface ProjectInfo {
  /** The portable project id (the store key). */
  readonly id: string;
  readonly source: ProjectSource;
  /** This machine's folder. */
  readonly path: string;
  /** The key this read used when it differs from `id` (an old store keyed by path, not moved yet). */
  readonly readingOldKey: boolean;
  /** Other machines and folders this project was written from. */
  readonly checkouts: readonly ProjectCheckout[];
  /** Plain-language warnings, each with its fix. */
  readonly warnings: readonly string[];
}

export async function projectInfo(
  ctx: AppContext,
  opts: { readonly sharedStore: boolean },
): Promise<ProjectInfo> {
  const { id, source } = ctx.identity;
  // A store opened read-only is not migrated: one written before project ids has no checkouts table.
  const recorded = !ctx.store.placeholder && ctx.store.migrations.includes(PROJECTS_MIGRATION);
  const checkouts = recorded ? await ctx.store.direct.findProjectCheckouts(id) : [];
  const warnings: string[] = [];
  const old = await oldKeyState(ctx.store, ctx.workspace, ctx.identity);
  if (old.kind === "clash") warnings.push(clashMessage(ctx.workspace, id, old));
  else if (old.kind === "pending")
    warnings.push(
      `${old.rows.plans} plan(s) and ${old.rows.tasks} task(s) are still stored under the old key ${ctx.workspace}; the next write from this checkout moves them to project ${id}.`,
    );
  if (isFolderProjectId(id) && opts.sharedStore) {
    const elsewhere = checkouts.filter((c) => c.path !== ctx.workspace);
    warnings.push(
      `project id ${id} comes from the folder name, which another project with the same folder name would share in this database${elsewhere.length > 0 ? ` (also written from ${elsewhere.map((c) => `${c.host}:${c.path}`).join(", ")})` : ""}; set \`project: <a unique id>\` in .task_orchestrator/settings.yaml or add a git remote.`,
    );
  }
  return { id, source, path: ctx.workspace, readingOldKey: ctx.project !== id, checkouts, warnings };
}
