import { spawnSync } from "node:child_process";
import type { ClientId } from "./clients.ts";
import { shapeEntry } from "./entry.ts";
import { type Scope, SERVER_NAME, type ServerEntry } from "./types.ts";

/**
 * The clients that have their own command for registering a server. `install --via-cli` runs it
 * instead of editing the file; the file route stays the default because it is the one we can
 * test, back up and roll back. Argument lists, never a shell string: nothing is interpolated.
 */
export function cliCommandFor(id: ClientId, entry: ServerEntry, scope: Scope): string[] | undefined {
  const json = JSON.stringify(shapeEntry("typed-stdio", entry, SERVER_NAME));
  switch (id) {
    case "claude-code":
      return [
        "claude",
        "mcp",
        "add-json",
        "--scope",
        scope === "user" ? "user" : "project",
        SERVER_NAME,
        json,
      ];
    case "vscode":
      return ["code", "--add-mcp", JSON.stringify({ name: SERVER_NAME, ...JSON.parse(json) })];
    case "codex":
      return ["codex", "mcp", "add", SERVER_NAME, "--", entry.command, ...entry.args];
    case "gemini-cli":
      return ["gemini", "mcp", "add", "--scope", scope, SERVER_NAME, entry.command, ...entry.args];
    default:
      return undefined;
  }
}

/** Runs a client's command; the result says what happened in words. */
export function runClientCommand(argv: readonly string[]): { ok: boolean; message: string } {
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd as string, args, { encoding: "utf8", timeout: 60_000 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === "ENOENT";
    return {
      ok: false,
      message: missing
        ? `'${cmd}' is not on PATH; install the client's command line tool, or run without --via-cli to edit the config file`
        : `'${cmd}' could not run: ${r.error.message}`,
    };
  }
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
  return r.status === 0
    ? { ok: true, message: out || `${cmd} registered the server` }
    : { ok: false, message: `'${cmd}' exited with ${r.status}: ${out.slice(-400) || "(no output)"}` };
}
