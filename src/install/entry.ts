import type { EntryShape, Scope, ServerEntry } from "./types.ts";

/**
 * Our server entry: the absolute path of the binary with `serve`, plus `--workspace` for project
 * installs (VS Code's `${workspaceFolder}` where the client expands it, else the project folder).
 * When running from source, the command is the runtime and the first argument the entry script.
 */
export function buildServerEntry(opts: {
  readonly command: string;
  readonly commandArgs?: readonly string[];
  readonly scope: Scope;
  readonly projectDir?: string | undefined;
  readonly expandsWorkspaceFolder?: boolean | undefined;
}): ServerEntry {
  const args = [...(opts.commandArgs ?? []), "serve"];
  // Project and local entries belong to one project: they name it, so any cwd finds the same data.
  if (opts.scope !== "user") {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code's own variable, written literally
    args.push("--workspace", opts.expandsWorkspaceFolder ? "${workspaceFolder}" : (opts.projectDir ?? "."));
  }
  return { command: opts.command, args, env: {} };
}

/** The entry as the client's file spells it (see EntryShape). */
export function shapeEntry(shape: EntryShape, entry: ServerEntry, name: string): unknown {
  const env = Object.keys(entry.env).length > 0 ? { ...entry.env } : undefined;
  switch (shape) {
    case "stdio":
      return { command: entry.command, args: [...entry.args], ...(env ? { env } : {}) };
    case "typed-stdio":
      return { type: "stdio", command: entry.command, args: [...entry.args], ...(env ? { env } : {}) };
    case "goose":
      return {
        name,
        type: "stdio",
        cmd: entry.command,
        args: [...entry.args],
        envs: env ?? {},
        enabled: true,
        timeout: 300,
      };
    case "continue":
      return { name, command: entry.command, args: [...entry.args], ...(env ? { env } : {}) };
    case "opencode":
      return {
        type: "local",
        command: [entry.command, ...entry.args],
        ...(env ? { environment: env } : {}),
        enabled: true,
      };
    case "codex":
      return { command: entry.command, args: [...entry.args], ...(env ? { env } : {}) };
  }
}

/** Reads the command and arguments back out of an entry of any shape (for validate and doctor). */
export function unshapeEntry(
  shape: EntryShape,
  value: unknown,
): { command: string; args: string[] } | undefined {
  if (!value || typeof value !== "object") return undefined;
  const v = value as Record<string, unknown>;
  const strings = (x: unknown): string[] | undefined =>
    Array.isArray(x) && x.every((s) => typeof s === "string") ? (x as string[]) : undefined;
  if (shape === "goose") {
    return typeof v.cmd === "string" ? { command: v.cmd, args: strings(v.args) ?? [] } : undefined;
  }
  if (shape === "opencode") {
    const all = strings(v.command);
    return all && all.length > 0 ? { command: all[0]!, args: all.slice(1) } : undefined;
  }
  return typeof v.command === "string" ? { command: v.command, args: strings(v.args) ?? [] } : undefined;
}

/**
 * True when an entry runs an orchestrator (any version, any path): `… orchestrator[.exe] serve …`,
 * or its bridge to a remote server, `… orchestrator connect URL …`.
 */
export function isOrchestratorEntry(
  entry: { command: string; args: readonly string[] } | undefined,
): boolean {
  if (!entry) return false;
  const base = entry.command.split(/[\\/]/).pop()?.toLowerCase() ?? "";
  const script = entry.args[0]?.split(/[\\/]/).pop()?.toLowerCase() ?? "";
  return (
    (base === "orchestrator" || base === "orchestrator.exe" || script === "orchestrator.ts") &&
    (entry.args.includes("serve") || entry.args.includes("connect"))
  );
}
