import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { safeReal } from "../platform/fs.ts";
import { type ApplyResult, applyEntry, restoreBackup } from "./apply.ts";
import { type BackupRecord, listBackups, saveBackup } from "./backups.ts";
import {
  CLIENT_IDS,
  CLIENTS,
  type ClientId,
  clientSpec,
  configFiles,
  scopePrecedence,
  scopesOf,
} from "./clients.ts";
import {
  buildServerEntry,
  type InstallDb,
  isOrchestratorEntry,
  keptFromEntry,
  type StoreSetting,
  shapeEntry,
  unshapeEntry,
} from "./entry.ts";
import { entryEdit, fileStates, installTarget, newFileText } from "./locate.ts";
import { remoteChoice } from "./remote-choice.ts";
import { isOurRemote, unshapeRemoteEntry } from "./remote-entry.ts";
import { isRunning } from "./running.ts";
import { realTarget } from "./target.ts";
import { type ConfigLocation, type InstallEnv, type Scope, SERVER_NAME, type ServerEntry } from "./types.ts";
import { missingKeys, missingKeysProblem } from "./validate.ts";

/** The result for one client, as the CLI prints it. */
export interface ClientResult extends ApplyResult {
  readonly client: ClientId;
  readonly label: string;
  readonly scope: Scope;
  readonly warnings: readonly string[];
  /** What the client still needs before it loads the entry (trust, approval): see gates.ts. */
  readonly notices?: readonly string[];
  /** With --url: the client's own remote entry (`direct`) or a local bridge running `orchestrator connect`. */
  readonly remote?: { readonly mode: "direct" | "bridge"; readonly url: string; readonly tokenEnv?: string };
}

export interface InstallOptions {
  readonly scope: Scope;
  readonly projectDir?: string | undefined;
  readonly dryRun: boolean;
  readonly force: boolean;
  /** Whether `force` also edits a read-only file (the CLI's --force does; doctor --fix does not). */
  readonly forceReadOnly?: boolean;
  /** The command that starts this orchestrator (absolute path), and any arguments before `serve`. */
  readonly command: string;
  readonly commandArgs?: readonly string[];
  readonly now: string;
  /** The project whose other scopes are looked at, to say which entry the client will really use. */
  readonly here?: string | undefined;
  /** `--db`: the store the entry's server uses; absent, our entry's env and --db are kept as they are. */
  readonly db?: InstallDb | undefined;
  /** A remote server (install --url): the entry points there instead of starting `serve`. */
  readonly remote?: { readonly url: string; readonly tokenEnv?: string | undefined } | undefined;
}

/** Where a symlinked config may lead: the project for project scope, else the home folder. */
function rootFor(env: InstallEnv, scope: Scope, projectDir: string | undefined): string {
  return scope === "project" ? (projectDir ?? env.homedir) : env.homedir;
}

/** Clients that look installed on this machine (their config or app folder exists). */
export function detectClients(env: InstallEnv): ClientId[] {
  return CLIENT_IDS.filter((id) => CLIENTS[id].detect(env).some((p) => existsSync(p)));
}

/**
 * A file that held data before our edit but lacks keys the client requires (Continue's name and
 * version) still stops the client after it: said at once, with the lines to add, rather than
 * left for validate to find. Keys are the user's to choose, so they are not invented here.
 */
async function stillMissingKeys(id: ClientId, loc: ConfigLocation): Promise<string[]> {
  try {
    const text = await readFile(loc.path, "utf8");
    return missingKeysProblem(id, missingKeys(id, text, loc), loc.path);
  } catch {
    return [];
  }
}

function warningsFor(id: ClientId, env: InstallEnv): string[] {
  const spec = CLIENTS[id];
  const out: string[] = [];
  if ("rewritesWhileRunning" in spec && spec.rewritesWhileRunning) {
    const running = isRunning(env.platform, ["claude", "claude.exe", "Claude"]);
    out.push(
      running
        ? `${spec.label} is running: it rewrites its config file while it runs and may undo this change. Quit it, run this again, then start it.`
        : `${spec.label} rewrites its config while it runs: make sure it is quit before installing, and restart it afterwards.`,
    );
  }
  return out;
}

