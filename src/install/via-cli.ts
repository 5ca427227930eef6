import { spawnSync } from "node:child_process";
import type { ClientId } from "./clients.ts";
import { shapeEntry } from "./entry.ts";
import { type Scope, SERVER_NAME, type ServerEntry } from "./types.ts";

/** A client's own command for registering a server, and the scopes it can write. */
export interface ClientCli {
  readonly scopes: readonly Scope[];
  readonly argv: (entry: ServerEntry, scope: Scope) => string[];
}

/**
 * The clients that have their own command for registering a server. `install --via-cli` runs it
 * instead of editing the file; the file route stays the default because it is the one we can
 * test, back up and roll back. Argument lists, never a shell string: nothing is interpolated.
 * `scopes` are the ones the command really writes: `codex mcp add` has no project scope and
 * writes the user's file whatever is asked, so a project install of Codex edits the file instead.
 */
/** Gemini CLI and its fork Qwen Code share one `mcp add` syntax; only the program differs. */
const geminiStyleAdd =
  (program: string): ClientCli["argv"] =>
  (entry, scope) => [program, "mcp", "add", "--scope", scope, SERVER_NAME, entry.command, ...entry.args];

export const CLIENT_CLIS: Partial<Record<ClientId, ClientCli>> = {
  "claude-code": {
    scopes: ["user", "project", "local"],
    argv: (entry, scope) => ["claude", "mcp", "add-json", "--scope", scope, SERVER_NAME, typedJson(entry)],
  },
  vscode: {
    // `code --add-mcp` adds to the user profile only.
    scopes: ["user"],
    argv: (entry) => [
      "code",
      "--add-mcp",
      JSON.stringify({ name: SERVER_NAME, ...JSON.parse(typedJson(entry)) }),
    ],
  },
  codex: {
    scopes: ["user"],
    argv: (entry) => ["codex", "mcp", "add", SERVER_NAME, "--", entry.command, ...entry.args],
  },
  "gemini-cli": {
    scopes: ["user", "project"],
    argv: geminiStyleAdd("gemini"),
  },
  "qwen-code": {
    scopes: ["user", "project"],
    argv: geminiStyleAdd("qwen"),
  },
};

function typedJson(entry: ServerEntry): string {
  return JSON.stringify(shapeEntry("typed-stdio", entry, SERVER_NAME));
}

/** The client's command for this scope, or undefined when it has none or cannot write that scope. */
export function cliCommandFor(id: ClientId, entry: ServerEntry, scope: Scope): string[] | undefined {
  const cli = CLIENT_CLIS[id];
  return cli?.scopes.includes(scope) ? cli.argv(entry, scope) : undefined;
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
