import type { ProjectIdentity } from "../core/project-id.ts";
import type { StorePort, StoreReader } from "../store/port.ts";
import type { KeyClashes, KeyRowCounts } from "../store/records.ts";

/*
 * The store key of a workspace is its project id (core/project-id.ts). Stores written before
 * project ids keyed rows by the absolute path: the first write of a process moves them to the
 * project id in one transaction, unless ids clash with rows already under the project id (then
 * nothing is mixed: the old rows stay, doctor and status report them). Reads of a store nobody
 * moved yet (read-only, or not written since) fall back to the old key so old data still shows.
 */

/** What the first write of a process found under the workspace's old key. */
export type KeyMove =
  | { readonly kind: "none" }
  | { readonly kind: "moved"; readonly from: string; readonly rows: KeyRowCounts }
  | {
      readonly kind: "clash";
      readonly from: string;
      readonly clashes: KeyClashes;
      readonly folderId: boolean;
    };

/** Per store: the keys settled this process (workspace → project id → outcome). */
const settled = new WeakMap<StorePort, Map<string, KeyMove>>();
/** Per store: the keys a read found rows under the project id for. */
const inUse = new WeakMap<StorePort, Set<string>>();

/**
 * Records this checkout and moves an old path-keyed workspace to its project id, once per
 * process per store, workspace and id. No side effect outside the store (a PostgreSQL write may run twice).
 */
export async function settleProjectKey(
  store: StorePort,
  c: {
    readonly workspace: string;
    readonly identity: ProjectIdentity;
    readonly host: string;
    readonly now: string;
  },
): Promise<KeyMove> {
  const done = settled.get(store) ?? new Map<string, KeyMove>();
  settled.set(store, done);
  const key = `${c.workspace}\0${c.identity.id}`;
  const hit = done.get(key);
  if (hit) return hit;
  const { id } = c.identity;
  const move = await store.write(async (w): Promise<KeyMove> => {
    await w.recordProjectCheckout({
      project: id,
      host: c.host,
      path: c.workspace,
      source: c.identity.source,
      now: c.now,
    });
    if (id === c.workspace || !(await w.keyInUse(c.workspace))) return { kind: "none" };
    const blocked = await moveBlocked(w, c.workspace, c.identity);
    if (blocked) return { kind: "clash", from: c.workspace, ...blocked };
    return { kind: "moved", from: c.workspace, rows: await w.rekeyRows(c.workspace, id) };
  });
  done.set(key, move);
  return move;
}

/**
 * The key a read uses: the project id, or the old path key while only it holds rows (a store
 * not written since project ids, or one this user can only read).
 */
export async function readingKey(store: StorePort, workspace: string, id: string): Promise<string> {
  if (id === workspace || store.placeholder) return id;
  const key = `${workspace}\0${id}`;
  if (settled.get(store)?.has(key) || inUse.get(store)?.has(key)) return id;
  if (await store.direct.keyInUse(id)) {
    // Rows under the project id do not go back to the path: later reads skip the probes.
    const seen = inUse.get(store) ?? new Set<string>();
    inUse.set(store, seen);
    seen.add(key);
    return id;
  }
  return (await store.direct.keyInUse(workspace)) ? workspace : id;
}

/** What is known of the old key: rows still under the path, and whether they clash (status, doctor). */
export async function oldKeyState(
  store: StorePort,
  workspace: string,
  identity: ProjectIdentity,
): Promise<
  | { readonly kind: "none" }
  | {
      readonly kind: "pending" | "clash";
      readonly rows: KeyRowCounts;
      readonly clashes: KeyClashes;
      readonly folderId: boolean;
    }
> {
  const { id } = identity;
  if (id === workspace || store.placeholder || !(await store.direct.keyInUse(workspace)))
    return { kind: "none" };
  const rows = await store.direct.countKeyRows(workspace);
  // Stored answers alone (whose request_id was taken under the project id) expire within a day.
  if (rows.plans + rows.tasks + rows.artifacts + rows.events === 0) return { kind: "none" };
  const blocked = await moveBlocked(store.direct, workspace, identity);
  return blocked
    ? { kind: "clash", rows, ...blocked }
    : { kind: "pending", rows, clashes: NO_CLASHES, folderId: false };
}

const NO_CLASHES: KeyClashes = { plans: [], tasks: [], artifacts: [] };

/**
 * Why the old rows must not move to the project id: ids held under both, or a folder-name id
 * that already holds rows (likely another project whose folder has the same name: never merged).
 */
async function moveBlocked(
  r: StoreReader,
  workspace: string,
  identity: ProjectIdentity,
): Promise<{ clashes: KeyClashes; folderId: boolean } | undefined> {
  const clashes = await r.findKeyClashes(workspace, identity.id);
  if (clashes.plans.length + clashes.tasks.length + clashes.artifacts.length > 0)
    return { clashes, folderId: false };
  if (identity.source === "folder" && (await r.keyInUse(identity.id))) return { clashes, folderId: true };
  return undefined;
}

/** The one message for rows left under an old key because their ids clash. */
export function clashMessage(
  workspace: string,
  id: string,
  c: { readonly clashes: KeyClashes; readonly folderId: boolean },
): string {
  const ids = [...c.clashes.plans, ...c.clashes.tasks, ...c.clashes.artifacts].slice(0, 5).join(", ");
  const why = c.folderId
    ? `the id comes from the folder name and already holds plans of another checkout, which may be another project`
    : `ids ${ids} exist under both`;
  return (
    `rows stored under the old key ${workspace} were not moved to project ${id}: ${why}, ` +
    `so moving could mix two projects. They are kept as they are. To keep this checkout's plans apart, set ` +
    `\`project: <another id>\` in .task_orchestrator/settings.yaml (they move there on the next write); ` +
    `if both are copies of one project, delete one copy's plans.`
  );
}