/** Our entry for one client: its project installs may use `${workspaceFolder}`. */
export function entryFor(
  id: ClientId,
  opts: Pick<InstallOptions, "command" | "commandArgs" | "scope" | "projectDir"> & {
    readonly store?: StoreSetting | undefined;
  },
): ServerEntry {
  const spec = clientSpec(id);
  return buildServerEntry({
    command: opts.command,
    commandArgs: opts.commandArgs,
    scope: opts.scope,
    projectDir: opts.projectDir,
    expandsWorkspaceFolder: spec.expandsWorkspaceFolder ?? false,
    store: opts.store,
  });
}

/** Registers our server in each client's config through the safe pipeline. */
export async function installClients(
  env: InstallEnv,
  ids: readonly ClientId[],
  opts: InstallOptions,
): Promise<ClientResult[]> {
  const results: ClientResult[] = [];
  for (const id of ids) {
    const spec = CLIENTS[id];
    const loc = installTarget(id, opts.scope, env, opts.projectDir);
    const remote = opts.remote ? remoteChoice(id, loc, opts.remote, opts) : undefined;
    const shaped = (existing: unknown) =>
      shapeEntry(
        loc.shape,
        entryFor(id, { ...opts, store: { given: opts.db, kept: keptFromEntry(loc.shape, existing) } }),
        SERVER_NAME,
      );
    const r = await applyEntry(env, {
      client: id,
      path: loc.path,
      edit: entryEdit(loc),
      value: remote ? remote.value : shaped(undefined),
      valueFrom: remote ? undefined : shaped,
      root: rootFor(env, opts.scope, opts.projectDir),
      dryRun: opts.dryRun,
      reason: "install",
      now: opts.now,
      accept: opts.force ? undefined : ours(loc, opts.remote?.url),
      force: opts.force && opts.forceReadOnly !== false,
      newFileText: newFileText(id),
    });
    results.push({
      ...r,
      client: id,
      label: spec.label,
      scope: opts.scope,
      warnings: [
        ...(r.warning ? [r.warning] : []),
        ...(r.status === "applied" || r.status === "dry_run"
          ? [
              ...warningsFor(id, env),
              ...(opts.here ? shadowedBy(env, id, opts.scope, opts.here) : []),
              ...(r.status === "applied" ? await stillMissingKeys(id, loc) : []),
            ]
          : []),
      ],
      ...(remote ? { remote: remote.result, notices: [remote.notice] } : {}),
    });
  }
  return results;
}

/**
 * The notion of "ours" install and uninstall share: an entry that runs an orchestrator (`serve`,
 * or `connect` to a remote one), or a remote entry at an MCP endpoint (`…/mcp`) or at the URL
 * being installed (a proxy may publish the server under another path).
 */
function ours(loc: ConfigLocation, url?: string): (existing: unknown) => boolean {
  return (existing) => {
    const remote = unshapeRemoteEntry(existing);
    return (
      isOrchestratorEntry(unshapeEntry(loc.shape, existing)) ||
      isOurRemote(remote) ||
      (url !== undefined && remote?.url === url)
    );
  };
}

/**
 * Removes exactly our entry from each client's config: from every file the client reads for the
 * scope that holds it (OpenCode's opencode.json and opencode.jsonc alike), so the client is left
 * with no copy it still connects to. An entry under our name that runs something else is not
 * ours: it stays unless `force`, as install leaves it.
 */
export async function uninstallClients(
  env: InstallEnv,
  ids: readonly ClientId[],
  opts: Pick<InstallOptions, "scope" | "projectDir" | "dryRun" | "now"> & {
    readonly force?: boolean;
    /** The project whose other scopes are looked at, to say where our entry is still registered. */
    readonly here?: string | undefined;
  },
): Promise<ClientResult[]> {
  const results: ClientResult[] = [];
  for (const id of ids) {
    const before = results.length;
    const states = fileStates(id, opts.scope, env, opts.projectDir);
    // The files that hold it, or may (one that does not parse is refused with its line); when
    // none does, the first existing file answers "our entry is not there".
    const targets = states.filter((s) => s.holds || s.unreadable);
    const existing = states.find((s) => s.exists);
    if (targets.length === 0 && existing) targets.push(existing);
    if (targets.length === 0) {
      results.push({
        status: "unchanged",
        path: installTarget(id, opts.scope, env, opts.projectDir).path,
        diff: "",
        backup: null,
        message: "no config file, nothing to remove",
        client: id,
        label: CLIENTS[id].label,
        scope: opts.scope,
        warnings: [],
      });
      continue;
    }
    for (const { loc } of targets) {
      const r = await applyEntry(env, {
        client: id,
        path: loc.path,
        edit: entryEdit(loc),
        value: null,
        root: rootFor(env, opts.scope, opts.projectDir),
        dryRun: opts.dryRun,
        reason: "uninstall",
        now: opts.now,
        newFileText: newFileText(id),
        accept: opts.force ? undefined : ours(loc),
        force: opts.force === true,
      });
      results.push({
        ...r,
        client: id,
        label: CLIENTS[id].label,
        scope: opts.scope,
        warnings: [
          ...(r.warning ? [r.warning] : []),
          ...(r.status === "applied" ? warningsFor(id, env) : []),
        ],
      });
    }
    const elsewhere = opts.here ? stillRegistered(env, id, opts.scope, opts.here) : [];
    const last = results.at(-1);
    if (last && results.length > before && elsewhere.length > 0) {
      results[results.length - 1] = { ...last, warnings: [...last.warnings, ...elsewhere] };
    }
  }
  return results;
}

