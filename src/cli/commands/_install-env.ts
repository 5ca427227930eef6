import { resolve } from "node:path";
import { OrchestratorError } from "../../core/errors.ts";
import { CLIENT_IDS, type ClientId, hasScope, parseClientId } from "../../install/clients.ts";
import { type InstallEnv, type Platform, SCOPES, type Scope } from "../../install/types.ts";
import type { Env } from "../../platform/env.ts";
import { safeReal } from "../../platform/fs.ts";
import { selfCommand } from "../../platform/self-command.ts";
import { readTestHooks } from "../../platform/test-hooks.ts";

/** The installer's view of the environment (paths for every OS are computed from this). */
export function installEnvFrom(env: Env): InstallEnv {
  return {
    platform: (["linux", "darwin", "win32"].includes(env.platform) ? env.platform : "linux") as Platform,
    homedir: env.homedir,
    appData: env.vars.APPDATA,
    localAppData: env.vars.LOCALAPPDATA,
    xdgConfigHome: env.vars.XDG_CONFIG_HOME,
    xdgDataHome: env.vars.XDG_DATA_HOME,
    vars: env.vars,
    installFault: readTestHooks(env).installFault,
  };
}

/** Parses --client (comma-separated ids or aliases) or --all; usage errors name the valid ids. */
export function pickClients(
  flags: { client?: string; all?: boolean },
  detected: () => ClientId[],
): ClientId[] {
  if (flags.all && flags.client)
    throw new OrchestratorError("USAGE", "give either --client ID or --all, not both.");
  if (flags.all) return detected();
  if (!flags.client) {
    throw new OrchestratorError(
      "USAGE",
      `--client ID is required (or --all for every detected client). Clients: ${CLIENT_IDS.join(", ")}.`,
    );
  }
  return String(flags.client)
    .split(",")
    .map((raw) => {
      const id = parseClientId(raw.trim());
      if (!id)
        throw new OrchestratorError(
          "USAGE",
          `unknown client '${raw.trim()}'. Clients: ${CLIENT_IDS.join(", ")}.`,
        );
      return id;
    });
}

export const SCOPE_HELP =
  "user (default), project (the project's own file) or local (claude-code: this project, in your ~/.claude.json)";

/** --scope user|project|local and the project folder the project and local scopes belong to. */
export function pickScope(
  env: Env,
  flags: { scope?: string; project?: string },
): { scope: Scope; projectDir?: string } {
  const scope = String(flags.scope ?? "user") as Scope;
  if (!SCOPES.includes(scope))
    throw new OrchestratorError("USAGE", `--scope must be ${SCOPES.join(", ")}, got '${scope}'.`);
  if (scope === "user") return { scope };
  // The real path: Claude Code keys local entries by its physical working folder.
  return { scope, projectDir: safeReal(resolve(env.cwd, String(flags.project ?? "."))) };
}

/**
 * The command clients should run: this binary when compiled (its absolute path, never npx), or
 * the runtime plus the entry script when running from source; `--binary` overrides.
 */
export function serverCommand(
  env: Env,
  binary: string | undefined,
): { command: string; commandArgs: string[] } {
  if (binary) return { command: resolve(env.cwd, binary), commandArgs: [] };
  const self = selfCommand(env);
  return { command: self.command, commandArgs: self.args };
}

/** Project and local scope only for clients that have them; says which do. */
export function checkScope(ids: readonly ClientId[], scope: Scope): void {
  const without = ids.filter((id) => !hasScope(id, scope));
  if (without.length > 0) {
    throw new OrchestratorError(
      "USAGE",
      `${without.join(", ")} ${without.length === 1 ? "has" : "have"} no ${scope}-scoped config; use --scope user. Clients with one: ${CLIENT_IDS.filter((id) => hasScope(id, scope)).join(", ")}.`,
    );
  }
}
