import { resolve } from "node:path";
import type { CAC } from "cac";
import { OrchestratorError } from "../../core/errors.ts";
import { type ClientId, hasScope } from "../../install/clients.ts";
import type { InstallDb } from "../../install/entry.ts";
import type { Env } from "../../platform/env.ts";
import { safeReal } from "../../platform/fs.ts";
import { isDatabaseUrl, parsePostgresUrl } from "../../store/postgres/url.ts";
import { EXIT } from "../exit-codes.ts";
import type { Output } from "../output.ts";
import {
  checkScope,
  installEnvFrom,
  pickClients,
  pickScope,
  SCOPE_HELP,
  serverCommand,
} from "./_install-env.ts";
import { renderResults } from "./install-render.ts";

interface InstallFlags {
  client?: string;
  all?: boolean;
  scope?: string;
  project?: string;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
  binary?: string;
  viaCli?: boolean;
  db?: string;
  allowPasswordInConfig?: boolean;
  url?: string;
  tokenEnv?: string;
  token?: string;
}

/** `orchestrator install` and `uninstall`: add or remove our entry in MCP clients' configs, safely. */
export function registerInstallCommands(cli: CAC, env: Env, io: Output, setCode: (c: number) => void): void {
  const common = (c: ReturnType<CAC["command"]>) =>
    c
      .option(
        "--client <id>",
        "Client id (comma-separated for several): claude-desktop, claude-code, cursor, vscode, ...",
      )
      .option("--all", "Every client detected on this machine")
      .option("--scope <scope>", SCOPE_HELP, { default: "user" })
      .option("--project <dir>", "Project folder for --scope project or local (default: current folder)")
      .option("--dry-run", "Print the diff, change nothing")
      .option("--json", "Print the results as JSON");

  common(cli.command("install", "Register the server in an MCP client's config (with a backup)"))
    .option("--force", "Replace an entry with our name that runs something else; edit a read-only file")
    .option("--binary <path>", "Command to register (default: this binary)")
    .option(
      "--via-cli",
      "Use the client's own command (claude, code, codex, gemini, qwen) instead of editing the file; a scope it cannot write is edited in the file instead",
    )
    .option(
      "--db <path|url>",
      "The store the client's server uses: a SQLite file (--db in its arguments) or a postgres:// URL (ORCHESTRATOR_DB in its env); without it, the entry keeps its own",
    )
    .option(
      "--allow-password-in-config",
      "Let --db's URL carry a password, written in clear in the client's config file (prefer PGPASSWORD or ~/.pgpass)",
    )
    .option(
      "--url <url>",
      "A remote server (https://HOST/mcp) instead of a local one: the entry connects there",
    )
    .option(
      "--token-env <VAR>",
      "With --url: the environment variable the client reads the bearer token from (the file holds only its name)",
    )
    .option("--token <value>", "Refused: a token must not be written into a config file; use --token-env")
    .action(async (flags: InstallFlags) => {
      const db = installDb(env, flags);
      if (db && flags.viaCli)
        throw new OrchestratorError(
          "USAGE",
          "--db is written into the client's config file, which --via-cli does not edit; drop --via-cli.",
        );
      const remote = await remoteFlags(flags);
      if (db && remote)
        throw new OrchestratorError(
          "USAGE",
          "--db and --url do not go together: a remote entry uses the remote server's store (its own --db); drop one.",
        );
      const { installClients, detectClients } = await import("../../install/run.ts");
      const ienv = installEnvFrom(env);
      const { scope, projectDir } = pickScope(env, flags);
      // --all means every detected client that has the scope asked for.
      const ids = pickClients(flags, () => detectClients(ienv).filter((id) => hasScope(id, scope)));
      checkScope(ids, scope);
      let fileIds = ids;
      let cliCode: number = EXIT.OK;
      const notices = new Map<ClientId, string>();
      if (flags.viaCli) {
        const { viaCli } = await import("./install-via-cli.ts");
        const r = viaCli(io, ids, {
          scope,
          projectDir,
          dryRun: Boolean(flags.dryRun),
          ...serverCommand(env, flags.binary),
          env: ienv,
          folder: projectDir ?? env.cwd,
        });
        cliCode = r.code;
        for (const f of r.viaFile) notices.set(f.id, f.notice);
        fileIds = r.viaFile.map((f) => f.id);
        if (fileIds.length === 0) {
          setCode(cliCode);
          return;
        }
      }
      const written = (
        await installClients(ienv, fileIds, {
          scope,
          projectDir,
          dryRun: Boolean(flags.dryRun),
          force: Boolean(flags.force),
          ...serverCommand(env, flags.binary),
          now: new Date().toISOString(),
          here: projectDir ?? safeReal(resolve(env.cwd, String(flags.project ?? "."))),
          db,
          remote,
        })
      ).map((r) => {
        const notice = notices.get(r.client);
        return notice ? { ...r, warnings: [notice, ...r.warnings] } : r;
      });
      const { withGateNotices } = await import("./install-gates.ts");
      const results = withGateNotices(ienv, written, projectDir ?? env.cwd);
      const fileCode = renderResults(io, results, {
        json: Boolean(flags.json),
        verb: "install",
        noneDetected: flags.all === true && ids.length === 0,
      });
      setCode(Math.max(cliCode, fileCode));
    });

  common(cli.command("uninstall", "Remove exactly our entry from an MCP client's config (with a backup)"))
    .option("--force", "Also remove an entry with our name that runs something else; edit a read-only file")
    .action(async (flags: InstallFlags) => {
      const { uninstallClients, detectClients } = await import("../../install/run.ts");
      const ienv = installEnvFrom(env);
      const { scope, projectDir } = pickScope(env, flags);
      const ids = pickClients(flags, () => detectClients(ienv).filter((id) => hasScope(id, scope)));
      checkScope(ids, scope);
      const results = await uninstallClients(ienv, ids, {
        scope,
        projectDir,
        here: projectDir ?? safeReal(resolve(env.cwd, String(flags.project ?? "."))),
        dryRun: Boolean(flags.dryRun),
        force: Boolean(flags.force),
        now: new Date().toISOString(),
      });
      setCode(
        renderResults(io, results, {
          json: Boolean(flags.json),
          verb: "uninstall",
          noneDetected: flags.all === true && ids.length === 0,
        }),
      );
    });
}

