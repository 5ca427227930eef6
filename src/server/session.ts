import { existsSync } from "node:fs";
import type { AppContext, Settings } from "../app/context.ts";
import type { Clock, Random } from "../core/ports.ts";
import type { HolderGone } from "../core/readiness.ts";
import type { ClaimHolder } from "../core/task.ts";
import { openEmptyStore, openStore, type Store } from "../store/open.ts";
import { databasePath, ensureDataDir } from "../workspace/layout.ts";
import { findProjectRoot, type ResolvedWorkspace, resolveWorkspace } from "../workspace/resolve.ts";
import type { createRoleLoader } from "../workspace/roles.ts";
import { effectiveSettings, type SettingsLoader } from "../workspace/settings.ts";
import type { ToolProfile } from "./tools/index.ts";

/** What the process provides to every connection. */
export interface ServerDeps {
  readonly version: string;
  readonly cwd: string;
  readonly homedir: string;
  /** `serve --workspace` / ORCHESTRATOR_WORKSPACE. */
  readonly workspace?: string | undefined;
  /** `serve --db` / ORCHESTRATOR_DB: one database for every workspace. */
  readonly db?: string | undefined;
  /** Defaults plus what flags and environment set. */
  readonly settings: Settings;
  /** Settings set by flags or environment, which the workspace's settings file cannot override. */
  readonly settingsFixed?: ReadonlySet<keyof Settings> | undefined;
  /** Reads each workspace's .task_orchestrator/settings.yaml when it changes (hot reload). */
  readonly settingsLoader?: SettingsLoader | undefined;
  /** Which tools `tools/list` offers. */
  readonly tools: ToolProfile;
  /** True in a worker under serve's supervisor (which answers the reboot tools). */
  readonly supervised?: boolean;
  /** What the supervisor told this worker about the connection's restarts (health check). */
  readonly supervisorInfo?: SupervisorInfo | undefined;
  /**
   * The client connection this process serves: its id (under the supervisor, the same for every
   * worker, so default agent ids survive a worker restart) and the process whose life it is,
   * recorded with each claim. Absent (in-memory tests), claims are freed by their lease only.
   */
  readonly connection?: { readonly id?: string | undefined; readonly holder: ClaimHolder } | undefined;
  /** Tells whether a claim's holder process is gone (platform/process.ts). */
  readonly holderGone?: HolderGone | undefined;
  /** Test hook (ORCHESTRATOR_TEST_DELAY_MS): every tool call waits this long, to test calls in flight. */
  readonly testDelayMs?: number;
  readonly clock: Clock;
  readonly random: Random;
  readonly roleLoader: ReturnType<typeof createRoleLoader>;
  readonly stores: StoreCache;
}

export interface SupervisorInfo {
  readonly supervisor_pid: number;
  readonly worker_generation: number;
  readonly restarts: number;
  readonly crash_restarts: number;
  readonly last_restart: string | null;
}

const LEASE_RENEWAL_INTERVAL_MS = 60_000;

/** Opens each database once per process and hands the same Store to every caller. */
export class StoreCache {
  readonly #open = new Map<string, Promise<Store>>();
  #empty: Promise<Store> | undefined;

