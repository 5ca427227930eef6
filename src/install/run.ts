import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { safeReal } from "../platform/fs.ts";
import { type ApplyResult, applyEntry, restoreBackup } from "./apply.ts";
import { type BackupRecord, listBackups, saveBackup } from "./backups.ts";
import {
  CLIENT_IDS,
  CLIENTS,
  type ClientId,
  claudeDesktopCandidates,
  clientSpec,
  resolveClientPath,
} from "./clients.ts";
import { buildServerEntry, isOrchestratorEntry, shapeEntry, unshapeEntry } from "./entry.ts";
import { isRunning } from "./running.ts";
import { type ConfigLocation, type InstallEnv, type Scope, SERVER_NAME, type ServerEntry } from "./types.ts";

/** The result for one client, as the CLI prints it. */
export interface ClientResult extends ApplyResult {
  readonly client: ClientId;
  readonly label: string;
  readonly scope: Scope;
  readonly warnings: readonly string[];
  /** What the client still needs before it loads the entry (trust, approval): see gates.ts. */
  readonly notices?: readonly string[];
}

export interface InstallOptions {
  readonly scope: Scope;
  readonly projectDir?: string | undefined;
  readonly dryRun: boolean;
  readonly force: boolean;
  /** The command that starts this orchestrator (absolute path), and any arguments before `serve`. */
  readonly command: string;
  readonly commandArgs?: readonly string[];
  readonly now: string;
}

/** Where a client keeps its servers for a scope, with everything the edit needs. */
export function locate(id: ClientId, scope: Scope, env: InstallEnv, projectDir?: string): ConfigLocation {
  const spec = CLIENTS[id];
  let path = resolveClientPath(id, scope, env, projectDir);
  if (id === "claude-desktop" && scope === "user") {
    // Store (MSIX) builds read a different file than classic installs; edit the one that exists.
    path = claudeDesktopCandidates(env).find((p) => existsSync(p)) ?? path;
  }
  return { path, format: spec.format, keyPath: spec.keyPath, container: spec.container, shape: spec.shape };
}

/** Clients that look installed on this machine (their config or app folder exists). */
export function detectClients(env: InstallEnv): ClientId[] {
  return CLIENT_IDS.filter((id) => CLIENTS[id].detect(env).some((p) => existsSync(p)));
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
  opts: Pick<InstallOptions, "command" | "commandArgs" | "scope" | "projectDir">,
): ServerEntry {
  const spec = clientSpec(id);
  return buildServerEntry({
    command: opts.command,
    commandArgs: opts.commandArgs,
    scope: opts.scope,
    projectDir: opts.projectDir,
    expandsWorkspaceFolder: spec.expandsWorkspaceFolder ?? false,
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
    const loc = locate(id, opts.scope, env, opts.projectDir);
    const entry = entryFor(id, opts);
    const r = await applyEntry(env, {
      client: id,
      path: loc.path,
      edit: { format: loc.format, keyPath: loc.keyPath, container: loc.container, name: SERVER_NAME },
      value: shapeEntry(loc.shape, entry, SERVER_NAME),
      root: opts.scope === "user" ? env.homedir : (opts.projectDir ?? env.homedir),
      dryRun: opts.dryRun,
      reason: "install",
      now: opts.now,
      accept: opts.force ? undefined : (existing) => isOrchestratorEntry(unshapeEntry(loc.shape, existing)),
    });
    results.push({
      ...r,
      client: id,
      label: spec.label,
      scope: opts.scope,
      warnings: r.status === "applied" || r.status === "dry_run" ? warningsFor(id, env) : [],
    });
  }
  return results;
}

/** Removes exactly our entry from each client's config. */
export async function uninstallClients(
  env: InstallEnv,
  ids: readonly ClientId[],
  opts: Pick<InstallOptions, "scope" | "projectDir" | "dryRun" | "now">,
): Promise<ClientResult[]> {
  const results: ClientResult[] = [];
  for (const id of ids) {
    const loc = locate(id, opts.scope, env, opts.projectDir);
    if (!existsSync(loc.path)) {
      results.push({
        status: "unchanged",
        path: loc.path,
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
    const r = await applyEntry(env, {
      client: id,
      path: loc.path,
      edit: { format: loc.format, keyPath: loc.keyPath, container: loc.container, name: SERVER_NAME },
      value: null,
      root: opts.scope === "user" ? env.homedir : (opts.projectDir ?? env.homedir),
      dryRun: opts.dryRun,
      reason: "uninstall",
      now: opts.now,
    });
    results.push({
      ...r,
      client: id,
      label: CLIENTS[id].label,
      scope: opts.scope,
      warnings: r.status === "applied" ? warningsFor(id, env) : [],
    });
  }
  return results;
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
  const loc = locate(id, opts.scope, env, opts.projectDir);
  const all = await listBackups(env);
  const candidates = all.filter(
    (b) =>
      b.client === id && (opts.to ? b.id === opts.to : b.path === loc.path || b.path === safeReal(loc.path)),
  );
  const record = candidates.at(-1);
  if (!record) {
    throw new Error(
      opts.to
        ? `no backup with id ${opts.to} for ${id}; list them with 'orchestrator backups --client ${id}'`
        : `no backup of ${loc.path} yet; backups are made by install and uninstall`,
    );
  }
  let current: Buffer | null = null;
  let mode: number | null = null;
  try {
    current = await readFile(record.path);
    mode = (await stat(record.path)).mode & 0o7777;
  } catch {
    current = null;
  }
  const safety = await saveBackup(env, {
    client: id,
    path: record.path,
    bytes: current,
    mode,
    reason: `before rollback to ${record.id}`,
    now: opts.now,
  });
  await restoreBackup(env, record);
  return { restored: record, safety };
}