/**
 * `install --db`: a URL is checked as serve checks it (a malformed one is a usage error) and
 * refused when it holds a password, unless the user says so: the client's config file is plain
 * text, often synced or shared, and the password would sit in it. A file becomes an absolute path.
 */
function installDb(env: Env, flags: InstallFlags): InstallDb | undefined {
  if (flags.db === undefined) return undefined;
  const given = String(flags.db);
  if (given === "" || typeof flags.db === "boolean")
    throw new OrchestratorError("USAGE", "--db needs a SQLite file or a postgres:// URL.");
  if (!isDatabaseUrl(given)) return { kind: "file", path: resolve(env.cwd, given) };
  const pg = parsePostgresUrl(given);
  if (pg.password !== undefined && !flags.allowPasswordInConfig)
    throw new OrchestratorError(
      "USAGE",
      `--db ${pg.redacted} holds a password, which would be written in clear into the client's config file. Give the server the password as PGPASSWORD (in its entry's env) or in ~/.pgpass (mode 0600) and pass the URL without it, or add --allow-password-in-config to write it anyway.`,
    );
  return { kind: "url", url: given };
}

/** --url, --token-env and the refused --token, checked before anything is read or written. */
async function remoteFlags(flags: InstallFlags): Promise<{ url: string; tokenEnv?: string } | undefined> {
  if (flags.token !== undefined) {
    throw new OrchestratorError(
      "USAGE",
      "--token is refused: a token written into a client's config file is readable by anything that reads the file (backups, sync, git). Put it in an environment variable and pass its name: --token-env ORCHESTRATOR_TOKEN.",
    );
  }
  if (flags.url === undefined) {
    if (flags.tokenEnv !== undefined)
      throw new OrchestratorError("USAGE", "--token-env goes with --url https://HOST/mcp (a remote server).");
    return undefined;
  }
  if (flags.viaCli)
    throw new OrchestratorError("USAGE", "--via-cli does not write remote entries; leave it out with --url.");
  const { checkRemoteUrl, checkTokenEnvName } = await import("../../remote/target.ts");
  const url = checkRemoteUrl(String(flags.url));
  return flags.tokenEnv === undefined
    ? { url }
    : { url, tokenEnv: checkTokenEnvName(String(flags.tokenEnv)) };
}