  get(path: string): Promise<Store> {
    let p = this.#open.get(path);
    if (!p) {
      p = openStore(path);
      p.catch(() => this.#open.delete(path));
      this.#open.set(path, p);
    }
    return p;
  }

  /**
   * The store for a read-only call: the database when it exists, else an empty in-memory stand-in
   * (shared, never written), so a read in a workspace without data creates no file or folder.
   */
  forReading(path: string): Promise<Store> {
    if (this.#open.has(path) || existsSync(path)) return this.get(path);
    this.#empty ??= openEmptyStore(":memory:");
    return this.#empty.then((s) => ({ ...s, path, close: async () => {} }));
  }

  /** Paths of the databases opened so far. */
  paths(): string[] {
    return [...this.#open.keys()];
  }

  async closeAll(): Promise<void> {
    const all = [...this.#open.values(), ...(this.#empty ? [this.#empty] : [])];
    this.#open.clear();
    this.#empty = undefined;
    await Promise.all(all.map((p) => p.then((s) => s.close()).catch(() => {})));
  }
}

/**
 * One client connection: the workspace it bound with initialize_session (sticky), the client's
 * roots (asked lazily, cached until the client says they changed), and its default agent id.
 */
export class Session {
  boundWorkspace: string | undefined;
  clientName = "client";
  readonly connectionId: string;
  #roots: Promise<string | undefined> | undefined;
  #projectRoot: string | undefined;
  /** Agent ids that acted through this connection; its activity keeps their leases alive. */
  readonly #agents = new Set<string>();
  /** When this connection last renewed its agents' leases, per workspace (ms). */
  readonly #renewedAt = new Map<string, number>();
  /** working_directory arguments already checked on this connection → their real path. */
  readonly #checked = new Map<string, ResolvedWorkspace>();
  readonly #ensured = new Set<string>();

  readonly deps: ServerDeps;
  private readonly listRoots: (() => Promise<string | undefined>) | undefined;

  constructor(deps: ServerDeps, listRoots: (() => Promise<string | undefined>) | undefined) {
    this.deps = deps;
    this.listRoots = listRoots;
    this.connectionId = deps.connection?.id ?? deps.random.hex(6);
  }

  /** The agent id used when a call names none: the client's name plus this connection. */
  get defaultAgentId(): string {
    return `${this.clientName}#${this.connectionId}`;
  }

  /** The agent id for a call: the one given, or the connection's default. Remembered for renewals. */
  agentFor(given: string | undefined): string {
    const id = given ?? this.defaultAgentId;
    if (this.#agents.size < 100) this.#agents.add(id);
    return id;
  }

  /**
   * Any call on this connection shows its agents are alive: extend their live leases in the
   * workspace, held from now on by this connection's process. At most once a minute per
   * workspace, so reads stay reads.
   */
  async renewLeases(ctx: AppContext): Promise<void> {
    if (this.#agents.size === 0) return;
    const nowMs = Date.parse(ctx.clock.now());
    const interval = Math.min(LEASE_RENEWAL_INTERVAL_MS, ctx.settings.leaseMs / 3);
    if (nowMs - (this.#renewedAt.get(ctx.workspace) ?? 0) < interval) return;
    this.#renewedAt.set(ctx.workspace, nowMs);
    const now = new Date(nowMs).toISOString();
    await ctx.store.direct.renewClaims(ctx.workspace, {
      agentIds: [...this.#agents],
      now,
      expiresAt: new Date(nowMs + ctx.settings.leaseMs).toISOString(),
      holder: ctx.holder,
    });
  }

  invalidateRoots(): void {
    this.#roots = undefined;
  }

  /** Resolves the workspace for a call (rules: docs/guides/concepts.md, Workspaces). */
  async resolve(workingDirectory: string | undefined): Promise<ResolvedWorkspace> {
    const cached = workingDirectory === undefined ? undefined : this.#checked.get(workingDirectory);
    if (cached) return cached;
    const listRoots = this.listRoots;
    const resolved = await resolveWorkspace({
      argument: workingDirectory,
      session: this.boundWorkspace,
      server: this.deps.workspace,
      roots: listRoots
        ? () => {
            this.#roots ??= listRoots();
            return this.#roots;
          }
        : undefined,
      cwd: this.deps.cwd,
      homedir: this.deps.homedir,
      projectRoot: () => {
        // The process's directory does not move; once a project is found above it, keep it.
        this.#projectRoot ??= findProjectRoot(this.deps.cwd, this.deps.homedir);
        return this.#projectRoot;
      },
    });
    if (workingDirectory !== undefined && this.#checked.size < 100)
      this.#checked.set(workingDirectory, resolved);
    return resolved;
  }

  /**
   * The use-case context for a resolved workspace: data folder ensured, store open. A read-only
   * call creates nothing: without a database it gets an empty store (0 plans, nothing found).
   */
  async context(ws: ResolvedWorkspace, opts: { readOnly?: boolean } = {}): Promise<AppContext> {
    const dbPath = databasePath(ws.path, this.deps.db);
    if (!opts.readOnly && !this.#ensured.has(ws.path)) {
      ensureDataDir(ws.path);
      this.#ensured.add(ws.path);
    }
    const store = await (opts.readOnly ? this.deps.stores.forReading(dbPath) : this.deps.stores.get(dbPath));
    const loader = this.deps.roleLoader;
    const deps = this.deps;
    let settings: Settings | undefined;
    return {
      store,
      workspace: ws.path,
      clock: this.deps.clock,
      random: this.deps.random,
      // Read when a use-case needs it, so a broken settings file fails the calls that depend on
      // settings (with SETTINGS_INVALID and the place) but not every read; once per call.
      get settings() {
        settings ??= deps.settingsLoader
          ? effectiveSettings(
              deps.settings,
              deps.settingsLoader.load(ws.path),
              deps.settingsFixed ?? new Set(),
            )
          : deps.settings;
        return settings;
      },
      roles: () => loader.load(ws.path),
      holder: deps.connection?.holder,
      holderGone: deps.holderGone,
    };
  }
}
