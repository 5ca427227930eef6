import { statSync } from "node:fs";
import type { AppContext } from "../app/context.ts";
import { type ContextSources, openContext } from "../app/open-context.ts";
import { renewLeases } from "../app/renew-leases.ts";
import { takeLook, type WorkspaceLook } from "../app/workspace-look.ts";
import { OrchestratorError } from "../core/errors.ts";
import type { ProjectIdentity } from "../core/project-id.ts";
import type { ClaimHolder } from "../core/task.ts";
import { agentBelongsTo, tokenAllowsProject } from "../core/token.ts";
import type { Env } from "../platform/env.ts";
import type { HttpRestartRequest } from "../protocol/http-worker.ts";
import type { SupervisorInfo } from "../protocol/worker-channel.ts";
import { findProjectRoot, type ResolvedWorkspace, resolveWorkspace } from "../workspace/resolve.ts";
import type { ToolProfile } from "./profiles.ts";
import { SharedLooks } from "./shared-looks.ts";

/** What the process provides to every connection. */
export interface ServerDeps extends ContextSources {
  readonly version: string;
  /** The process environment, read once at startup (cwd, home, runtime, variables). */
  readonly env: Env;
  /** `serve --workspace` / ORCHESTRATOR_WORKSPACE. */
  readonly workspace?: string | undefined;
  /** Which tools `tools/list` offers. */
  readonly tools: ToolProfile;
  /** True in a worker under serve's supervisor (which answers the reboot tools). */
  readonly supervised?: boolean;
  /** Behind `serve --http`'s front: asks it for a restart (orchestrator_restart_server). */
  readonly httpRestart?: ((request: HttpRestartRequest) => Promise<Record<string, unknown>>) | undefined;
  /** What the supervisor told this worker about the connection's restarts (health check). */
  readonly supervisorInfo?: SupervisorInfo | undefined;
  /**
   * The client connection this process serves: its id (under the supervisor, the same for every
   * worker, so default agent ids survive a worker restart) and the process whose life it is,
   * recorded with each claim. Absent (in-memory tests), claims are freed by their lease only.
   */
  readonly connection?: { readonly id?: string | undefined; readonly holder: ClaimHolder } | undefined;
  /**
   * Tests: let the SDK parse every result against the tool's full output schema (off in the
   * product, sdk-compat.ts `skipOwnOutputValidation`), so a result that drifts from it fails a test.
   */
  readonly checkOutputs?: boolean;
  /** Test hook (ORCHESTRATOR_TEST_DELAY_MS): every tool call waits this long, to test calls in flight. */
  readonly testDelayMs?: number;
  /** Tests: how old a look may be to be shared (shared-looks.ts; default SHARE_LOOK_MS), so a slow machine cannot age it out. */
  readonly shareLookMs?: number;
}

/**
 * Who calls, when a transport knows it without a connection (HTTP: one Session per request).
 * `name` is the default agent id; when `enforced` (a token's name), agent_id may only name it or
 * a sub-agent under it. `renewedAt` outlives the request, so lease renewals stay once a minute.
 */
export interface CallerIdentity {
  readonly name: string;
  readonly enforced: boolean;
  readonly renewedAt: Map<string, number>;
  /** The projects a limited token may act in; null or absent: every project (no token, a JWT). */
  readonly projects?: readonly string[] | null | undefined;
}

/** Options of a Session on a stateless transport (HTTP): no roots, no project found from the server's cwd. */
export interface SessionOptions {
  readonly caller?: CallerIdentity | undefined;
  /** Over HTTP the client's folders are not the server's: only working_directory or --workspace. */
  readonly remote?: boolean | undefined;
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
  readonly #renewedAt: Map<string, number>;
  /** working_directory arguments already checked on this connection → their real path. */
  readonly #checked = new Map<string, ResolvedWorkspace>();
  /** The server's --workspace, checked on this connection's first call that falls back to it. */
  #server: ResolvedWorkspace | undefined;
  /** The looks at workspaces' files of this connection's calls in flight (shared-looks.ts). */
  #looks: SharedLooks<WorkspaceLook>;

  readonly deps: ServerDeps;
  private readonly listRoots: (() => Promise<string | undefined>) | undefined;
  readonly #opts: SessionOptions;

