import { existsSync, readFileSync } from "node:fs";
import { type ClientId, clientSpec, configFiles, resolveClientPath } from "./clients.ts";
import { readEntry } from "./edit/index.ts";
import { type ConfigLocation, type InstallEnv, type Scope, SERVER_NAME } from "./types.ts";

/** One of the files a client reads for a scope, and what it holds of ours. */
export interface FileState {
  readonly loc: ConfigLocation;
  readonly exists: boolean;
  /** Our entry is in it. */
  readonly holds: boolean;
  /** It exists but does not parse (or cannot be read): whether it holds our entry is unknown. */
  readonly unreadable: boolean;
}

/** The edit that addresses our entry in a located file. */
export function entryEdit(loc: ConfigLocation) {
  return { format: loc.format, keyPath: loc.keyPath, container: loc.container, name: SERVER_NAME };
}

/** Every file the client reads for the scope, highest precedence first, with what each holds. */
export function fileStates(id: ClientId, scope: Scope, env: InstallEnv, projectDir?: string): FileState[] {
  return configFiles(id, scope, env, projectDir).map((loc) => {
    if (!existsSync(loc.path)) return { loc, exists: false, holds: false, unreadable: false };
    try {
      const holds = readEntry(readFileSync(loc.path, "utf8"), entryEdit(loc)) !== undefined;
      return { loc, exists: true, holds, unreadable: false };
    } catch {
      return { loc, exists: true, holds: false, unreadable: true };
    }
  });
}

/**
 * The file install edits: the one already holding our entry (so a second install never writes a
 * duplicate into another file the client also reads), else the first that exists, else the one
 * the client creates. A file that does not parse is chosen over one that does not exist, so the
 * install is refused with its line and column instead of writing around it.
 */
export function installTarget(
  id: ClientId,
  scope: Scope,
  env: InstallEnv,
  projectDir?: string,
): ConfigLocation {
  const states = fileStates(id, scope, env, projectDir);
  const pick =
    states.find((s) => s.holds) ?? states.find((s) => s.unreadable) ?? states.find((s) => s.exists);
  if (pick) return pick.loc;
  const create = resolveClientPath(id, scope, env, projectDir);
  const loc = states.find((s) => s.loc.path === create)?.loc ?? states[0]?.loc;
  if (!loc) throw new Error(`${clientSpec(id).label} has no config file for ${scope} scope`);
  return loc;
}

/**
 * The text a file we create starts from: the top-level keys the client requires (Continue's
 * `name`, `version`, `schema`), so the client accepts the file. Empty for the others.
 */
export function newFileText(id: ClientId): string {
  const spec = clientSpec(id);
  const keys = Object.entries(spec.newFileKeys ?? {});
  if (keys.length === 0) return "";
  if (spec.format === "yaml") return keys.map(([k, v]) => `${k}: ${v}\n`).join("");
  if (spec.format === "toml") return keys.map(([k, v]) => `${k} = ${JSON.stringify(v)}\n`).join("");
  return `${JSON.stringify(Object.fromEntries(keys), null, 2)}\n`;
}
