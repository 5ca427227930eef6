import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { CAC } from "cac";
import { OrchestratorError } from "../../core/errors.ts";
import {
  DEFAULT_SETTINGS,
  MAX_ARTIFACT_BYTES_LIMIT,
  MAX_STALE_HOURS,
  type Settings,
} from "../../core/settings.ts";
import { systemClock } from "../../platform/clock.ts";
import { durationSetting, type Env, intSetting, maxRequestBytes, parseDuration } from "../../platform/env.ts";
import { selfCommand } from "../../platform/self-command.ts";
import { readTestHooks } from "../../platform/test-hooks.ts";
import { isSupervisedWorker } from "../../protocol/worker-env.ts";
import { DEFAULT_TOOL_PROFILE, isToolProfile, TOOL_PROFILES } from "../../server/profiles.ts";
import { isDatabaseUrl, isPostgresUrl, parsePostgresUrl } from "../../store/postgres/url.ts";
import { settingsDbAllowed } from "../../workspace/allow-settings-db.ts";
import { checkDirectory } from "../../workspace/resolve.ts";
import { EXIT } from "../exit-codes.ts";
import { checkHttpOnlyFlags, type HttpFlags, serveHttp } from "./serve-http.ts";

interface ServeFlags extends HttpFlags {
  workspace?: string;
  db?: string;
  tools?: string;
  lease?: string;
  supervisor?: boolean;
}

