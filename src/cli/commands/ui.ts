import { userInfo } from "node:os";
import type { CAC } from "cac";
import { OrchestratorError } from "../../core/errors.ts";
import type { Env } from "../../platform/env.ts";
import { EXIT } from "../exit-codes.ts";
import type { Output } from "../output.ts";

interface UiFlags {
  port?: string | number;
  host?: string;
  open?: boolean;
  workspace?: string;
  db?: string;
  allowActions?: boolean;
  as?: string;
  newSecret?: boolean;
}

/** The default port, repeated here so --help loads nothing of the server. */
const DEFAULT_PORT = 7717;

/**
 * `orchestrator ui`: the live dashboard for one person (issue 15, docs/guides/dashboard.md), on a
 * loopback address behind a secret URL. Runs until SIGINT/SIGTERM; exit 0 then, 1 when it could
 * not serve (port taken, store unavailable), 2 for usage errors (flags, a non-loopback --host).
 */
export function registerUiCommand(cli: CAC, env: Env, io: Output, setCode: (c: number) => void): void {
  cli
    .command("ui", "Serve the live dashboard (plans as graphs, claims, artifacts) in your browser")
    .option("--port <port>", `Port (default ${DEFAULT_PORT}, or any free one when taken; 0: any free one)`)
    .option("--host <host>", "Loopback address to listen on (default 127.0.0.1); teams use serve --http")
    .option("--no-open", "Print the URL without opening a browser")
    .option("--workspace <dir>", "The project to show (default: the project around the current folder)")
    .option("--db <path|url>", "Show every project of this database: a SQLite file or a postgres:// URL")
    .option("--allow-actions", "Allow releasing stale claims, cancelling and reopening tasks from the page")
    .option(
      "--as <name>",
      "With --allow-actions: the name actions are recorded under (default: your user name)",
    )
    .option("--new-secret", "Make a new secret: URLs printed before stop working")
    .action(async (flags: UiFlags) => {
      const host = String(flags.host ?? "127.0.0.1");
      const { isLoopback } = await import("../../server/http/address.ts");
      const { isIP } = await import("node:net");
      if (host !== "localhost" && isIP(host) === 0) {
        throw new OrchestratorError(
          "USAGE",
          `--host must be an IP address or localhost, got '${host.slice(0, 100)}'.`,
        );
      }
      if (!isLoopback(host)) {
        throw new OrchestratorError(
          "DASHBOARD_NOT_LOOPBACK",
          `orchestrator ui only listens on this machine (127.0.0.1, ::1, localhost), not ${host}: it is one person's dashboard behind a secret URL. For a team, run \`orchestrator serve --http ${host.includes(":") ? `[${host}]` : host}:PORT\` with tokens (orchestrator token create): it serves the dashboard under /ui/ with a sign-in.`,
        );
      }
      const port = flags.port === undefined ? DEFAULT_PORT : Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535 || !/^\d+$/.test(String(flags.port ?? port))) {
        throw new OrchestratorError(
          "USAGE",
          `--port must be a port number from 0 to 65535, got '${String(flags.port)}'.`,
        );
      }
      if (flags.as !== undefined && !flags.allowActions) {
        throw new OrchestratorError(
          "USAGE",
          "--as only applies with --allow-actions (it names who made a change).",
        );
      }
      const actor = String(flags.as ?? osUser());
      // The name lands in every task's history and on screen: one line of printable text.
      if (actor.trim() === "" || actor.length > 100 || /\p{Cc}/u.test(actor)) {
        throw new OrchestratorError("USAGE", "--as must be a name of 1 to 100 characters on one line.");
      }
      const [{ loadUiSecret }, { openUiSource }, { runUiServer }, { openBrowser }] = await Promise.all([
        import("../../dashboard/http/secret-file.ts"),
        import("./_ui-source.ts"),
        import("../../dashboard/http/ui-server.ts"),
        import("../../dashboard/http/open-browser.ts"),
      ]);
      const secret = loadUiSecret(env, flags.newSecret === true);
      if (secret.renewed && secret.renewed !== "first run") {
        io.err(
          `orchestrator: a new dashboard secret (${secret.renewed}); URLs printed before no longer work.`,
        );
      }
      const opened = await openUiSource(env, flags, { allowed: flags.allowActions === true, actor });
      try {
        await runUiServer({
          host,
          port,
          portGiven: flags.port !== undefined,
          secret: secret.secret,
          source: opened.source,
          viewer: { scope: opened.scope, actor },
          actionsAllowed: flags.allowActions === true,
          log: (line) => process.stderr.write(line),
          onListening: ({ url, fellBack }) => {
            if (fellBack) io.err(`orchestrator: port ${port} is taken; serving on another one.`);
            io.err(
              `orchestrator: the dashboard shows ${opened.what}${flags.allowActions ? `; actions on, recorded as '${actor}'` : " (read-only)"}. Ctrl+C stops it.`,
            );
            io.out(`Dashboard: ${url}`);
            if (flags.open === false) return;
            const skipped = openBrowser(env, url, (why) =>
              io.err(`orchestrator: could not open a browser (${why}); open the URL above yourself.`),
            );
            if (skipped)
              io.err(`orchestrator: ${skipped}, so no browser was opened; open the URL above yourself.`);
          },
        });
      } finally {
        await opened.close();
      }
      setCode(EXIT.OK);
    });
}

function osUser(): string {
  try {
    return userInfo().username || "dashboard";
  } catch {
    return "dashboard";
  }
}