/** Our entry in a scope that wins over `scope` in this project: the client will run that one here. */
export function shadowedBy(env: InstallEnv, id: ClientId, scope: Scope, projectDir: string): string[] {
  const order = scopePrecedence(id);
  return order.slice(0, order.indexOf(scope)).flatMap((higher) =>
    fileStates(id, higher, env, projectDir)
      .filter((s) => s.holds)
      .map(
        (s) =>
          `${clientSpec(id).label} also has "${SERVER_NAME}" at ${higher} scope in ${s.loc.path}, and runs that one in ${projectDir} (${order.join(" > ")}); 'orchestrator uninstall --client ${id} --scope ${higher}' removes it.`,
      ),
  );
}

/**
 * Our entry in the client's other scopes for this project: the client still connects to it
 * (an uninstall of the user entry leaves Claude Code's local one), so say where and how to remove it.
 */
export function stillRegistered(env: InstallEnv, id: ClientId, done: Scope, projectDir: string): string[] {
  return scopesOf(id)
    .filter((scope) => scope !== done)
    .flatMap((scope) =>
      fileStates(id, scope, env, projectDir)
        .filter((s) => s.holds)
        .map(
          (s) =>
            `still registered at ${scope} scope in ${s.loc.path}${scope === "local" ? ` (for ${projectDir})` : ""}: ${clientSpec(id).label} keeps using it; 'orchestrator uninstall --client ${id} --scope ${scope}' removes it.`,
        ),
    );
}

/**
 * Restores a client's config file byte-for-byte from a backup (the newest for that file, or `to`).
 * The current bytes are backed up first, so a rollback can itself be rolled back.
 */
export async function rollbackClient(
  env: InstallEnv,
  id: ClientId,
  opts: { scope: Scope; projectDir?: string | undefined; to?: string | undefined; now: string },
): Promise<{ restored: BackupRecord; safety: BackupRecord }> {
  // Any file the client reads for the scope (OpenCode has several): the newest backup among them.
  // Backups record the file a write landed in: through a symlinked folder (a dotfiles manager)
  // that is the link's target, which realpath cannot find once the file is deleted.
  const paths = new Set(
    (
      await Promise.all(
        configFiles(id, opts.scope, env, opts.projectDir).map(async (l) => [
          l.path,
          safeReal(l.path),
          await realTarget(l.path).catch(() => l.path),
        ]),
      )
    ).flat(),
  );
  const all = await listBackups(env);
  const candidates = all.filter((b) => b.client === id && (opts.to ? b.id === opts.to : paths.has(b.path)));
  const record = candidates.at(-1);
  if (!record) {
    throw new Error(
      opts.to
        ? `no backup with id ${opts.to} for ${id}; list them with 'orchestrator backups --client ${id}'`
        : `no backup of ${[...paths][0]} yet; backups are made by install and uninstall`,
    );
  }
  let current: Buffer | null = null;
  let info: Awaited<ReturnType<typeof stat>> | null = null;
  try {
    current = await readFile(record.path);
    info = await stat(record.path);
  } catch {
    current = null;
  }
  const { record: safety } = await saveBackup(env, {
    client: id,
    path: record.path,
    bytes: current,
    mode: info ? info.mode & 0o7777 : null,
    uid: info?.uid ?? null,
    gid: info?.gid ?? null,
    reason: `before rollback to ${record.id}`,
    now: opts.now,
  });
  await restoreBackup(env, record);
  return { restored: record, safety };
}