/** `orchestrator serve`: the MCP server on stdio. Flags are checked before anything starts. */
export function registerServeCommand(cli: CAC, env: Env, setCode: (c: number) => void): void {
  cli
    .command("serve", "Run the MCP server on stdio (what MCP clients launch), or over HTTP with --http")
    .option(
      "--workspace <dir>",
      "Default project folder for calls that name none (env ORCHESTRATOR_WORKSPACE)",
    )
    .option(
      "--db <path|url>",
      "One shared database for all workspaces: a SQLite file or a postgres:// URL (env ORCHESTRATOR_DB)",
    )
    .option(
      "--lease <duration>",
      "How long a claim lasts without activity, e.g. 30m or 90s (env ORCHESTRATOR_LEASE; default 30m)",
    )
    .option(
      "--tools <profile>",
      "Tool profile: core (7 tools), standard (default) or all (env ORCHESTRATOR_TOOLS)",
    )
    .option(
      "--no-supervisor",
      "Serve in this process, without the restartable worker (env ORCHESTRATOR_SUPERVISOR=0)",
    )
    .option("--http <[host:]port>", "Serve Streamable HTTP at /mcp instead of stdio (host default 127.0.0.1)")
    .option("--auth <mode>", "HTTP: 'tokens' requires a bearer token even before one exists")
    .option("--allow-origin <origin>", "HTTP: a web origin allowed besides the server's own (repeatable)")
    .option(
      "--public-url <url>",
      "HTTP: the URL clients use behind a reverse proxy (for metadata and Origin)",
    )
    .option(
      "--http-max-body <size>",
      "HTTP: longest request body, e.g. 8m (default 6 × max artifact + 1 MiB)",
    )
    .option("--http-timeout <duration>", "HTTP: longest time to receive and answer a request (default 120s)")
    .option("--insecure-no-auth", "HTTP: allow a non-loopback address without authentication (warned)")
    .option(
      "--auth-jwks-url <url>",
      "HTTP: accept JWTs signed by this key set (with --auth-issuer, --auth-audience)",
    )
    .option("--auth-issuer <iss>", "HTTP: the issuer (iss) JWTs must come from")
    .option("--auth-audience <aud>", "HTTP: the audience (aud) JWTs must be for: this server's resource")
    .option("--auth-identity-claim <claim>", "HTTP: the JWT claim naming the agent (default sub)")
    .option("--tls-cert <file>", "HTTP: serve HTTPS with this PEM certificate (with --tls-key)")
    .option("--tls-key <file>", "HTTP: the PEM private key of --tls-cert")
    .option("--metrics-public", "HTTP: serve /metrics without a token on a non-loopback address")
    .option(
      "--ui-actions",
      "HTTP: the dashboard under /ui/ may release, cancel and reopen tasks (as the token's name)",
    )
    .action(async (flags: ServeFlags) => {
      checkHttpOnlyFlags(flags);
      const workspaceFlag = flags.workspace ?? env.vars.ORCHESTRATOR_WORKSPACE;
      const dbFlag = flags.db ?? env.vars.ORCHESTRATOR_DB;
      const home = { cwd: env.cwd, homedir: env.homedir };
      const workspace = workspaceFlag
        ? checkDirectory(String(workspaceFlag), "--workspace", home)
        : undefined;
      const db = dbFlag ? checkDbPath(String(dbFlag), env.cwd) : undefined;
      const settings = readSettings(env, flags.lease === undefined ? undefined : String(flags.lease));
      const profile = String(flags.tools ?? env.vars.ORCHESTRATOR_TOOLS ?? DEFAULT_TOOL_PROFILE);
      if (!isToolProfile(profile)) {
        throw new OrchestratorError(
          "USAGE",
          `--tools must be one of ${TOOL_PROFILES.join(", ")}, got '${profile}'.`,
        );
      }
      if (flags.http !== undefined) {
        const code = await serveHttp(env, flags, {
          workspace,
          db,
          settings,
          settingsFixed: fixedSettings(env, flags.lease !== undefined),
          profile,
          // The front reaches its workers over Unix sockets; on Windows the server stays one process.
          supervise:
            flags.supervisor !== false &&
            env.vars.ORCHESTRATOR_SUPERVISOR !== "0" &&
            env.platform !== "win32",
          rawArgs: cli.rawArgs.slice(2),
        });
        setCode(code);
        return;
      }
      const supervised = isSupervisedWorker(env.vars);
      if (!supervised && flags.supervisor !== false && env.vars.ORCHESTRATOR_SUPERVISOR !== "0") {
        // The supervisor owns stdio and runs the server in a worker it can restart (docs/reboot.md).
        const [{ runSupervisor }, { BUILD_INFO }, { builtToolList }] = await Promise.all([
          import("../../supervisor/run.ts"),
          import("../../build-info.ts"),
          import("../../protocol/tool-snapshot.ts"),
        ]);
        const self = selfCommand(env);
        const args = [...self.args, "serve", "--tools", profile];
        // Only a lease given on the command line is forwarded: the environment passes through,
        // and anything else must stay open to the workspace's settings file (hot reload).
        if (flags.lease !== undefined) args.push("--lease", `${settings.leaseMs}ms`);
        if (workspace) args.push("--workspace", workspace);
        // A database URL may carry a password: it goes to the worker in its environment, not on
        // a command line every local user can read (ps).
        const dbInEnv = db !== undefined && isPostgresUrl(db);
        if (db && !dbInEnv) args.push("--db", db);
        await runSupervisor({
          version: BUILD_INFO.version,
          command: self.command,
          args,
          env: dbInEnv ? { ...env.vars, ORCHESTRATOR_DB: db } : env.vars,
          input: process.stdin,
          output: process.stdout,
          maxLineBytes: maxRequestBytes(settings.maxArtifactBytes),
          log: (line) => process.stderr.write(line),
          toolList: builtToolList(profile),
        });
        setCode(EXIT.OK);
        return;
      }
      const hooks = readTestHooks(env);
      if (supervised && hooks.workerCrash) {
        // Test hook: a worker that dies at start, to prove the supervisor survives it.
        process.stderr.write("orchestrator worker: crashing at start (ORCHESTRATOR_TEST_WORKER_CRASH)\n");
        process.exit(3);
      }
      // Loaded here, not at the top: other subcommands should not pay for the SDK and Kysely.
      const [
        { runStdioServer },
        { StoreCache },
        { createRoleLoader },
        { randomHex },
        { BUILD_INFO },
        { createSettingsLoader },
        { holderGone, thisHost },
        { readWorkerNote },
        { builtToolList, LISTED_TOOLS_VAR },
      ] = await Promise.all([
        import("../../server/stdio.ts"),
        import("../../store/cache.ts"),
        import("../../workspace/roles.ts"),
        import("../../platform/fs.ts"),
        import("../../build-info.ts"),
        import("../../workspace/settings.ts"),
        import("../../platform/process.ts"),
        import("../../protocol/worker-channel.ts"),
        import("../../protocol/tool-snapshot.ts"),
      ]);
      const note = readWorkerNote(env.vars);
      const supervisorInfo = note.info;
      await runStdioServer(
        {
          version: BUILD_INFO.version,
          env,
          workspace,
          db,
          settings,
          settingsFixed: fixedSettings(env, flags.lease !== undefined),
          settingsLoader: createSettingsLoader(),
          allowSettingsDb: settingsDbAllowed(env.vars),
          tools: profile,
          supervised,
          supervisorInfo,
          // The connection lives as long as the process that owns the client's stdio: the
          // supervisor (which outlives worker restarts), or this process when unsupervised.
          connection: {
            id: note.connectionId,
            holder: {
              host: thisHost(),
              pid: supervised ? (supervisorInfo?.supervisor_pid ?? process.ppid) : process.pid,
            },
          },
          holderGone,
          testDelayMs: hooks.toolDelayMs,
          copyDelayMs: hooks.copyDelayMs,
          clock: systemClock,
          random: { hex: randomHex },
          roleLoader: createRoleLoader(),
          // One client, which sends its calls in flight together (transactions.ts groupSize).
          stores: new StoreCache({ commitInHalves: true }),
        },
        {
          maxLineBytes: maxRequestBytes(settings.maxArtifactBytes),
          // The supervisor may have answered tools/list from its built-in list: if this worker's
          // differs (another binary, or an unbuilt run), the client is told to list again.
          listChanged:
            supervised &&
            env.vars[LISTED_TOOLS_VAR] !== undefined &&
            env.vars[LISTED_TOOLS_VAR] !== builtToolList(profile)?.digest,
        },
      );
      setCode(EXIT.OK);
    });
}

