import { existsSync } from "node:fs";
import { openContext } from "../../app/open-context.ts";
import { projectInfo } from "../../app/project-info.ts";
import { DEFAULT_SETTINGS } from "../../core/settings.ts";
import { StoreCache } from "../../store/cache.ts";
import { isDatabaseUrl, redactUrl } from "../../store/postgres/url.ts";
import { readProjectIdentity } from "../../workspace/project.ts";
import { createRoleLoader } from "../../workspace/roles.ts";
import { createSettingsLoader } from "../../workspace/settings.ts";
import { type Finding, fail, ok, warn } from "../report.ts";

const SOURCES = {
  settings: "project: in settings.yaml",
  "git-remote": "the git remote",
  folder: "the folder name",
};

/**
 * The workspace's project id (the store key, the same on every machine), this machine's path,
 * and what the store says about it: rows left under an old path key, a folder-name id in a shared store.
 */
export async function checkProject(
  workspace: string,
  db: string | undefined,
  dbPath: string,
  opts: { readonly openStore?: boolean } = {},
): Promise<Finding[]> {
  let identity: ReturnType<typeof readProjectIdentity>;
  try {
    identity = readProjectIdentity(workspace, createSettingsLoader());
  } catch (e) {
    return [
      fail(
        "data",
        "data.project",
        "Project id",
        (e as Error).message,
        "Fix `project:` in .task_orchestrator/settings.yaml (letters, digits and . _ ~ : / @ + -, e.g. github.com/acme/shop), or remove it to use the git remote.",
      ),
    ];
  }
  // The store as every machine should name it: dialect and location, never a password.
  const store = db !== undefined && isDatabaseUrl(db) ? `postgres ${redactUrl(db)}` : `sqlite ${dbPath}`;
  const head = ok(
    "data",
    "data.project",
    "Project id",
    `${identity.id} (from ${SOURCES[identity.source]}) · this machine: ${workspace} · store: ${store}`,
  );
  if (opts.openStore === false || (!existsSync(dbPath) && !/^postgres(ql)?:\/\//.test(db ?? ""))) {
    return identity.source === "folder" && db !== undefined
      ? [head, sharedFolderWarning(identity.id)]
      : [head];
  }
  const stores = new StoreCache({ readUnwritable: true });
  try {
    const ctx = await openContext(
      {
        db,
        settings: DEFAULT_SETTINGS,
        roleLoader: createRoleLoader(),
        stores,
        clock: { now: () => new Date().toISOString() },
        random: { hex: (n: number) => "0".repeat(n) },
      },
      workspace,
      { readOnly: true },
    );
    const info = await projectInfo(ctx, { sharedStore: db !== undefined });
    const others = info.checkouts.filter((c) => c.path !== workspace);
    const out = [
      ok(
        "data",
        "data.project",
        "Project id",
        `${identity.id} (from ${SOURCES[identity.source]}) · this machine: ${workspace} · store: ${store}${others.length > 0 ? ` · also: ${others.map((c) => `${c.host}:${c.path}`).join(", ")}` : ""}`,
      ),
    ];
    for (const [i, w] of info.warnings.entries())
      out.push(warn("data", `data.project.${i}`, "Project id", w, w.slice(w.lastIndexOf(";") + 1).trim()));
    return out;
  } catch (e) {
    return [
      head,
      warn(
        "data",
        "data.project.store",
        "Project id in the store",
        (e as Error).message,
        "Run doctor again once the database opens.",
      ),
    ];
  } finally {
    await stores.closeAll();
  }
}

function sharedFolderWarning(id: string): Finding {
  return warn(
    "data",
    "data.project.shared",
    "Project id",
    `${id} comes from the folder name; another project with the same folder name would share it in this database`,
    "Set `project: <a unique id>` in .task_orchestrator/settings.yaml or add a git remote.",
  );
}
