import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Role } from "../../core/roles/role.ts";
import { findProjectRoot } from "../../workspace/resolve.ts";
import { createServer, startupRoles } from "../create-server.ts";
import type { CallerIdentity, ServerDeps, Session } from "../session.ts";

/** A server with its tools, prompts and resources registered, and the session they act through. */
export interface KeptServer {
  readonly server: McpServer;
  readonly session: Session;
  readonly roles: ReadonlyMap<string, Role>;
  readonly key: string;
}

/** Idle servers kept per caller; a caller with more requests in flight gets new ones. */
const PER_CALLER = 8;
/** Idle servers kept in all: the callers seen least recently give theirs up first. */
const IN_ALL = 64;

/**
 * The servers `serve --http` answers with, kept between requests. Each request is stateless (no
 * MCP session), but building an McpServer with its 14 tools, the prompts and the resources cost
 * a fifth of the worker's CPU per call (docs/performance.md). A kept server serves one request at
 * a time and only its own caller (the same token name, enforcement and projects), so a handler
 * can never act for another credential; its session starts each request afresh
 * (Session.beginRequest). One whose role prompts no longer match the role files is dropped.
 */
export class ServerPool {
  readonly #deps: ServerDeps;
  /** Caller key → idle servers; Map order is least recently used first. */
  readonly #idle = new Map<string, KeptServer[]>();
  #count = 0;
  #projectRoot: string | undefined;

  constructor(deps: ServerDeps) {
    this.#deps = deps;
  }

  /** A server for one request of `caller`: an idle one of the same caller, else a new one. */
  take(caller: CallerIdentity): KeptServer {
    const key = callerKey(caller);
    const list = this.#idle.get(key);
    const kept = list?.pop();
    if (!kept) return this.#make(caller, key);
    this.#count--;
    if (list?.length === 0) this.#idle.delete(key);
    kept.session.beginRequest();
    // The role files may have changed since: their prompts are registered with the server.
    const roles = this.#roles(kept.session);
    return roles === kept.roles ? kept : this.#make(caller, key, roles);
  }

  /** Keeps a server whose request is over (closed, every handler finished) for the next one. */
  give(kept: KeptServer): void {
    const list = this.#idle.get(kept.key) ?? [];
    if (list.length >= PER_CALLER) return;
    this.#idle.delete(kept.key);
    list.push(kept);
    this.#idle.set(kept.key, list);
    this.#count++;
    while (this.#count > IN_ALL) {
      const [oldest, servers] = this.#idle.entries().next().value as [string, KeptServer[]];
      servers.shift();
      this.#count--;
      if (servers.length === 0) this.#idle.delete(oldest);
    }
  }

  /** Idle servers kept (tests). */
  get idle(): number {
    return this.#count;
  }

  #make(caller: CallerIdentity, key: string, roles?: ReadonlyMap<string, Role>): KeptServer {
    const made = createServer(this.#deps, { caller, remote: true }, roles);
    return { server: made.server, session: made.session, roles: made.roles, key };
  }

  #roles(session: Session): ReadonlyMap<string, Role> {
    return startupRoles(this.#deps, session, () => {
      // The process's directory does not move; once a project is found above it, keep it.
      this.#projectRoot ??= findProjectRoot(this.#deps.env.cwd, this.#deps.env.homedir);
      return this.#projectRoot;
    });
  }
}

function callerKey(c: CallerIdentity): string {
  return JSON.stringify([c.name, c.enforced, c.projects ?? null]);
}