/** A SQLite file path made absolute and checked, or a PostgreSQL URL checked (USAGE naming the fault). */
export function checkDbPath(input: string, cwd: string): string {
  if (isDatabaseUrl(input)) {
    // Any other scheme is refused too, by name, rather than taken for a file called "mysql:".
    parsePostgresUrl(input);
    return input;
  }
  const abs = resolve(cwd, input);
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    throw new OrchestratorError(
      "USAGE",
      `--db ${input} is a folder; pass the path of a database file, e.g. ${abs}/orchestrator.db.`,
    );
  }
  if (!existsSync(dirname(abs))) {
    throw new OrchestratorError(
      "USAGE",
      `--db ${input}: the folder ${dirname(abs)} does not exist; create it first or choose another path.`,
    );
  }
  return abs;
}

/** The settings the command line or the environment set: a workspace's settings file cannot change them. */
function fixedSettings(env: Env, leaseFlag: boolean): ReadonlySet<keyof Settings> {
  const fixed = new Set<keyof Settings>();
  if (leaseFlag || env.vars.ORCHESTRATOR_LEASE) fixed.add("leaseMs");
  if (env.vars.ORCHESTRATOR_MAX_ARTIFACT_BYTES) fixed.add("maxArtifactBytes");
  if (env.vars.ORCHESTRATOR_STALE_HOURS) fixed.add("staleMs");
  return fixed;
}

/** Settings from the environment; a malformed value is a usage error naming the variable. */
export function readSettings(env: Env, lease?: string): Settings {
  try {
    return {
      leaseMs: lease
        ? parseDuration(lease, "--lease")
        : durationSetting(env, "ORCHESTRATOR_LEASE", DEFAULT_SETTINGS.leaseMs),
      maxArtifactBytes: intSetting(
        env,
        "ORCHESTRATOR_MAX_ARTIFACT_BYTES",
        DEFAULT_SETTINGS.maxArtifactBytes,
        MAX_ARTIFACT_BYTES_LIMIT,
      ),
      staleMs:
        intSetting(env, "ORCHESTRATOR_STALE_HOURS", DEFAULT_SETTINGS.staleMs / 3_600_000, MAX_STALE_HOURS) *
        3_600_000,
    };
  } catch (e) {
    throw new OrchestratorError("USAGE", (e as Error).message);
  }
}
