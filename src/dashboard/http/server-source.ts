import type { ServerDeps } from "../../server/session.ts";
import type { DashboardSource } from "../contract.ts";

/**
 * The dashboard's data under `serve --http`: the server's own store (`--db`, else the
 * workspace's, where its tokens are too), opened on the first /ui/ request. `--workspace`'s role
 * files make its tasks' prompts; other projects get the built-in roles. No actor is fixed here:
 * each viewer acts under their own token's name.
 */
export async function openServerSource(
  deps: Pick<ServerDeps, "stores" | "workspace" | "settingsLoader" | "roleLoader" | "holderGone">,
  db: string,
  actionsAllowed: boolean,
): Promise<DashboardSource> {
  const [{ createDashboardSource }, { readProjectIdentity }] = await Promise.all([
    import("../source.ts"),
    import("../../workspace/project.ts"),
  ]);
  const store = await deps.stores.get(db);
  const ws = deps.workspace;
  return createDashboardSource({
    store,
    target: db,
    checkout: ws ? { path: ws, project: readProjectIdentity(ws, deps.settingsLoader).id } : undefined,
    roleLoader: deps.roleLoader,
    holderGone: deps.holderGone,
    actions: { allowed: actionsAllowed, actor: null },
  });
}