  constructor(
    deps: ServerDeps,
    listRoots: (() => Promise<string | undefined>) | undefined,
    opts: SessionOptions = {},
  ) {
    this.deps = deps;
    this.listRoots = listRoots;
    this.#opts = opts;
    this.connectionId = deps.connection?.id ?? deps.random.hex(6);
    this.#renewedAt = opts.caller?.renewedAt ?? new Map<string, number>();
    this.#looks = new SharedLooks({ maxAgeMs: deps.shareLookMs });
    if (opts.caller) this.#agents.add(opts.caller.name);
  }

  /**
   * Over HTTP a server is kept between one caller's requests (http/server-pool.ts): its session
   * starts each request as a new one would, with nothing bound, no agents and no looks. What
   * stays is what a stdio connection also keeps for its whole life: the checks of each
   * working_directory (realpath, home, system folders), re-checked by a stat per call.
   */
  beginRequest(): void {
    this.boundWorkspace = undefined;
    this.clientName = "client";
    this.#roots = undefined;
    this.#agents.clear();
    if (this.#opts.caller) this.#agents.add(this.#opts.caller.name);
    this.#looks = new SharedLooks({ maxAgeMs: this.deps.shareLookMs });
  }

  /** The identity this session acts for (HTTP), which a kept server is looked up by. */
  get caller(): CallerIdentity | undefined {
    return this.#opts.caller;
  }

  /** True over HTTP: each request starts anew (beginRequest), so nothing binds across calls. */
  get remote(): boolean {
    return this.#opts.remote === true;
  }

  /** The agent id used when a call names none: the caller's identity, else the client's name plus this connection. */
  get defaultAgentId(): string {
    return this.#opts.caller?.name ?? `${this.clientName}#${this.connectionId}`;
  }

  /**
   * The agent id for a call: the one given, or the default. Remembered for renewals. With an
   * enforced identity (a token), another credential's agent is refused with AGENT_FORBIDDEN.
   */
  agentFor(given: string | undefined): string {
    const caller = this.#opts.caller;
    if (caller?.enforced && given !== undefined && !agentBelongsTo(given, caller.name)) {
      throw new OrchestratorError(
        "AGENT_FORBIDDEN",
        `agent_id ${JSON.stringify(given.slice(0, 80))} is not yours: this token acts as ${caller.name}. Leave agent_id out, or name a sub-agent as ${caller.name}/<name>.`,
        { data: { agent_id: given.slice(0, 200), identity: caller.name } },
      );
    }
    const id = given ?? this.defaultAgentId;
    if (this.#agents.size < 100) this.#agents.add(id);
    return id;
  }

  /** Extends the leases of this connection's agents (app/renew-leases.ts). */
  async renewLeases(ctx: AppContext): Promise<void> {
    await renewLeases(ctx, this.#agents, this.#renewedAt);
  }
  invalidateRoots(): void {
    this.#roots = undefined;
  }

  /** Resolves the workspace for a call (rules: docs/guides/concepts.md, Workspaces). */
  async resolve(workingDirectory: string | undefined): Promise<ResolvedWorkspace> {
    const cached = this.#cached(workingDirectory);
    // One stat per call still notices a folder removed since (WORKSPACE_NOT_FOUND).
    if (cached && statSync(cached.path, { throwIfNoEntry: false })?.isDirectory()) return cached;
    return this.#resolveAnew(workingDirectory);
  }

  /**
   * A tool call's workspace and context, built on a look at the workspace's files that calls of
   * this connection in flight together may share (shared-looks.ts). `end` once the call is done,
   * before its answer is sent.
   */
  async open(
    workingDirectory: string | undefined,
    opts: { readOnly?: boolean } = {},
  ): Promise<{ ws: ResolvedWorkspace; ctx: AppContext; end: () => void }> {
    const cached = this.#cached(workingDirectory);
    if (cached) {
      const held = this.#looks.begin(cached.path, () => takeLook(this.deps, cached.path));
      if (held.look.isFolder()) return this.#openIn(cached, held, opts);
      held.end();
    }
    // First call, or a folder removed since: resolved again (WORKSPACE_NOT_FOUND as before), and
    // looked at anew rather than through a look that found no folder.
    const ws = await this.#resolveAnew(workingDirectory);
    const held = this.#looks.begin(ws.path, () => takeLook(this.deps, ws.path), {
      fresh: cached !== undefined,
    });
    return this.#openIn(ws, held, opts);
  }

  async #openIn(
    ws: ResolvedWorkspace,
    held: { look: WorkspaceLook; end: () => void },
    opts: { readOnly?: boolean },
  ): Promise<{ ws: ResolvedWorkspace; ctx: AppContext; end: () => void }> {
    try {
      const ctx = await openContext(this.deps, ws.path, {
        ...opts,
        admit: (identity) => this.admit(identity),
        look: held.look,
      });
      return { ws, ctx, end: held.end };
    } catch (e) {
      held.end();
      throw e;
    }
  }

