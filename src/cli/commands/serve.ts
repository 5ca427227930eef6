import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { CAC } from "cac";
import { DEFAULT_SETTINGS, type Settings } from "../../app/context.ts";
import { OrchestratorError } from "../../core/errors.ts";
import { durationSetting, type Env, intSetting, parseDuration } from "../../platform/env.ts";
import { checkDirectory } from "../../workspace/resolve.ts";
import { EXIT } from "../exit-codes.ts";

interface ServeFlags {
  workspace?: string;
  db?: string;
  tools?: string;
  lease?: string;
}

const PROFILES = ["core", "standard", "all"] as const;

/** `orchestrator serve`: the MCP server on stdio. Flags are checked before anything starts. */
export function registerServeCommand(cli: CAC, env: Env, setCode: (c: number) => void): void {
  cli
    .command("serve", "Run the MCP server on stdio (what MCP clients launch)")
    .option(
      "--workspace <dir>",
      "Default project folder for calls that name none (env ORCHESTRATOR_WORKSPACE)",
    )
    .option("--db <path>", "One shared SQLite file for all workspaces (env ORCHESTRATOR_DB)")
    .option(
      "--lease <duration>",
      "How long a claim lasts without activity, e.g. 30m or 90s (env ORCHESTRATOR_LEASE; default 30m)",
    )
    .option(
      "--tools <profile>",
      "Tool profile: core (7 tools), standard (default) or all (env ORCHESTRATOR_TOOLS)",
    )
    .action(async (flags: ServeFlags) => {
      const workspaceFlag = flags.workspace ?? env.vars.ORCHESTRATOR_WORKSPACE;
      const dbFlag = flags.db ?? env.vars.ORCHESTRATOR_DB;
      const home = { cwd: env.cwd, homedir: env.homedir };
      const workspace = workspaceFlag
        ? checkDirectory(String(workspaceFlag), "--workspace", home)
        : undefined;
      const db = dbFlag ? checkDbPath(String(dbFlag), env.cwd) : undefined;
      const settings = readSettings(env, flags.lease === undefined ? undefined : String(flags.lease));
      const profile = String(flags.tools ?? env.vars.ORCHESTRATOR_TOOLS ?? "standard");
      if (!(PROFILES as readonly string[]).includes(profile)) {
        throw new OrchestratorError(
          "USAGE",
          `--tools must be one of ${PROFILES.join(", ")}, got '${profile}'.`,
        );
      }
      // Loaded here, not at the top: other subcommands should not pay for the SDK and Kysely.
      const [{ runStdioServer }, { StoreCache }, { createRoleLoader }, { randomHex }, { BUILD_INFO }] =
        await Promise.all([
          import("../../server/stdio.ts"),
          import("../../server/session.ts"),
          import("../../workspace/roles.ts"),
          import("../../platform/fs.ts"),
          import("../../build-info.ts"),
        ]);
      await runStdioServer({
        version: BUILD_INFO.version,
        cwd: env.cwd,
        homedir: env.homedir,
        workspace,
        db,
        settings,
        tools: profile as (typeof PROFILES)[number],
        clock: { now: () => new Date().toISOString() },
        random: { hex: randomHex },
        roleLoader: createRoleLoader(),
        stores: new StoreCache(),
      });
      setCode(EXIT.OK);
    });
}

function checkDbPath(input: string, cwd: string): string {
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

/** Settings from the environment; a malformed value is a usage error naming the variable. */
export function readSettings(env: Env, lease?: string): Settings {
  try {
    return {
      leaseMs: lease
        ? parseDuration(lease, "--lease")
        : durationSetting(env, "ORCHESTRATOR_LEASE", DEFAULT_SETTINGS.leaseMs),
      maxArtifactBytes: intSetting(env, "ORCHESTRATOR_MAX_ARTIFACT_BYTES", DEFAULT_SETTINGS.maxArtifactBytes),
      staleMs: intSetting(env, "ORCHESTRATOR_STALE_HOURS", DEFAULT_SETTINGS.staleMs / 3_600_000) * 3_600_000,
    };
  } catch (e) {
    throw new OrchestratorError("USAGE", (e as Error).message);
  }
}
