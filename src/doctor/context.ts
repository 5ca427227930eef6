import type { ClientId } from "../install/clients.ts";
import type { InstallEnv, Scope } from "../install/types.ts";
import type { Env } from "../platform/env.ts";

/** What every check may read: the environment, this binary, and the user's choices. */
export interface DoctorContext {
  readonly env: Env;
  readonly install: InstallEnv;
  readonly version: string;
  readonly target: string;
  /** The command clients should run for this orchestrator (absolute path of this binary). */
  readonly self: { readonly command: string; readonly commandArgs: readonly string[] };
  /** `--client`: only these clients in the clients and live areas. */
  readonly clients: readonly ClientId[];
  /** `--workspace`, else the rules from the current directory. */
  readonly workspace?: string | undefined;
  /**
   * The project folder whose project- and local-scope client entries are checked: `--workspace`,
   * else the project around the current folder, else the current folder.
   */
  readonly projectDir?: string | undefined;
  /** `--scope`: only these client scopes (default: every scope each client has). */
  readonly scopes?: readonly Scope[] | undefined;
  readonly db?: string | undefined;
  /** How long the live check waits for a server's answers. */
  readonly timeoutMs: number;
}