  /**
   * This connection's earlier resolution for the call: the full check (realpath, home, system
   * folders) is made once per connection, since what it decides cannot change while the folder
   * stands; whether it still stands is checked per call (or per shared look).
   */
  #cached(workingDirectory: string | undefined): ResolvedWorkspace | undefined {
    const fromServer = workingDirectory === undefined && this.boundWorkspace === undefined;
    return fromServer ? this.#server : this.#checked.get(workingDirectory ?? "");
  }

  async #resolveAnew(workingDirectory: string | undefined): Promise<ResolvedWorkspace> {
    const fromServer = workingDirectory === undefined && this.boundWorkspace === undefined;
    const listRoots = this.listRoots;
    const resolved = this.#opts.remote
      ? await this.#resolveRemote(workingDirectory)
      : await this.#resolveLocal(workingDirectory, listRoots);
    if (workingDirectory !== undefined && this.#checked.size < 100)
      this.#checked.set(workingDirectory, resolved);
    // Only the flag's folder: client roots can change (invalidateRoots) and a project marker is cheap.
    if (fromServer && resolved.source === "server") this.#server = resolved;
    return resolved;
  }

  #resolveLocal(
    workingDirectory: string | undefined,
    listRoots: (() => Promise<string | undefined>) | undefined,
  ): Promise<ResolvedWorkspace> {
    return resolveWorkspace({
      argument: workingDirectory,
      session: this.boundWorkspace,
      server: this.deps.workspace,
      roots: listRoots
        ? () => {
            this.#roots ??= listRoots();
            return this.#roots;
          }
        : undefined,
      cwd: this.deps.env.cwd,
      homedir: this.deps.env.homedir,
      projectRoot: () => {
        // The process's directory does not move; once a project is found above it, keep it.
        this.#projectRoot ??= findProjectRoot(this.deps.env.cwd, this.deps.env.homedir);
        return this.#projectRoot;
      },
    });
  }

  /**
   * Over HTTP each call stands alone and the client's folders are not the server's: the call's
   * working_directory (a path on the server's machine), else the server's --workspace.
   */
  async #resolveRemote(workingDirectory: string | undefined): Promise<ResolvedWorkspace> {
    const env = this.deps.env;
    if (workingDirectory === undefined && this.boundWorkspace === undefined && !this.deps.workspace) {
      throw new OrchestratorError(
        "WORKSPACE_UNRESOLVED",
        "No workspace: over HTTP each call stands alone, and this server was started without --workspace. Pass working_directory (the absolute path of the project folder on the server's machine) with every call.",
      );
    }
    return resolveWorkspace({
      argument: workingDirectory,
      session: this.boundWorkspace,
      server: this.deps.workspace,
      cwd: env.cwd,
      homedir: env.homedir,
      projectRoot: () => undefined,
    });
  }

  /**
   * The use-case context for a resolved workspace (app/open-context.ts). Every tool, resource and
   * prompt gets its context here, so this is where a project-limited token is held to its
   * projects: checked on the workspace's project id before any store is opened or folder made.
   */
  context(ws: ResolvedWorkspace, opts: { readOnly?: boolean } = {}): Promise<AppContext> {
    return openContext(this.deps, ws.path, { ...opts, admit: (identity) => this.admit(identity) });
  }

  /** True when the caller's token is limited to some projects. */
  get projectLimited(): boolean {
    const projects = this.#opts.caller?.projects;
    return projects !== null && projects !== undefined;
  }

  /** Refuses a project the caller's token is not limited to (PROJECT_FORBIDDEN). */
  admit(identity: ProjectIdentity): void {
    const caller = this.#opts.caller;
    if (!caller || tokenAllowsProject(caller.projects, identity.id)) return;
    throw new OrchestratorError(
      "PROJECT_FORBIDDEN",
      `This token (${caller.name}) is limited to ${caller.projects?.join(", ")}; the workspace belongs to project ${identity.id}. Pass the working_directory of one of its projects.`,
      { data: { project: identity.id, identity: caller.name } },
    );
  }
}
